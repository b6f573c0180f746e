import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowlist } from '../../shared/domain/address-policy.ts';
import { DynamoDbWebhookStore } from '../../shared/store/dynamodb-webhook-store.ts';
import { createWebhookSender } from '../../shared/webhooks/http-sender.ts';
import { emailCampaign, sandboxWithKey, startTestHerald } from './harness.ts';
import { ATTEMPT_LOG_POLL_MS, startReceiver, waitFor } from './receiver.ts';

type Problem = { type: string; status: number; fields: { path: string; message: string }[] };
type Attempt = { eventId: string; outcome: string; error?: string; nextAttemptAt?: string };

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  // Two attempts a second apart, so a delivery runs its whole schedule within the test.
  herald = await startTestHerald(
    {},
    { HERALD_WEBHOOK_RETRY_SCHEDULE: '0,1', HERALD_WEBHOOK_TIMEOUT_MS: '1000' },
  );
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.stop();
  await herald?.stop();
});

describe('webhook headers and credentials the HTTP stack cannot carry', () => {
  it.each([
    ['a header value outside Latin-1', { headers: { 'X-Foo': 'price in €' } }, 'body.headers.X-Foo'],
    ['a header value in Latin-1 but not ASCII', { headers: { 'X-Foo': 'café' } }, 'body.headers.X-Foo'],
    ['a header value with a control character', { headers: { 'X-Foo': 'a\u0007b' } }, 'body.headers.X-Foo'],
    ['a header value with DEL', { headers: { 'X-Foo': 'a\u007fb' } }, 'body.headers.X-Foo'],
    ['a header value with a C1 control', { headers: { 'X-Foo': 'a\u0085b' } }, 'body.headers.X-Foo'],
    [
      'a header value with a line break',
      { headers: { 'X-Foo': 'a\r\nX-Injected: 1' } },
      'body.headers.X-Foo',
    ],
    ['a header name with a space', { headers: { 'X Foo': 'a' } }, 'body.headers.X Foo'],
    ['a header name outside ASCII', { headers: { 'X-Föo': 'a' } }, 'body.headers.X-Föo'],
    ['a header name with a separator', { headers: { 'X-Foo:': 'a' } }, 'body.headers.X-Foo:'],
    ['a bearer token outside Latin-1', { auth: { type: 'bearer', token: 'tøken→' } }, 'body.auth.token'],
    ['a bearer token with NUL', { auth: { type: 'bearer', token: 'abc\u0000' } }, 'body.auth.token'],
    [
      'a basic username with a control character',
      { auth: { type: 'basic', username: 'ann\u0001', password: 'pw' } },
      'body.auth.username',
    ],
    [
      'a basic password with a control character',
      { auth: { type: 'basic', username: 'ann', password: 'pw\u009b' } },
      'body.auth.password',
    ],
  ])('refuses %s on POST and PATCH, naming the field', async (_what, change, path) => {
    const { api } = await sandboxWithKey(herald, ['webhooks:admin']);
    const url = receiver.url('/hook');
    const created = await api.post<Problem>('/webhooks', { name: 'bad', url, ...change });
    expect(created.status).toBe(400);
    expect(created.headers.get('content-type')).toContain('application/problem+json');
    expect(created.body.type).toBe('urn:herald:problem:validation');
    expect(created.body.fields.map((f) => f.path)).toContain(path);
    expect((await api.get<{ items: unknown[] }>('/webhooks')).body.items).toEqual([]);

    const good = await api.post<{ id: string; headers: string[]; auth: { type: string } }>('/webhooks', {
      name: 'good',
      url,
    });
    expect(good.status).toBe(201);
    const patched = await api.patch<Problem>(`/webhooks/${good.body.id}`, change);
    expect(patched.status).toBe(400);
    expect(patched.body.fields.map((f) => f.path)).toContain(path);
    const read = await api.get<{ headers: string[]; auth: { type: string } }>(`/webhooks/${good.body.id}`);
    expect(read.body).toMatchObject({ headers: [], auth: { type: 'none' } });
  });

  it('accepts what a header carries intact, and the receiver gets exactly that', async () => {
    const { api } = await sandboxWithKey(herald, ['webhooks:admin']);
    const fixed = await api.post<{ id: string }>('/webhooks', {
      name: 'intact',
      url: receiver.url('/intact'),
      // Header values keep to printable ASCII and tabs; basic credentials travel as UTF-8 in
      // base64, so any character but a control one goes there.
      headers: { 'X-Name': 'A value\twith ~!@#$%^&*()_+ {}' },
      auth: { type: 'basic', username: 'zoë', password: 'p€ss→word' },
    });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(201);
    const attempt = await api.post<Attempt>(`/webhooks/${fixed.body.id}/test`);
    expect(attempt.body).toMatchObject({ outcome: 'delivered' });
    const got = receiver.received.find((r) => r.path === '/intact');
    expect(got?.headers['x-name']).toBe('A value\twith ~!@#$%^&*()_+ {}');
    const credentials = String(got?.headers.authorization).replace(/^Basic /, '');
    expect(Buffer.from(credentials, 'base64').toString('utf8')).toBe('zoë:p€ss→word');
  });
});

describe('a configuration saved before those checks (written straight into the store)', () => {
  /** A webhook made through the API, then given what the API now refuses, as an old item would hold. */
  async function oldWebhook(path: string, change: { headers?: Record<string, string>; token?: string }) {
    const s = await sandboxWithKey(herald, ['admin']);
    const created = await s.api.post<{ id: string }>('/webhooks', { name: 'old', url: receiver.url(path) });
    expect(created.status).toBe(201);
    const store = new DynamoDbWebhookStore(herald.clients.dynamodb, herald.tableName);
    const webhook = await store.get(s.sandbox, created.body.id);
    if (!webhook) throw new Error('the webhook was not stored');
    await store.save({
      ...webhook,
      ...(change.headers ? { headers: change.headers } : {}),
      ...(change.token ? { auth: { type: 'bearer', token: change.token } } : {}),
      revision: webhook.revision + 1,
    });
    return { ...s, webhookId: created.body.id };
  }

  it.each([
    [
      'a header value outside Latin-1',
      '/old-value',
      { headers: { 'X-Foo': 'price in €' } },
      'ERR_INVALID_CHAR',
    ],
    [
      'a header name that is not a token',
      '/old-name',
      { headers: { 'X Foo': 'a' } },
      'ERR_INVALID_HTTP_TOKEN',
    ],
    ['a bearer token outside Latin-1', '/old-token', { token: 'tøken→' }, 'ERR_INVALID_CHAR'],
  ])('turns %s into a failed test attempt with its reason, not a 500', async (_what, path, change, code) => {
    const s = await oldWebhook(path, change);
    const answer = await s.api.post<Attempt>(`/webhooks/${s.webhookId}/test`);
    expect(answer.status).toBe(200);
    expect(answer.body.outcome).toBe('failed');
    expect(answer.body.error).toMatch(new RegExp(`^refused before sending: ${code}: `));
    expect(receiver.received.filter((r) => r.path === path)).toEqual([]);
    const log = await s.api.get<{ items: Attempt[] }>(`/webhooks/${s.webhookId}/attempts`);
    expect(log.body.items).toEqual([answer.body]);
  });

  it('lets the delivery worker record each failed attempt and run its schedule out, never looping', async () => {
    const s = await oldWebhook('/old-pipeline', { headers: { 'X-Foo': 'price in €' } });
    const campaign = await s.api.post<{ id: string }>('/campaigns', {
      ...emailCampaign,
      createNewProfiles: true,
      enableWebhooks: true,
    });
    await s.api.post(`/campaigns/${campaign.body.id}/activate`);
    const triggered = await s.api.post('/im/executions/unitary', {
      requestId: 'old-header-1',
      campaignId: campaign.body.id,
      recipients: [{ type: 'aep', userId: 'old@example.com', namespace: 'email' }],
    });
    expect(triggered.status).toBe(202);
    // Two status events (sent, delivered), two attempts each per the schedule '0,1': four in all.
    // Had the job thrown, nothing would be logged and the job would go round until the DLQ.
    const attempts = async () =>
      (await s.api.get<{ items: Attempt[] }>(`/webhooks/${s.webhookId}/attempts?limit=100`)).body.items;
    await waitFor(
      async () => (await attempts()).length >= 4,
      'four failed attempts',
      20_000,
      ATTEMPT_LOG_POLL_MS,
    );
    const log = await attempts();
    expect(log).toHaveLength(4);
    expect(new Set(log.map((a) => a.eventId)).size).toBe(2);
    for (const attempt of log) {
      expect(attempt.outcome).toBe('failed');
      expect(attempt.error).toMatch(/^refused before sending: ERR_INVALID_CHAR: /);
    }
    // Each event's first attempt scheduled the next; the last did not (the schedule ran out).
    expect(log.filter((a) => a.nextAttemptAt !== undefined)).toHaveLength(2);
    expect(receiver.received.filter((r) => r.path === '/old-pipeline')).toEqual([]);
  });
});

describe('the sender on its own', () => {
  it('answers a header Node refuses synchronously with a failed result, never a rejection', async () => {
    const sender = createWebhookSender({ allowHttp: true, isAllowed: parseAllowlist(['127.0.0.1']) });
    try {
      const value = await sender.post(receiver.url('/direct'), { 'x-foo': '€' }, '{}', 1_000);
      expect(value).toMatchObject({
        error: expect.stringMatching(/^refused before sending: ERR_INVALID_CHAR/),
      });
      expect(value.statusCode).toBeUndefined();
      const name = await sender.post(receiver.url('/direct'), { 'x foo': 'a' }, '{}', 1_000);
      expect(name.error).toMatch(/^refused before sending: ERR_INVALID_HTTP_TOKEN/);
      expect(receiver.received.filter((r) => r.path === '/direct')).toEqual([]);
      // The agent is still usable afterwards.
      expect((await sender.post(receiver.url('/direct'), {}, '{}', 1_000)).statusCode).toBe(204);
    } finally {
      sender.close();
    }
  });
});
