import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXECUTION_LOG_SHARDS, executionLogShard } from '../../shared/domain/execution-log.ts';
import { type Client, emailCampaign, sandboxWithKey, startTestHerald } from './harness.ts';
import { waitFor } from './receiver.ts';

/**
 * `GET /executions` over the real engines: every kind of execution (unitary, high-throughput,
 * audience run) is in its sandbox's log, newest first, a page at a time across the log's shards,
 * filtered by campaign, kind and date; a cursor is checked, and no sandbox sees another's.
 */
interface Summary {
  executionId: string;
  kind: string;
  campaignId: string;
  requestId?: string;
  audienceId?: string;
  createdAt: string;
}
interface Page {
  items: Summary[];
  nextCursor?: string;
}

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;
let transactional: string;
let highThroughput: string;
let marketing: string;
let audienceId: string;
const triggered: { executionId: string; kind: string }[] = [];

async function live(body: Record<string, unknown>): Promise<string> {
  const created = await api.post<{ id: string }>('/campaigns', body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect((await api.post(`/campaigns/${created.body.id}/activate`)).status).toBe(200);
  return created.body.id;
}

beforeAll(async () => {
  herald = await startTestHerald({}, { HERALD_CAMPAIGN_CACHE_SECONDS: '0' });
  ({ api } = await sandboxWithKey(herald, ['admin']));
  transactional = await live({ ...emailCampaign, createNewProfiles: true });
  highThroughput = await live({
    ...emailCampaign,
    name: 'Code',
    highThroughput: true,
    content: { subject: 'Code {{context.code}}', text: '{{context.code}}' },
  });
  audienceId = (await api.post<{ id: string }>('/audiences', { name: 'All' })).body.id;
  await api.put('/profiles', {
    identities: [{ namespace: 'email', id: 'ann@example.com' }],
    consent: { marketing: { email: 'y' } },
    audiences: [audienceId],
  });
  marketing = await live({
    ...emailCampaign,
    name: 'Sale',
    category: 'marketing',
    audience: { id: audienceId },
    content: { subject: 'Sale', text: 'Now.' },
  });
  for (let n = 0; n < 3; n++) {
    const answer = await api.post<{ executionId: string }>('/im/executions/unitary', {
      requestId: `unitary-${n}`,
      campaignId: transactional,
      recipients: [{ type: 'aep', userId: `u${n}@example.com`, namespace: 'email' }],
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    triggered.push({ executionId: answer.body.executionId, kind: 'unitary' });
  }
  const ht = await api.post<{ executionId: string }>('/im/executions/highthroughput', {
    requestId: 'ht-0',
    campaignId: highThroughput,
    recipients: [
      {
        type: 'external',
        userId: 'x@example.com',
        channelData: { emailAddress: 'x@example.com' },
        context: { code: '1' },
      },
    ],
  });
  expect(ht.status, JSON.stringify(ht.body)).toBe(202);
  triggered.push({ executionId: ht.body.executionId, kind: 'high-throughput' });
  const run = await api.post<{ executionId: string }>('/im/executions/audience', {
    campaignId: marketing,
    requestId: 'run-0',
  });
  expect(run.status, JSON.stringify(run.body)).toBe(202);
  triggered.push({ executionId: run.body.executionId, kind: 'audience' });
  // The dispatcher writes a high-throughput execution (and its log entry) once it takes the job.
  await waitFor(
    async () => (await api.get<Page>('/executions?limit=100')).body.items.length === triggered.length,
    'every execution in the log',
  );
});
afterAll(async () => {
  await herald?.stop();
});

describe('GET /executions', () => {
  it('lists every kind of execution, newest first, with its campaign and request', async () => {
    const answer = await api.get<Page>('/executions');
    expect(answer.status).toBe(200);
    const { items } = answer.body;
    expect(items.map((i) => ({ executionId: i.executionId, kind: i.kind })).sort(byId)).toEqual(
      [...triggered].sort(byId),
    );
    const times = items.map((i) => i.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(items.find((i) => i.kind === 'audience')).toMatchObject({
      campaignId: marketing,
      audienceId,
      requestId: 'run-0',
    });
    expect(items.find((i) => i.kind === 'high-throughput')).toMatchObject({ campaignId: highThroughput });
    expect(answer.body.nextCursor).toBeUndefined();
  });

  it('pages through the shards with a cursor: every execution once, in order', async () => {
    const all = (await api.get<Page>('/executions')).body.items.map((i) => i.executionId);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.get<Page>(`/executions?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((i) => i.executionId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });

  it('filters by campaign, kind and date', async () => {
    const byCampaign = await api.get<Page>(`/executions?campaignId=${transactional}`);
    expect(byCampaign.body.items.map((i) => i.kind)).toEqual(['unitary', 'unitary', 'unitary']);
    const oneOfThem = await api.get<Page>(`/executions?campaignId=${transactional}&limit=1`);
    expect(oneOfThem.body.items).toHaveLength(1);
    expect(oneOfThem.body.nextCursor).toBeDefined();
    const runs = await api.get<Page>('/executions?kind=audience');
    expect(runs.body.items.map((i) => i.executionId)).toEqual([triggered.at(-1)?.executionId]);
    const future = await api.get<Page>(`/executions?since=${new Date(Date.now() + 3_600_000).toISOString()}`);
    expect(future.body.items).toEqual([]);
    const past = await api.get<Page>('/executions?since=2020-01-01T00:00:00Z');
    expect(past.body.items).toHaveLength(triggered.length);
    // A date and a cursor together: the cursor's own entry is not read again.
    const first = await api.get<Page>('/executions?since=2020-01-01T00:00:00Z&limit=3');
    const second = await api.get<Page>(
      `/executions?since=2020-01-01T00:00:00Z&limit=3&cursor=${first.body.nextCursor}`,
    );
    expect([...first.body.items, ...second.body.items].map((i) => i.executionId)).toEqual(
      past.body.items.map((i) => i.executionId),
    );
  });

  it('refuses a cursor it did not give and a kind it does not know, naming the field', async () => {
    const forged = await api.get<{ fields: { path: string }[] }>(
      `/executions?cursor=${Buffer.from('SB#other#EXECLOG#0').toString('base64url')}`,
    );
    expect(forged.status).toBe(400);
    expect(forged.body.fields.map((f) => f.path)).toEqual(['query.cursor']);
    const kind = await api.get<{ fields: { path: string }[] }>('/executions?kind=bulk');
    expect(kind.status).toBe(400);
    expect(kind.body.fields.map((f) => f.path)).toEqual(['query.kind']);
  });

  it('shows a sandbox only its own executions, and asks for executions:read', async () => {
    const other = await sandboxWithKey(herald, ['admin']);
    expect((await other.api.get<Page>('/executions')).body.items).toEqual([]);
    const writer = await sandboxWithKey(herald, ['executions:write']);
    expect((await writer.api.get('/executions')).status).toBe(403);
  });

  it('spreads a sandbox over the shards by the id', () => {
    const shards = new Set(triggered.map((t) => executionLogShard(t.executionId)));
    for (const shard of shards) expect(shard).toBeLessThan(EXECUTION_LOG_SHARDS);
    expect(executionLogShard('01a23bea-654e-7b3c-be7a-53d8842b72af')).toBe(15);
  });
});

const byId = (a: { executionId: string }, b: { executionId: string }) =>
  a.executionId.localeCompare(b.executionId);
