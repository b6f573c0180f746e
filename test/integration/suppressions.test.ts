import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbSuppressionStore } from '../../shared/store/dynamodb-suppression-store.ts';
import { keys } from '../../shared/store/keys.ts';
import { type Client, emailCampaign, sandboxWithKey, startTestHerald } from './harness.ts';

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;
let sandbox: string;

/** The sandbox provider's simulator bounces this address (and suppresses it). */
const BOUNCED = 'bounce@simulator.amazonses.com';

beforeAll(async () => {
  herald = await startTestHerald();
  ({ api, sandbox } = await sandboxWithKey(herald, ['admin']));
});
afterAll(async () => {
  await herald?.stop();
});

interface Execution {
  recipients: { status: string; statusCode?: string }[];
}

let requests = 0;
async function sendTo(campaignId: string, address: string): Promise<Execution['recipients'][number]> {
  const answer = await api.post<{ executionId: string }>('/im/executions/unitary', {
    requestId: `suppressions-${++requests}`,
    campaignId,
    recipients: [{ type: 'aep', userId: address, namespace: 'email' }],
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const execution = await api.get<Execution>(`/executions/${answer.body.executionId}`);
    const [recipient] = execution.body.recipients;
    if (recipient && recipient.status !== 'queued') return recipient;
    if (Date.now() > deadline) throw new Error(`still queued: ${JSON.stringify(execution.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the suppression list', () => {
  it('shows a bounced address with its reason; taking it off lets the next send through', async () => {
    const created = await api.post<{ id: string }>('/campaigns', {
      ...emailCampaign,
      createNewProfiles: true,
    });
    await api.post(`/campaigns/${created.body.id}/activate`);
    const campaignId = created.body.id;
    expect(await sendTo(campaignId, BOUNCED)).toMatchObject({ status: 'bounce', statusCode: 'hard-bounce' });

    const list = await api.get<{ items: Record<string, unknown>[] }>('/suppressions?channel=email');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      {
        channel: 'email',
        address: BOUNCED,
        code: 'hard-bounce',
        messageId: expect.any(String),
        suppressedAt: expect.any(String),
      },
    ]);
    // Looked up however it is typed: addresses are compared as sends store them.
    const one = await api.get(`/suppressions/email/${encodeURIComponent(BOUNCED.toUpperCase())}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(list.body.items[0]);
    expect((await api.get('/suppressions?channel=sms')).body).toEqual({ items: [] });
    expect(await sendTo(campaignId, BOUNCED)).toMatchObject({
      status: 'exclude',
      statusCode: 'suppressed-address',
    });

    expect((await api.delete(`/suppressions/email/${BOUNCED}`)).status).toBe(204);
    expect((await api.get(`/suppressions/email/${BOUNCED}`)).status).toBe(404);
    expect((await api.get('/suppressions?channel=email')).body).toEqual({ items: [] });
    const again = await api.delete(`/suppressions/email/${BOUNCED}`);
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ type: 'urn:herald:problem:not-found' });
    // Off the list, the address is sent to again (and, being the simulator's, bounces again).
    expect(await sendTo(campaignId, BOUNCED)).toMatchObject({ status: 'bounce', statusCode: 'hard-bounce' });
    expect((await api.get(`/suppressions/email/${BOUNCED}`)).status).toBe(200);
  });

  it('pages through every shard with the cursor: each address once, nothing missing', async () => {
    const { api: own, sandbox: name } = await sandboxWithKey(herald, ['profiles:read']);
    const store = new DynamoDbSuppressionStore(herald.clients.dynamodb, herald.tableName);
    const addresses = Array.from({ length: 37 }, (_, i) => `member${i}@example.com`);
    for (const address of addresses)
      await store.suppress(name, 'email', address, {
        code: 'abuse',
        messageId: `m-${address}`,
        at: '2026-12-03T00:00:00.000Z',
      });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await own.get<{ items: { address: string }[]; nextCursor?: string }>(
        `/suppressions?channel=email&limit=6${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(6);
      seen.push(...page.body.items.map((item) => item.address));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    expect(seen.sort()).toEqual([...addresses].sort());
    expect(pages).toBeGreaterThanOrEqual(7);
    // Another sandbox's list is its own.
    expect(
      (
        await api.get<{ items: { address: string }[] }>('/suppressions?channel=email&limit=100')
      ).body.items.map((i) => i.address),
    ).not.toContain(addresses[0]);
  });

  it('lists, finds and removes a push token longer than a sort key may be', async () => {
    const { api: own, sandbox: name } = await sandboxWithKey(herald, ['profiles:write', 'profiles:read']);
    const store = new DynamoDbSuppressionStore(herald.clients.dynamodb, herald.tableName);
    const token = `tok-${'x'.repeat(2_000)}`;
    await store.suppress(name, 'push', token, {
      code: 'token-unregistered',
      messageId: 'm-1',
      at: '2026-12-03T00:00:00.000Z',
    });
    const list = await own.get<{ items: { address: string }[]; nextCursor?: string }>(
      '/suppressions?channel=push&limit=1',
    );
    expect(list.body.items.map((i) => i.address)).toEqual([token]);
    expect((list.body.nextCursor ?? '').length).toBeLessThan(200);
    expect((await own.get(`/suppressions/push/${encodeURIComponent(token)}`)).status).toBe(200);
    expect((await own.delete(`/suppressions/push/${encodeURIComponent(token)}`)).status).toBe(204);
    expect((await own.get('/suppressions?channel=push')).body).toEqual({ items: [] });
  });

  it('finds and removes a suppression stored before the listing existed (its lookup item only)', async () => {
    const address = 'legacy@example.com';
    await herald.clients.dynamodb.send(
      new PutCommand({
        TableName: herald.tableName,
        Item: {
          ...keys.suppression(sandbox, 'email', address),
          type: 'suppression',
          sandbox,
          channel: 'email',
          address,
          code: 'smtp-550',
          messageId: 'm-legacy',
          at: '2026-11-01T00:00:00.000Z',
        },
      }),
    );
    expect((await api.get(`/suppressions/email/${address}`)).body).toMatchObject({
      address,
      code: 'smtp-550',
      suppressedAt: '2026-11-01T00:00:00.000Z',
    });
    expect((await api.delete(`/suppressions/email/${address}`)).status).toBe(204);
    expect((await api.get(`/suppressions/email/${address}`)).status).toBe(404);
  });

  it('refuses bad input naming the field, and a read-only key cannot remove', async () => {
    const noChannel = await api.get('/suppressions');
    expect(noChannel.status).toBe(400);
    expect(JSON.stringify(noChannel.body)).toContain('query.channel');
    const badCursor = await api.get('/suppressions?channel=email&cursor=bm90LWEtY3Vyc29y');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body).toMatchObject({ fields: [{ path: 'query.cursor' }] });
    const outOfRange = Buffer.from(JSON.stringify({ shard: 99 })).toString('base64url');
    expect((await api.get(`/suppressions?channel=email&cursor=${outOfRange}`)).status).toBe(400);
    const malformed = await api.get('/suppressions/email/not-an-address');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ fields: [{ path: 'path.address' }] });
    expect((await api.get('/suppressions/fax/someone')).status).toBe(400);
    const { api: reader } = await sandboxWithKey(herald, ['profiles:read']);
    expect((await reader.delete(`/suppressions/email/${BOUNCED}`)).status).toBe(403);
  });
});
