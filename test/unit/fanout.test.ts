import { describe, expect, it } from 'vitest';
import type { AudienceExecutionRecord, AudienceExecutionStore } from '../../shared/domain/audience.ts';
import { AUDIENCE_WINDOW_MS, MEMBER_SHARDS } from '../../shared/domain/audience.ts';
import type { MessageRecord } from '../../shared/domain/execution.ts';
import type { ProfileRecord } from '../../shared/domain/profile.ts';
import type { DispatchJob } from '../../shared/schemas/dispatch-job.ts';
import type { FanoutJob } from '../../shared/schemas/fanout-job.ts';
import { FANOUT_PAGE, type FanoutDeps, fanOutPage } from '../../shared/use-cases/fanout.ts';

/**
 * The fanout step with in-memory ports and an injectable clock: throttle accuracy, the 12-hour
 * window and the SQS horizon are checked on the schedule it produces, never on wall time.
 * The real queues and stores run in test/integration/marketing*.test.ts.
 */
function world(memberCount: number, ratePerSec: number, startMs = Date.parse('2030-01-01T00:00:00Z')) {
  let now = startMs;
  const profiles = new Map<string, ProfileRecord>();
  const shards = new Map<number, string[]>();
  for (let i = 0; i < memberCount; i++) {
    const profileId = `p${String(i).padStart(6, '0')}`;
    profiles.set(profileId, {
      sandbox: 'sb',
      profileId,
      identities: [{ namespace: 'email', id: `m${i}@example.com` }],
      attributes: {},
      consent: { marketing: { email: 'y' } },
      dataset: 'profiles',
      revision: 1,
      createdAt: '',
      modifiedAt: '',
    });
    const shard = i % MEMBER_SHARDS;
    shards.set(shard, [...(shards.get(shard) ?? []), profileId]);
  }
  const run: AudienceExecutionRecord = {
    sandbox: 'sb',
    executionId: 'run-1',
    campaignId: 'c1',
    campaignVersion: 1,
    audienceId: 'a1',
    channel: 'email',
    identityNamespace: 'email',
    content: { subject: 's', text: 't' },
    enableWebhooks: false,
    throttleRatePerSec: ratePerSec,
    status: 'InProgress',
    shardsDone: [],
    windowEndsAt: new Date(startMs + AUDIENCE_WINDOW_MS).toISOString(),
    createdAt: new Date(startMs).toISOString(),
    createdBy: 'k',
  };
  let ledger: number | undefined;
  const messages = new Map<string, MessageRecord>();
  const sent: { job: DispatchJob; sendAtMs: number }[] = [];
  const fanoutQueue: { job: FanoutJob; delaySeconds: number }[] = [];
  const done = new Set<number>();
  const audienceExecutions: Partial<AudienceExecutionStore> = {
    get: async () => run,
    nextSlot: async () => ledger,
    reserveSlots: async (_s, _e, count, rate, nowMs) => {
      const start = Math.max(ledger ?? 0, nowMs);
      ledger = start + Math.round((count / rate) * 1000);
      return start;
    },
    shardDone: async (_s, _e, shard) => void done.add(shard),
  };
  const deps: FanoutDeps = {
    audienceExecutions: audienceExecutions as AudienceExecutionStore,
    audiences: {
      membersPage: async (_s, _a, shard, page) => {
        const all = shards.get(shard) ?? [];
        const from = page.cursor ? Number(page.cursor) : 0;
        const next = from + page.limit;
        return {
          profileIds: all.slice(from, next),
          ...(next < all.length ? { nextCursor: String(next) } : {}),
        };
      },
    },
    profiles: {
      getMany: async (_s, ids) =>
        new Map(ids.flatMap((id) => (profiles.has(id) ? [[id, profiles.get(id) as ProfileRecord]] : []))),
    },
    suppressions: { suppressedAmong: async () => new Set<string>(), suppress: async () => {} },
    executions: {
      createMessages: async (list) => {
        const existing = list
          .filter((m) => messages.has(m.messageId))
          .map((m) => messages.get(m.messageId) as MessageRecord);
        for (const m of list) if (!messages.has(m.messageId)) messages.set(m.messageId, m);
        return existing;
      },
    },
    dispatch: {
      send: async () => {},
      sendDelayed: async (jobs) => {
        for (const { job, delaySeconds } of jobs) sent.push({ job, sendAtMs: now + delaySeconds * 1000 });
      },
    },
    fanoutQueue: {
      send: async (jobs, delaySeconds = 0) =>
        void fanoutQueue.push(...jobs.map((job) => ({ job, delaySeconds }))),
    },
    events: { publish: async () => {} },
    clock: { now: () => new Date(now) },
  };
  /** Runs every queued fanout job whose delay has passed, like several workers would. */
  const drain = async (advanceMsPerStep = 0) => {
    for (let shard = 0; shard < MEMBER_SHARDS; shard++)
      fanoutQueue.push({
        job: { kind: 'fanout', sandbox: 'sb', executionId: 'run-1', shard },
        delaySeconds: 0,
      });
    while (fanoutQueue.length > 0) {
      const next = fanoutQueue.shift() as { job: FanoutJob; delaySeconds: number };
      now += Math.max(advanceMsPerStep, next.delaySeconds * 1000);
      await fanOutPage(deps, next.job);
    }
  };
  return { deps, drain, sent, messages, done, run, advance: (ms: number) => (now += ms), fanoutQueue };
}

const achievedRate = (sent: { job: DispatchJob; sendAtMs: number }[], rate: number) => {
  const times = sent.map((s) => s.sendAtMs);
  const messages = sent.reduce((sum, s) => sum + s.job.recipients.length, 0);
  // The last job's messages take their own share of the rate after it starts.
  const lastSize = sent.find((s) => s.sendAtMs === Math.max(...times))?.job.recipients.length ?? 0;
  const spanS = (Math.max(...times) - Math.min(...times)) / 1000 + lastSize / rate;
  return messages / spanS;
};

describe('fanout', () => {
  it.each([50, 500])('holds %i messages/s across all shards and pages within 5 %', async (rate) => {
    const w = world(rate * 20, rate);
    await w.drain(10);
    const queued = w.sent.reduce((sum, s) => sum + s.job.recipients.length, 0);
    expect(queued).toBe(rate * 20);
    const achieved = achievedRate(w.sent, rate);
    expect(Math.abs(achieved - rate) / rate).toBeLessThan(0.05);
    expect(w.done.size).toBe(MEMBER_SHARDS);
  });

  it('pages every shard to its end, one message per member, even when a page is replayed', async () => {
    const w = world(FANOUT_PAGE * MEMBER_SHARDS + 37, 2000);
    await w.drain();
    const replay: FanoutJob = { kind: 'fanout', sandbox: 'sb', executionId: 'run-1', shard: 3 };
    await fanOutPage(w.deps, replay);
    expect(w.messages.size).toBe(FANOUT_PAGE * MEMBER_SHARDS + 37);
    // The replayed page queues its (still queued) messages again; dispatch skips sent ones.
    const ids = w.sent.flatMap((s) => s.job.recipients.map((r) => r.messageId));
    expect(new Set(ids).size).toBe(w.messages.size);
  });

  it('excludes members whose send slot falls after the 12-hour window, and counts them', async () => {
    // At 1 message/s with 500 s of the window left, about 500 of the 1,000 members fit.
    const w = world(1_000, 1);
    w.advance(AUDIENCE_WINDOW_MS - 500 * 1000);
    await w.drain();
    const statuses = [...w.messages.values()];
    const expired = statuses.filter((m) => m.statusCode === 'window-expired');
    const queued = statuses.filter((m) => m.status === 'queued');
    expect(queued.length + expired.length).toBe(1_000);
    expect(expired.length).toBeGreaterThan(0);
    expect(queued.length).toBeGreaterThan(400);
    expect(queued.length).toBeLessThanOrEqual(520);
  });

  it('waits instead of booking slots beyond SQS’s 15-minute delay horizon', async () => {
    const w = world(40, 1);
    await fanOutPage(w.deps, { kind: 'fanout', sandbox: 'sb', executionId: 'run-1', shard: 0 });
    // Shard 0's 3 members booked 3 s; now book far ahead so the next page must wait.
    await w.deps.audienceExecutions.reserveSlots('sb', 'run-1', 3_600, 1, Date.parse('2030-01-01T00:00:00Z'));
    const before = w.messages.size;
    await fanOutPage(w.deps, { kind: 'fanout', sandbox: 'sb', executionId: 'run-1', shard: 1 });
    expect(w.messages.size).toBe(before);
    expect(w.fanoutQueue.at(-1)).toEqual({
      job: { kind: 'fanout', sandbox: 'sb', executionId: 'run-1', shard: 1 },
      delaySeconds: 900,
    });
  });
});
