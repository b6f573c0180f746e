import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { InitializeMiddleware } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../shared/domain/webhook.ts';
import type { AttemptView } from '../../shared/schemas/webhook.ts';
import { DynamoDbDeliveryStore } from '../../shared/store/dynamodb-delivery-store.ts';
import { keys, LEGACY_WEBHOOK_LOG_SHARDS, WEBHOOK_LOG_SHARDS } from '../../shared/store/keys.ts';
import { shardOf } from '../../shared/store/sharded-listing.ts';
import { type Client, sandboxWithKey, startTestHerald } from './harness.ts';

/**
 * A webhook's attempt log and failed list spread over its `logShards` partitions (ADR 0022, 0033),
 * written through the delivery store into the real embedded DynamoDB and read back through the
 * API: newest first, page by page through the cursor, nothing missing or repeated — for a webhook
 * created now (WEBHOOK_LOG_SHARDS) and for one created before ADR 0033 (no `logShards`: the 512
 * shards and the unsharded partition before them, still written and read as they were).
 */
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;
let sandbox: string;
let store: DynamoDbDeliveryStore;
/** The partitions queried since the last reset (the handlers share this client). */
const queried: string[] = [];

beforeAll(async () => {
  herald = await startTestHerald();
  ({ api, sandbox } = await sandboxWithKey(herald, ['admin']));
  store = new DynamoDbDeliveryStore(herald.clients.dynamodb, herald.tableName);
  const counter =
    <Input extends object, Output extends object>(): InitializeMiddleware<Input, Output> =>
    (next, context) =>
    async (args) => {
      const input = args.input as { ExpressionAttributeValues?: Record<string, unknown> };
      if (context.commandName === 'QueryCommand')
        queried.push(String(input.ExpressionAttributeValues?.[':pk']));
      return next(args);
    };
  herald.clients.dynamodb.middlewareStack.add(counter(), {
    name: 'sharded-log-queries',
    step: 'initialize',
    override: true,
  });
});
afterAll(async () => {
  await herald?.stop();
});

async function createWebhook(name: string): Promise<string> {
  const created = await api.post<{ id: string }>('/webhooks', {
    name,
    url: 'http://127.0.0.1:9/never-called',
    channels: ['email'],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

const base = Date.parse('2026-12-03T10:00:00.000Z');
const iso = (ms: number) => new Date(base + ms).toISOString();
const LAYOUTS = [
  { name: 'a webhook created now', logShards: WEBHOOK_LOG_SHARDS as number | undefined },
  {
    name: 'a webhook created before ADR 0033 (512 shards and the unsharded partition)',
    logShards: undefined,
  },
];
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

async function readAll(webhookId: string, limit: number): Promise<{ items: AttemptView[]; pages: number }> {
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

describe.each(LAYOUTS)('the sharded attempt log of $name', ({ logShards }) => {
  const written: AttemptView[] = [];
  const failedIds: string[] = [];
  const count = logShards ?? LEGACY_WEBHOOK_LOG_SHARDS;
  let webhookId = '';
  const webhook = () => ({ sandbox, id: webhookId, ...(logShards !== undefined ? { logShards } : {}) });
  const record = (eventId: string, createdAt: string): DeliveryRecord => ({
    sandbox,
    webhookId,
    eventId,
    channel: 'email',
    payload: '{}',
    state: 'pending',
    attempts: 0,
    createdAt,
    ...(logShards !== undefined ? { logShards } : {}),
  });

  beforeAll(async () => {
    webhookId = await createWebhook('sharded');
    if (logShards === undefined) {
      // As an older version stored it: no layout on the webhook.
      await herald.clients.dynamodb.send(
        new UpdateCommand({
          TableName: herald.tableName,
          Key: keys.webhook(sandbox, webhookId),
          UpdateExpression: 'REMOVE logShards',
        }),
      );
    } else {
      const { body } = await api.get<{ id: string }>(`/webhooks/${webhookId}`);
      expect(body.id).toBe(webhookId);
    }
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
    if (logShards !== undefined) return;
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
    const sharded = logShards === undefined ? written.slice(0, -1) : written;
    const shards = new Set(sharded.map((a) => shardOf(a.eventId, count)));
    // 150 events: over 512 shards ~130 of them, over 32 every one.
    expect(shards.size).toBeGreaterThan(logShards === undefined ? 100 : 28);
    const sample = written[0];
    if (!sample) throw new Error('nothing written');
    const stored = await herald.clients.dynamodb.send(
      new QueryCommand({
        TableName: herald.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: {
          ':pk': keys.attempts(sandbox, webhookId, shardOf(sample.eventId, count)).pk,
        },
      }),
    );
    const mine = (stored.Items ?? []).filter((item) => item.eventId === sample.eventId);
    expect(mine.length).toBe(written.filter((a) => a.eventId === sample.eventId).length);
  });

  it.each([25, 100])(
    'reads back newest first through the cursor, %i a page, nothing missing or repeated',
    async (limit) => {
      const { items, pages } = await readAll(webhookId, limit);
      const expected = written.map(skOf).sort().reverse();
      expect(items.map(skOf)).toEqual(expected);
      expect(new Set(items.map(skOf)).size).toBe(items.length);
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(expected.length / limit));
      expect(items[0]).toEqual(written.find((a) => skOf(a) === expected[0]));
    },
  );

  it("queries its layout's partitions for a first page, and no others", async () => {
    queried.length = 0;
    const page = await api.get<Page>(`/webhooks/${webhookId}/attempts?limit=25`);
    expect(page.body.items).toHaveLength(25);
    const partitions = new Set(queried);
    expect(partitions.size).toBe(
      logShards === undefined ? LEGACY_WEBHOOK_LOG_SHARDS + 1 : WEBHOOK_LOG_SHARDS,
    );
    if (logShards === undefined) expect(partitions).toContain(keys.unshardedAttempts(sandbox, webhookId).pk);
  });

  it('lists the failed deliveries of every shard for recovery, and forgets one that a resend delivered', async () => {
    const since = iso(-1);
    const until = iso(10_000);
    const failed = await store.listFailed(webhook(), since, until);
    expect([...failed].sort()).toEqual([...failedIds].sort());
    const resent = failedIds[0] ?? '';
    const stored = await store.get(sandbox, webhookId, resent);
    if (!stored) throw new Error('no delivery record');
    await store.recordAttempt(stored, attempt(resent, stored.attempts + 1, iso(20_000), true), 'delivered');
    expect(await store.listFailed(webhook(), since, until)).not.toContain(resent);
    expect(await store.listFailed(webhook(), since, until)).toHaveLength(failedIds.length - 1);
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
    const other = await createWebhook('other');
    const page = await api.get<Page>(`/webhooks/${webhookId}/attempts?limit=5`);
    const answer = await api.get<{ fields: { path: string }[] }>(
      `/webhooks/${other}/attempts?cursor=${page.body.nextCursor ?? ''}`,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.fields.map((f) => f.path)).toEqual(['query.cursor']);
  });
});
