import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE_WINDOW_MS, MEMBER_SHARDS } from '../../shared/domain/audience.ts';
import { fanoutRoot } from '../../shared/roots/fanout.ts';
import type { DispatchJob } from '../../shared/schemas/dispatch-job.ts';
import type { FanoutJob } from '../../shared/schemas/fanout-job.ts';
import { fanOutPage } from '../../shared/use-cases/fanout.ts';
import { type Client, sandboxWithKey, startTestHerald } from './harness.ts';

/**
 * The fanout on the embedded engines (real stores, real throttle ledger) driven by an injectable
 * clock: the throttle and the 12-hour window are read off the schedule it books, never off wall
 * time. The runtime's own fanout poller is off; this test runs the pages itself.
 */
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;
let sandbox: string;

beforeAll(async () => {
  herald = await startTestHerald({ queues: [] });
  ({ api, sandbox } = await sandboxWithKey(herald, ['admin']));
});
afterAll(async () => {
  await herald?.stop();
});

async function audienceRun(members: number, rate: number) {
  const audience = (await api.post<{ id: string }>('/audiences', { name: `clock-${rate}` })).body.id;
  const lines = Array.from({ length: members }, (_, i) =>
    JSON.stringify({ namespace: 'email', id: `c${rate}-${i}@example.com` }),
  );
  await api.post(`/audiences/${audience}/imports`, { lines: lines.join('\n') });
  for (let i = 0; i < members; i++) {
    await api.put('/profiles', {
      identities: [{ namespace: 'email', id: `c${rate}-${i}@example.com` }],
      consent: { marketing: { email: 'y' } },
    });
  }
  const campaign = await api.post<{ id: string }>('/campaigns', {
    name: 'clock',
    category: 'marketing',
    channel: 'email',
    identityNamespace: 'email',
    audience: { id: audience },
    throttleRatePerSec: rate,
    content: { subject: 's', text: 't' },
  });
  await api.post(`/campaigns/${campaign.body.id}/activate`);
  const run = await api.post<{ executionId: string }>('/im/executions/audience', {
    campaignId: campaign.body.id,
  });
  return run.body.executionId;
}

/** Pages every shard with the given clock, recording when each dispatch job is booked to go. */
async function fanOut(executionId: string, clock: () => number) {
  const deps = fanoutRoot(herald.config, herald.clients);
  const booked: { job: DispatchJob; atMs: number }[] = [];
  const pending: FanoutJob[] = Array.from({ length: MEMBER_SHARDS }, (_, shard) => ({
    kind: 'fanout',
    sandbox,
    executionId,
    shard,
  }));
  const recording = {
    ...deps,
    clock: { now: () => new Date(clock()) },
    dispatch: {
      send: (job: DispatchJob) => deps.dispatch.send(job),
      sendDelayed: async (jobs: readonly { job: DispatchJob; delaySeconds: number }[]) => {
        for (const { job, delaySeconds } of jobs) booked.push({ job, atMs: clock() + delaySeconds * 1000 });
      },
    },
    fanoutQueue: { send: async (jobs: readonly FanoutJob[]) => void pending.push(...jobs) },
  };
  while (pending.length > 0) await fanOutPage(recording, pending.shift() as FanoutJob);
  return booked;
}

describe('the throttle and the window on the embedded engines', () => {
  it('books sends at the campaign rate across every shard (within 5 %)', async () => {
    const executionId = await audienceRun(200, 20);
    let now = Date.now();
    const booked = await fanOut(executionId, () => (now += 5));
    const count = booked.reduce((sum, b) => sum + b.job.recipients.length, 0);
    expect(count).toBe(200);
    const times = booked.map((b) => b.atMs).sort((a, b) => a - b);
    const last = booked.find((b) => b.atMs === times.at(-1))?.job.recipients.length ?? 0;
    const achieved = count / (((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000 + last / 20);
    expect(Math.abs(achieved - 20) / 20).toBeLessThan(0.05);
    // The fan-out is over, the sending is not: every message waits for its booked slot.
    const status = await api.get<{ status: string; delivery: string; pendingMessageCount: number }>(
      `/im/executions/audience/${executionId}`,
    );
    expect(status.body).toMatchObject({
      status: 'Succeeded',
      delivery: 'InProgress',
      pendingMessageCount: 200,
    });
  });

  it('excludes, and counts, the members a run reaches after its 12-hour window', async () => {
    const executionId = await audienceRun(60, 1);
    // The run starts now; the clock says 12 hours less 30 seconds have passed: about 30 fit.
    const late = Date.now() + AUDIENCE_WINDOW_MS - 30_000;
    await fanOut(executionId, () => late);
    const status = await api.get<{
      status: string;
      targetedProfileCount: number;
      counts: { excluded: Record<string, number> };
    }>(`/im/executions/audience/${executionId}`);
    expect(status.body.status).toBe('Succeeded');
    const expired = status.body.counts.excluded['window-expired'] ?? 0;
    expect(expired + status.body.targetedProfileCount).toBe(60);
    expect(expired).toBeGreaterThanOrEqual(20);
    expect(status.body.targetedProfileCount).toBeGreaterThanOrEqual(20);
  });
});
