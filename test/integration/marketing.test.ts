import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, sandboxWithKey, startTestHerald } from './harness.ts';
import { waitFor } from './receiver.ts';

type Status = {
  status: string;
  delivery: string;
  pendingMessageCount: number;
  targetedProfileCount: number;
  audienceId: string;
  counts: {
    queued: number;
    sent: number;
    delivered: number;
    bounce: number;
    excluded: Record<string, number>;
  };
};

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;

beforeAll(async () => {
  herald = await startTestHerald();
  ({ api } = await sandboxWithKey(herald, ['admin']));
});
afterAll(async () => {
  await herald?.stop();
});

const yes = { marketing: { email: 'y' } };

async function marketingCampaign(audienceId: string, extra: Record<string, unknown> = {}) {
  const campaign = await api.post<{ id: string }>('/campaigns', {
    name: 'Flash sale',
    category: 'marketing',
    channel: 'email',
    identityNamespace: 'email',
    audience: { id: audienceId },
    throttleRatePerSec: 50,
    content: { subject: 'Sale, {{profile.firstName}}!', html: '<p>{{context.code}}</p>' },
    ...extra,
  });
  expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);
  expect((await api.post(`/campaigns/${campaign.body.id}/activate`)).status).toBe(200);
  return campaign.body.id;
}

async function finished(executionId: string): Promise<Status> {
  let last: Status | undefined;
  await waitFor(async () => {
    last = (await api.get<Status>(`/im/executions/audience/${executionId}`)).body;
    return last.delivery === 'Finished' && last.counts.sent === 0;
  }, 'the run to finish');
  expect(last).toMatchObject({ status: 'Succeeded', pendingMessageCount: 0 });
  expect(last?.counts).toMatchObject({ queued: 0, delay: 0 });
  return last as Status;
}

describe('sending a marketing campaign to an audience', () => {
  it('sends to consenting members once each and excludes the rest with a reason', async () => {
    const audience = (await api.post<{ id: string }>('/audiences', { name: 'Customers' })).body.id;
    await api.put('/profiles', {
      identities: [
        { namespace: 'email', id: 'ann@example.com' },
        { namespace: 'phone', id: '+14155550101' },
      ],
      attributes: { firstName: 'Ann' },
      consent: yes,
      audiences: [audience],
    });
    await api.put('/profiles', {
      identities: [{ namespace: 'phone', id: '+14155550102' }],
      consent: yes,
      audiences: [audience],
    });
    await api.put('/profiles', {
      identities: [{ namespace: 'email', id: 'no@example.com' }],
      consent: { marketing: { email: 'n' } },
      audiences: [audience],
    });
    await api.put('/profiles', {
      identities: [{ namespace: 'email', id: 'silent@example.com' }],
      audiences: [audience],
    });
    await api.put('/profiles', {
      identities: [{ namespace: 'email', id: 'bounce@simulator.amazonses.com' }],
      consent: yes,
      audiences: [audience],
    });
    // Ann again, by her phone: still one member.
    await api.post(`/audiences/${audience}/members`, {
      identities: [{ namespace: 'phone', id: '+14155550101' }],
    });
    expect((await api.get<{ memberCount: number }>(`/audiences/${audience}`)).body.memberCount).toBe(5);

    const campaignId = await marketingCampaign(audience);
    const first = await api.post<{ executionId: string; status: string; audienceId: string }>(
      '/im/executions/audience',
      {
        campaignId,
        requestId: 'sale-1',
        context: { code: 'SALE10' },
      },
    );
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: 'InProgress', audienceId: audience });
    const run = await finished(first.body.executionId);
    expect(run.targetedProfileCount).toBe(2);
    expect(run.counts).toMatchObject({ delivered: 1, bounce: 1 });
    expect(run.counts.excluded).toEqual({ 'missing-identity': 1, 'no-consent': 2 });

    // The bounce put the address on the suppression list: the next run excludes it as denylisted.
    const second = await api.post<{ executionId: string }>('/im/executions/audience', {
      campaignId,
      requestId: 'sale-2',
    });
    const again = await finished(second.body.executionId);
    expect(again.counts).toMatchObject({ delivered: 1, bounce: 0 });
    expect(again.counts.excluded).toEqual({ 'missing-identity': 1, 'no-consent': 2, denylist: 1 });
  });

  it('is idempotent on requestId', async () => {
    const audience = (await api.post<{ id: string }>('/audiences', { name: 'Once' })).body.id;
    await api.put('/profiles', {
      identities: [{ namespace: 'email', id: 'once@example.com' }],
      consent: yes,
      audiences: [audience],
    });
    const campaignId = await marketingCampaign(audience);
    const first = await api.post<{ executionId: string }>('/im/executions/audience', {
      campaignId,
      requestId: 'same',
    });
    const repeat = await api.post<{ executionId: string }>('/im/executions/audience', {
      campaignId,
      requestId: 'same',
    });
    expect(repeat.body.executionId).toBe(first.body.executionId);
    const other = await api.post('/im/executions/audience', {
      campaignId,
      requestId: 'same',
      context: { x: 1 },
    });
    expect(other.status).toBe(422);
    expect((await finished(first.body.executionId)).counts.delivered).toBe(1);
  });

  it('refuses transactional campaigns, other audiences, reserved context and unknown runs', async () => {
    const audience = (await api.post<{ id: string }>('/audiences', { name: 'A' })).body.id;
    const other = (await api.post<{ id: string }>('/audiences', { name: 'B' })).body.id;
    const campaignId = await marketingCampaign(audience);
    const transactional = await api.post<{ id: string }>('/campaigns', {
      name: 't',
      category: 'transactional',
      channel: 'email',
      identityNamespace: 'email',
      content: { subject: 's', text: 't' },
    });
    await api.post(`/campaigns/${transactional.body.id}/activate`);
    const cases: [Record<string, unknown>, number, string][] = [
      [{ campaignId: transactional.body.id }, 409, 'campaign-not-marketing'],
      [{ campaignId, audience: { id: other } }, 400, 'audience-not-allowed'],
      [{ campaignId, context: { system: 1 } }, 400, 'reserved-context'],
      [{ campaignId, context: { big: 'x'.repeat(210_000) } }, 413, 'context-too-large'],
      [{ campaignId: '01a20708-a928-7d86-8254-5a5c8f38d212' }, 404, 'campaign-not-found'],
    ];
    for (const [body, status, type] of cases) {
      const answer = await api.post('/im/executions/audience', body);
      expect(answer.status, type).toBe(status);
      expect(answer.body.type).toBe(`urn:herald:problem:${type}`);
    }
    expect((await api.get('/im/executions/audience/01a20708-a928-7d86-8254-5a5c8f38d212')).status).toBe(404);
  });

  it('runs a scheduled execution when the scheduler finds it due, and never a cancelled one', async () => {
    const audience = (await api.post<{ id: string }>('/audiences', { name: 'Later' })).body.id;
    await api.put('/profiles', {
      identities: [{ namespace: 'email', id: 'later@example.com' }],
      consent: yes,
      audiences: [audience],
    });
    const campaignId = await marketingCampaign(audience);
    const executeAt = new Date(Date.now() + 1_500).toISOString();
    type Schedule = { scheduleId: string; scheduleStatus: string; executeAt: string; executionId?: string };
    const kept = await api.post<Schedule>('/im/executions/audience', {
      campaignId,
      requestId: 'later-1',
      schedule: { executeAt },
    });
    expect(kept.status).toBe(202);
    expect(kept.body).toMatchObject({ scheduleStatus: 'Scheduled', executeAt, audience: { id: audience } });
    const dropped = await api.post<Schedule>('/im/executions/audience', {
      campaignId,
      requestId: 'later-2',
      schedule: { executeAt },
    });
    const cancelled = await api.delete<Schedule>(`/im/executions/schedules/${dropped.body.scheduleId}`);
    expect(cancelled.body.scheduleStatus).toBe('Cancelled');
    expect((await api.delete(`/im/executions/schedules/${dropped.body.scheduleId}`)).status).toBe(409);

    await herald.runScheduler();
    expect(
      (await api.get<Schedule>(`/im/executions/schedules/${kept.body.scheduleId}`)).body.scheduleStatus,
    ).toBe('Scheduled');
    await new Promise((resolve) => setTimeout(resolve, Date.parse(executeAt) - Date.now() + 50));
    await herald.runScheduler();
    const triggered = await api.get<Schedule>(`/im/executions/schedules/${kept.body.scheduleId}`);
    expect(triggered.body.scheduleStatus).toBe('Triggered');
    expect((await finished(triggered.body.executionId ?? '')).counts.delivered).toBe(1);
    expect(
      (await api.get<Schedule>(`/im/executions/schedules/${dropped.body.scheduleId}`)).body,
    ).toMatchObject({
      scheduleStatus: 'Cancelled',
    });
    expect(
      (await api.get<Schedule>(`/im/executions/schedules/${dropped.body.scheduleId}`)).body.executionId,
    ).toBeUndefined();
    // The sandbox's schedules, newest first, a page at a time, with their current status.
    const listed: Schedule[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.get<{ items: Schedule[]; nextCursor?: string }>(
        `/im/executions/schedules?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      listed.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    const ours = listed.filter((s) => [kept.body.scheduleId, dropped.body.scheduleId].includes(s.scheduleId));
    expect(ours.map((s) => [s.scheduleId, s.scheduleStatus])).toEqual([
      [dropped.body.scheduleId, 'Cancelled'],
      [kept.body.scheduleId, 'Triggered'],
    ]);
    const past = await api.post('/im/executions/audience', {
      campaignId,
      schedule: { executeAt: '2020-01-01T00:00:00Z' },
    });
    expect(past.status).toBe(400);
  });
});
