import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedbackPayload } from '../../shared/schemas/webhook.ts';
import { type Client, emailCampaign, sandboxWithKey, startTestHerald } from './harness.ts';
import { ATTEMPT_LOG_POLL_MS, type Received, startReceiver, waitFor } from './receiver.ts';

type Attempt = {
  durationMs: number;
  eventId: string;
  attempt: number;
  outcome: string;
  statusCode?: number;
  error?: string;
  at: string;
  nextAttemptAt?: string;
  responseBody?: string;
};

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let api: Client;
const busySeen = new Set<string>();

beforeAll(async () => {
  herald = await startTestHerald(
    {},
    // A compressed schedule: four attempts a second apart and a 1 s receiver timeout (production:
    // 0 s, 5 s … 10 h and 15 s). Disabling after days of failure is tested in webhooks-disable.test.ts.
    {
      HERALD_WEBHOOK_RETRY_SCHEDULE: '0,1,1,1',
      HERALD_WEBHOOK_TIMEOUT_MS: '1000',
      HERALD_WEBHOOK_DISABLE_AFTER_SECONDS: '600',
      HERALD_IMS_ORG: 'TESTORG@AdobeOrg',
    },
  );
  receiver = await startReceiver({
    '/fail': () => ({ status: 500 }),
    '/redirect': () => ({ status: 302, headers: { location: '/ok' } }),
    '/gone': () => ({ status: 410 }),
    '/slow': () => ({ status: 200, hang: true }),
    '/reset': () => ({ status: 0, reset: true }),
    '/busy': (request) => {
      // Each event's first delivery is turned away with Retry-After: 2 (the schedule says 1 s).
      const id = String(request.headers['webhook-id']);
      if (busySeen.has(id)) return { status: 200 };
      busySeen.add(id);
      return { status: 429, headers: { 'retry-after': '2' } };
    },
  });
});
afterAll(async () => {
  await receiver?.stop();
  await herald?.stop();
});

async function setup(webhook: Record<string, unknown>) {
  const sandbox = await sandboxWithKey(herald, ['admin']);
  const created = await sandbox.api.post<{ id: string; secret: string }>('/webhooks', {
    name: 'feedback',
    ...webhook,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const campaign = await sandbox.api.post<{ id: string }>('/campaigns', {
    ...emailCampaign,
    createNewProfiles: true,
    enableWebhooks: true,
  });
  await sandbox.api.post(`/campaigns/${campaign.body.id}/activate`);
  let n = 0;
  const trigger = (userIds: string[]) =>
    sandbox.api.post<{ executionId: string }>('/im/executions/unitary', {
      requestId: `r-${++n}-${Date.now()}`,
      campaignId: campaign.body.id,
      recipients: userIds.map((userId) => ({ type: 'aep', userId, namespace: 'email' })),
    });
  return {
    ...sandbox,
    webhookId: created.body.id,
    secret: created.body.secret,
    campaignId: campaign.body.id,
    trigger,
  };
}

const at = (path: string) => receiver.received.filter((r) => r.path === path);
const headers = (r: Received) =>
  Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]));

async function attempts(client: Client, webhookId: string): Promise<Attempt[]> {
  const page = await client.get<{ items: Attempt[] }>(`/webhooks/${webhookId}/attempts?limit=100`);
  return page.body.items;
}

describe('webhook configuration', () => {
  it('shows the signing secret once and never returns credentials or header values', async () => {
    api = (await sandboxWithKey(herald, ['webhooks:admin'])).api;
    const created = await api.post<Record<string, unknown> & { id: string; secret: string }>('/webhooks', {
      name: 'crm',
      url: receiver.url('/ok'),
      channels: ['email'],
      auth: { type: 'bearer', token: 'super-secret-token' },
      headers: { 'x-tenant': 'acme-secret-value' },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    const read = await api.get(`/webhooks/${created.body.id}`);
    const text = JSON.stringify(read.body) + JSON.stringify((await api.get('/webhooks')).body);
    expect(text).not.toContain(created.body.secret);
    expect(text).not.toContain('super-secret-token');
    expect(text).not.toContain('acme-secret-value');
    expect(read.body).toMatchObject({
      auth: { type: 'bearer' },
      headers: ['x-tenant'],
      channels: ['email'],
      enabled: true,
    });
  });

  it.each([
    ['a header with CR/LF', { headers: { 'x-a': 'a\r\nx-injected: 1' } }, 'body.headers.x-a'],
    ['a hop-by-hop header', { headers: { connection: 'close' } }, 'body.headers.connection'],
    [
      'a signature header',
      { headers: { 'webhook-signature': 'v1,forged' } },
      'body.headers.webhook-signature',
    ],
    ['an unknown channel', { channels: ['fax'] }, 'body.channels[0]'],
    ['a URL that is not http(s)', { url: 'ftp://example.com/' }, 'body.url'],
    ['a URL with credentials', { url: 'http://user:pw@127.0.0.1/' }, 'body.url'],
  ])('refuses %s', async (_name, change, field) => {
    const answer = await api.post<{ fields: { path: string }[] }>('/webhooks', {
      name: 'x',
      url: receiver.url('/ok'),
      ...change,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.fields.map((f) => f.path)).toContain(field);
  });
});

describe('delivery', () => {
  it('posts signed, authenticated AJO feedback events for every status change, to matching webhooks only', async () => {
    const s = await setup({
      url: receiver.url('/ok'),
      channels: ['email'],
      auth: { type: 'bearer', token: 'tok-1' },
      headers: { 'x-tenant': 'acme' },
    });
    const smsOnly = await s.api.post<{ id: string }>('/webhooks', {
      name: 'sms',
      url: receiver.url('/sms-only'),
      channels: ['sms'],
    });
    expect(smsOnly.status).toBe(201);
    const before = at('/ok').length;
    const triggered = await s.trigger(['ok-1@example.com']);
    await waitFor(() => at('/ok').length >= before + 2, 'sent and delivered events');
    const mine = at('/ok').slice(before);
    const verifier = new Webhook(s.secret);
    const payloads = mine.map((r) => verifier.verify(r.body, headers(r)) as FeedbackPayload);
    expect(payloads.map((p) => p.messageDeliveryFeedback.feedbackStatus.value).sort()).toEqual([
      'delivered',
      'sent',
    ]);
    const profile = await s.api.get<{ profileId: string }>('/profiles/email/ok-1@example.com');
    for (const payload of payloads) {
      expect(payload).toMatchObject({
        requestId: expect.any(String),
        imsOrg: 'TESTORG@AdobeOrg',
        eventType: 'message.feedback',
        sandbox: { id: s.sandbox, name: s.sandbox },
        channel: 'email',
        messageExecution: {
          messageExecutionID: triggered.body.executionId,
          campaignID: s.campaignId,
          campaignVersionID: expect.any(String),
          messageType: 'transactional',
          messageID: expect.any(String),
          messageProfileID: profile.body.profileId,
          campaignType: 'ApiTriggered',
        },
        messageDeliveryFeedback: {
          offers: null,
          messageExclusion: null,
          messageFailure: null,
          retryCount: 0,
          encoding: null,
          numberOfMessageParts: null,
          deliveryTimestamp: expect.any(String),
        },
        identityMap: { email: [{ id: 'ok-1@example.com', primary: true }] },
        executionId: triggered.body.executionId,
        userId: 'ok-1@example.com',
      });
      expect(payload).not.toHaveProperty('channelContext');
    }
    for (const r of mine) {
      expect(r.headers.authorization).toBe('Bearer tok-1');
      expect(r.headers['x-tenant']).toBe('acme');
      expect(r.headers['content-type']).toBe('application/json');
    }
    expect(new Set(mine.map((r) => r.headers['webhook-id'])).size).toBe(2);
    expect(at('/sms-only')).toHaveLength(0);
    const log = await attempts(s.api, s.webhookId);
    expect(log.filter((a) => a.outcome === 'delivered')).toHaveLength(2);
  });

  it('gives SMS events the number, the encoding and the number of parts', async () => {
    const s = await setup({ url: receiver.url('/sms'), channels: ['sms'] });
    const campaign = await s.api.post<{ id: string }>('/campaigns', {
      ...emailCampaign,
      channel: 'sms',
      identityNamespace: 'phone',
      createNewProfiles: true,
      enableWebhooks: true,
      content: { body: `${'x'.repeat(150)} {{context.code}}` },
    });
    await s.api.post(`/campaigns/${campaign.body.id}/activate`);
    const triggered = await s.api.post<{ executionId: string }>('/im/executions/unitary', {
      requestId: `sms-${s.sandbox}`,
      campaignId: campaign.body.id,
      recipients: [
        {
          type: 'aep',
          userId: '+14155550170',
          namespace: 'phone',
          channelData: { mobilePhoneNumber: '+1 415 555 0171' },
          context: { code: '12345678901' },
        },
      ],
    });
    expect(triggered.status).toBe(202);
    await waitFor(() => at('/sms').length >= 2, 'sent and delivered SMS events');
    const verifier = new Webhook(s.secret);
    const payloads = at('/sms').map((r) => verifier.verify(r.body, headers(r)) as FeedbackPayload);
    for (const payload of payloads) {
      expect(payload).toMatchObject({
        channel: 'sms',
        channelContext: { profileAddress: null, profileNumber: '+14155550171' },
        messageExecution: { messageExecutionID: triggered.body.executionId, campaignType: 'ApiTriggered' },
        // 150 + 1 + 11 = 162 GSM characters: two parts.
        messageDeliveryFeedback: { encoding: 'GSM', numberOfMessageParts: '2' },
        identityMap: { phone: [{ id: '+14155550170', primary: true }] },
      });
    }
  });

  it('after a rotation, signs with both secrets for the grace period', async () => {
    const s = await setup({ url: receiver.url('/rotated') });
    const rotated = await s.api.post<{ secret: string; previousSecretExpiresAt: string }>(
      `/webhooks/${s.webhookId}/rotate-secret`,
    );
    expect(rotated.status).toBe(200);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
    const test = await s.api.post<Attempt>(`/webhooks/${s.webhookId}/test`);
    expect(test.body).toMatchObject({ outcome: 'delivered', statusCode: 204 });
    const [delivery] = at('/rotated');
    if (!delivery) throw new Error('no delivery');
    expect(String(delivery.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(new Webhook(rotated.body.secret).verify(delivery.body, headers(delivery))).toBeTruthy();
    expect(new Webhook(s.secret).verify(delivery.body, headers(delivery))).toBeTruthy();
  });

  // Eight logged attempts, log reads and a recovery over the 513 partitions of the failed index
  // (ADR 0022) and two more deliveries: a 60 s hang guard, not the default 30 s, on a busy machine.
  it('retries a failing receiver on the schedule, logs every attempt, then keeps the event for recovery', async () => {
    const s = await setup({ url: receiver.url('/fail'), channels: ['email'] });
    const started = Date.now();
    await s.trigger(['retry-1@example.com']);
    await waitFor(
      async () => (await attempts(s.api, s.webhookId)).length >= 8,
      'four attempts of each of the two events',
      20_000,
      ATTEMPT_LOG_POLL_MS,
    );
    const log = (await attempts(s.api, s.webhookId)).sort((a, b) => a.at.localeCompare(b.at));
    const first = log.filter((a) => a.eventId === log[0]?.eventId).sort((a, b) => a.attempt - b.attempt);
    expect(first.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    expect(
      first.every(
        (a) => a.outcome === 'failed' && a.statusCode === 500 && a.responseBody === 'receiver says hi',
      ),
    ).toBe(true);
    // Each retry is scheduled about a second (±20 %) after the failure before it — that is, after the
    // attempt's send ended (`at` is when it started, `durationMs` how long it took) — and happens no
    // earlier. 3 ms cover the millisecond rounding of `at`, `durationMs` and `nextAttemptAt`.
    for (const [index, attempt] of first.slice(0, 3).entries()) {
      const failedAt = Date.parse(attempt.at) + attempt.durationMs;
      const gap = Date.parse(attempt.nextAttemptAt ?? '') - failedAt;
      expect(gap).toBeGreaterThanOrEqual(800 - 3);
      expect(gap).toBeLessThanOrEqual(1200 + 3);
      expect(Date.parse(first[index + 1]?.at ?? '')).toBeGreaterThanOrEqual(
        Date.parse(attempt.nextAttemptAt ?? '') - 5,
      );
    }
    expect(first[3]?.nextAttemptAt).toBeUndefined();
    expect(at('/fail').length).toBeGreaterThanOrEqual(8);

    const webhook = await s.api.get<{ enabled: boolean; failingSince?: string }>(`/webhooks/${s.webhookId}`);
    expect(webhook.body).toMatchObject({ enabled: true, failingSince: expect.any(String) });
    // The receiver is fixed: point the webhook at it and recover everything that failed.
    await s.api.patch(`/webhooks/${s.webhookId}`, { url: receiver.url('/recovered') });
    const recovered = await s.api.post<{ queued: number }>(`/webhooks/${s.webhookId}/recover`, {
      since: new Date(started - 1000).toISOString(),
    });
    expect(recovered.status).toBe(202);
    expect(recovered.body.queued).toBe(2);
    await waitFor(() => at('/recovered').length >= 2, 'recovered deliveries');
    const recoveredIds = new Set(at('/recovered').map((r) => String(r.headers['webhook-id'])));
    expect(recoveredIds).toEqual(new Set(log.map((a) => a.eventId)));
    await waitFor(
      async () => (await s.api.get(`/webhooks/${s.webhookId}`)).body.failingSince === undefined,
      'the run of failures ended by a success',
    );
  }, 60_000);

  it('counts a redirect as a failure and never follows it', async () => {
    const s = await setup({ url: receiver.url('/redirect') });
    const before = at('/ok').length;
    const attempt = await s.api.post<Attempt>(`/webhooks/${s.webhookId}/test`);
    expect(attempt.body).toMatchObject({
      outcome: 'failed',
      statusCode: 302,
      error: 'redirect (302) not followed',
    });
    expect(at('/ok')).toHaveLength(before);
  });

  it('records timeouts and connection resets as failed attempts', async () => {
    const slow = await setup({ url: receiver.url('/slow') });
    const timedOut = await slow.api.post<Attempt>(`/webhooks/${slow.webhookId}/test`);
    expect(timedOut.body).toMatchObject({ outcome: 'failed', error: 'timed out after 1000 ms' });
    expect(timedOut.body.durationMs).toBeGreaterThanOrEqual(990);
    const reset = await setup({ url: receiver.url('/reset') });
    const dropped = await reset.api.post<Attempt>(`/webhooks/${reset.webhookId}/test`);
    expect(dropped.body.outcome).toBe('failed');
    expect(dropped.body.error).toMatch(/socket hang up|ECONNRESET/);
  });

  it('disables the webhook on 410 Gone and says why', async () => {
    const s = await setup({ url: receiver.url('/gone'), channels: ['email'] });
    await s.trigger(['gone-1@example.com']);
    await waitFor(
      async () => !(await s.api.get<{ enabled: boolean }>(`/webhooks/${s.webhookId}`)).body.enabled,
      'the webhook disabled',
    );
    const webhook = await s.api.get<{ disabledReason: string }>(`/webhooks/${s.webhookId}`);
    expect(webhook.body.disabledReason).toContain('410');
    const goneCalls = at('/gone').length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(at('/gone').length).toBeLessThanOrEqual(2);
    expect(goneCalls).toBeGreaterThanOrEqual(1);
  });

  it("honours a 429's Retry-After over the shorter schedule", async () => {
    const s = await setup({ url: receiver.url('/busy'), channels: ['email'] });
    await s.trigger(['busy-1@example.com']);
    await waitFor(
      async () => (await attempts(s.api, s.webhookId)).filter((a) => a.outcome === 'delivered').length >= 2,
      'both events delivered',
      20_000,
      ATTEMPT_LOG_POLL_MS,
    );
    const log = await attempts(s.api, s.webhookId);
    const turnedAway = log.filter((a) => a.statusCode === 429);
    expect(turnedAway).toHaveLength(2);
    for (const attempt of turnedAway) {
      expect(Date.parse(attempt.nextAttemptAt ?? '') - Date.parse(attempt.at)).toBeGreaterThanOrEqual(2000);
      const delivered = log.find((a) => a.eventId === attempt.eventId && a.outcome === 'delivered');
      expect(Date.parse(delivered?.at ?? '')).toBeGreaterThanOrEqual(
        Date.parse(attempt.nextAttemptAt ?? '') - 5,
      );
    }
  });
});
