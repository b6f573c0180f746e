import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../shared/domain/webhook.ts';
import type { AttemptView } from '../../shared/schemas/webhook.ts';
import { DynamoDbDeliveryStore } from '../../shared/store/dynamodb-delivery-store.ts';
import { keys, WEBHOOK_LOG_SHARDS } from '../../shared/store/keys.ts';
import { shardOf } from '../../shared/store/sharded-listing.ts';
import { type Client, sandboxWithKey, startTestHerald } from './harness.ts';

/**
 * A webhook's attempt log and failed list spread over WEBHOOK_LOG_SHARDS partitions (ADR 0022),
 * written through the delivery store into the real embedded DynamoDB and read back through the
 * API: newest first, page by page through the cursor, nothing missing or repeated.
 */
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;
let sandbox: string;
let webhookId: string;
let store: DynamoDbDeliveryStore;

beforeAll(async () => {
  herald = await startTestHerald();
  ({ api, sandbox } = await sandboxWithKey(herald, ['admin']));
  const created = await api.post<{ id: string }>('/webhooks', {
    name: 'sharded',
    url: 'http://127.0.0.1:9/never-called',
    channels: ['email'],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  webhookId = created.body.id;
  store = new DynamoDbDeliveryStore(herald.clients.dynamodb, herald.tableName);
});
afterAll(async () => {
  await herald?.stop();
});

const base = Date.parse('2026-12-03T10:00:00.000Z');
const iso = (ms: number) => new Date(base + ms).toISOString();
const record = (eventId: string, createdAt: string): DeliveryRecord => ({
  sandbox,
  webhookId,
  eventId,
  channel: 'email',
  payload: '{}',
  state: 'pending',
  attempts: 0,
  createdAt,
});
const attempt = (eventId: string, n: number, at: string, delivered: boolean): AttemptView => ({
  eventId,
  attempt: n,
  at,
  outcome: delivered ? 'delivered' : 'failed',
  durationMs: 3,
  ...(delivered ? { statusCode: 204 } : { statusCode: 500, error: 'receiver answered 500' }),
});
const skOf = (a: Pick<AttemptView, 'at' | 'eventId' | 'attempt'>) => `${a.at}#${a.eventId}#${a.attempt}`;

type Page = { items: AttemptView[]; nextCursor?: string };

async function readAll(limit: number): Promise<{ items: AttemptView[]; pages: number }> {
  const items: AttemptView[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const query = `limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const page = await api.get<Page>(`/webhooks/${webhookId}/attempts?${query}`);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
    pages += 1;
  } while (cursor && pages < 200);
  return { items, pages };
}

describe('a sharded attempt log', () => {
  const written: AttemptView[] = [];
  const failedIds: string[] = [];

  beforeAll(async () => {
    // 150 events, one to three attempts each; several events share an instant, so the order
    // between shards rests on the whole sort key, not the time alone.
    const events = Array.from(
      { length: 150 },
      (_, i) => `0193a5e0-0000-7000-8000-${String(i).padStart(12, '0')}`,
    );
    await Promise.all(
      events.map(async (eventId, i) => {
        let current = record(eventId, iso(Math.floor(i / 3)));
        await store.create(current);
        const tries = (i % 3) + 1;
        for (let n = 1; n <= tries; n++) {
          const last = n === tries;
          // Every fifth event exhausts its retries; the others end delivered.
          const state = last ? (i % 5 === 0 ? 'failed' : 'delivered') : 'pending';
          const a = attempt(eventId, n, iso(Math.floor(i / 3) + n * 1000), state === 'delivered');
          await store.recordAttempt(current, a, state);
          written.push(a);
          current = { ...current, state, attempts: n, lastAttemptAt: a.at };
        }
        if (i % 5 === 0) failedIds.push(eventId);
      }),
    );
    // One attempt left in the partition the log had before it was sharded: still listed.
    const legacy = attempt('0193a5e0-0000-7000-8000-legacy000000', 1, iso(-60_000), true);
    await herald.clients.dynamodb.send(
      new PutCommand({
        TableName: herald.tableName,
        Item: {
          pk: keys.unshardedAttempts(sandbox, webhookId).pk,
          sk: skOf(legacy),
          type: 'attempt',
          ...legacy,
        },
      }),
    );
    written.push(legacy);
  });

  it("spreads its items over the shards by event, an event's attempts together", async () => {
    const shards = new Set(written.slice(0, -1).map((a) => shardOf(a.eventId, WEBHOOK_LOG_SHARDS)));
    expect(shards.size).toBeGreaterThan(100);
    const sample = written[0];
    if (!sample) throw new Error('nothing written');
    const stored = await herald.clients.dynamodb.send(
      new QueryCommand({
        TableName: herald.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: {
          ':pk': keys.attempts(sandbox, webhookId, shardOf(sample.eventId, WEBHOOK_LOG_SHARDS)).pk,
        },
      }),
    );
    const mine = (stored.Items ?? []).filter((item) => item.eventId === sample.eventId);
    expect(mine.length).toBe(written.filter((a) => a.eventId === sample.eventId).length);
  });

  it.each([25, 100])(
    'reads back newest first through the cursor, %i a page, nothing missing or repeated',
    async (limit) => {
      const { items, pages } = await readAll(limit);
      const expected = written.map(skOf).sort().reverse();
      expect(items.map(skOf)).toEqual(expected);
      expect(new Set(items.map(skOf)).size).toBe(items.length);
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(expected.length / limit));
      expect(items[0]).toEqual(written.find((a) => skOf(a) === expected[0]));
    },
  );

  it('lists the failed deliveries of every shard for recovery, and forgets one that a resend delivered', async () => {
    const since = iso(-1);
    const until = iso(10_000);
    const failed = await store.listFailed(sandbox, webhookId, since, until);
    expect([...failed].sort()).toEqual([...failedIds].sort());
    const resent = failedIds[0] ?? '';
    const stored = await store.get(sandbox, webhookId, resent);
    if (!stored) throw new Error('no delivery record');
    await store.recordAttempt(stored, attempt(resent, stored.attempts + 1, iso(20_000), true), 'delivered');
    expect(await store.listFailed(sandbox, webhookId, since, until)).not.toContain(resent);
    expect(await store.listFailed(sandbox, webhookId, since, until)).toHaveLength(failedIds.length - 1);
  });

  it.each([
    ['garbage', 'not-a-cursor'],
    [
      'a cursor of a plain listing',
      Buffer.from(JSON.stringify({ pk: 'SB#x', sk: 'y' })).toString('base64url'),
    ],
  ])('refuses %s with a 400 naming query.cursor', async (_, cursor) => {
    const answer = await api.get<{ type: string; fields: { path: string }[] }>(
      `/webhooks/${webhookId}/attempts?cursor=${cursor}`,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.fields.map((f) => f.path)).toEqual(['query.cursor']);
  });

  it("refuses another webhook's cursor", async () => {
    const other = await api.post<{ id: string }>('/webhooks', {
      name: 'other',
      url: 'http://127.0.0.1:9/never-called',
      channels: ['email'],
    });
    const page = await api.get<Page>(`/webhooks/${webhookId}/attempts?limit=5`);
    const answer = await api.get<{ fields: { path: string }[] }>(
      `/webhooks/${other.body.id}/attempts?cursor=${page.body.nextCursor ?? ''}`,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.fields.map((f) => f.path)).toEqual(['query.cursor']);
  });
});
