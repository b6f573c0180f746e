import { describe, expect, it } from 'vitest';
import type {
  DeliveryRecord,
  DeliveryStore,
  SendResult,
  WebhookConfig,
  WebhookStore,
} from '../../shared/domain/webhook.ts';
import type { DeliveryJob } from '../../shared/schemas/feedback-message.ts';
import type { StatusEvent } from '../../shared/schemas/status-event.ts';
import type { AttemptView } from '../../shared/schemas/webhook.ts';
import { type DeliveryDeps, deliverJob, fanOutStatusEvent } from '../../shared/use-cases/deliver.ts';

/**
 * The delivery step with in-memory ports and a scripted receiver: the decisions (chain, retry,
 * give up, disable) without queues or HTTP. The real queue and receiver are exercised in
 * test/integration/webhooks*.test.ts.
 */
function world(
  answer: SendResult,
  overrides: Partial<WebhookConfig> = {},
  start = Date.parse('2030-01-01T00:00:00Z'),
) {
  let now = start;
  const webhook: WebhookConfig = {
    sandbox: 'sb',
    id: 'w1',
    name: 'w',
    url: 'https://receiver.example/hook',
    channels: ['email'],
    enabled: true,
    auth: { type: 'none' },
    headers: {},
    secrets: [{ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', createdAt: new Date(start).toISOString() }],
    createdAt: new Date(start).toISOString(),
    modifiedAt: new Date(start).toISOString(),
    revision: 0,
    ...overrides,
  };
  let record: DeliveryRecord = {
    sandbox: 'sb',
    webhookId: 'w1',
    eventId: 'm1:1',
    channel: 'email',
    payload: '{"x":1}',
    state: 'pending',
    attempts: 0,
    createdAt: new Date(start).toISOString(),
  };
  const enqueued: DeliveryJob[] = [];
  const logged: AttemptView[] = [];
  const posts: number[] = [];
  const webhooks: Partial<WebhookStore> = {
    get: async () => webhook,
    markFailing: async (_s, _i, since) => {
      Object.assign(webhook, { failingSince: webhook.failingSince ?? since });
    },
    clearFailing: async () => {
      delete (webhook as { failingSince?: string }).failingSince;
    },
    disable: async (_s, _i, reason) => {
      Object.assign(webhook, { enabled: false, disabledReason: reason });
    },
  };
  // The record exists as the world starts (for the worker's jobs); the fan-out finds none, and
  // writes it with its first attempt, unless `existing` says a first run of the event already did.
  let existing = false;
  const deliveries: Partial<DeliveryStore> = {
    find: async () => (existing ? record : undefined),
    get: async () => record,
    recordAttempt: async (r, attempt, state) => {
      logged.push(attempt);
      existing = true;
      record = { ...r, state, attempts: r.attempts + 1 };
    },
  };
  const deps = {
    webhooks: webhooks as WebhookStore,
    subscribers: async () => [webhook],
    deliveries: deliveries as DeliveryStore,
    deliveryQueue: { send: async (jobs: readonly DeliveryJob[]) => void enqueued.push(...jobs) },
    sender: {
      post: async () => {
        posts.push(now);
        return answer;
      },
      close: () => {},
    },
    clock: { now: () => new Date(now) },
    policy: {
      schedule: [0, 5, 300, 1800, 7200, 18000, 36000, 36000],
      timeoutMs: 15_000,
      disableAfterMs: 5 * 86_400_000,
      random: () => 0.5,
    },
    imsOrg: null,
  } satisfies DeliveryDeps;
  const job = (attempt: number, step = attempt, notBefore = now): DeliveryJob => ({
    kind: 'delivery',
    sandbox: 'sb',
    webhookId: 'w1',
    eventId: 'm1:1',
    attempt,
    step,
    notBefore,
  });
  return {
    deps,
    webhook,
    enqueued,
    logged,
    posts,
    job,
    record: () => record,
    /** As after a run of the event that created the record (and made `attempts` attempts). */
    recorded: (attempts: number) => {
      existing = true;
      record = { ...record, attempts };
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('one delivery step', () => {
  it('on success logs the attempt, marks the delivery delivered and ends a run of failures', async () => {
    const w = world({ statusCode: 204, durationMs: 3 }, { failingSince: '2029-12-31T00:00:00Z' });
    await deliverJob(w.deps, w.job(1));
    expect(w.record().state).toBe('delivered');
    expect(w.logged[0]).toMatchObject({ attempt: 1, outcome: 'delivered', statusCode: 204 });
    expect(w.webhook.failingSince).toBeUndefined();
    expect(w.enqueued).toEqual([]);
  });

  it('on failure schedules the next attempt on the schedule and marks the webhook failing', async () => {
    const w = world({ statusCode: 500, durationMs: 3, body: 'oops' });
    await deliverJob(w.deps, w.job(1));
    expect(w.enqueued).toEqual([
      expect.objectContaining({ attempt: 2, step: 2, notBefore: Date.parse('2030-01-01T00:00:05Z') }),
    ]);
    expect(w.logged[0]).toMatchObject({
      outcome: 'failed',
      error: 'receiver answered 500',
      nextAttemptAt: '2030-01-01T00:00:05.000Z',
    });
    expect(w.record().state).toBe('pending');
    expect(w.webhook.failingSince).toBe('2030-01-01T00:00:00.000Z');
  });

  it('chains a wait longer than SQS allows: an early job is sent again, unattempted', async () => {
    const w = world({ statusCode: 204, durationMs: 1 });
    const later = w.job(5, 5, Date.parse('2030-01-01T02:00:00Z'));
    await deliverJob(w.deps, later);
    expect(w.posts).toEqual([]);
    expect(w.enqueued).toEqual([later]);
    w.advance(2 * 3600 * 1000);
    await deliverJob(w.deps, later);
    expect(w.posts).toHaveLength(1);
  });

  it('does not repeat an attempt already logged (a redelivered job)', async () => {
    const w = world({ statusCode: 500, durationMs: 1 });
    await deliverJob(w.deps, w.job(1));
    await deliverJob(w.deps, w.job(1));
    expect(w.posts).toHaveLength(1);
  });

  it('keeps the delivery as failed after the last step of the schedule', async () => {
    const w = world({ statusCode: 502, durationMs: 1 });
    for (let attempt = 1; attempt <= 8; attempt++) await deliverJob(w.deps, w.job(attempt));
    expect(w.posts).toHaveLength(8);
    expect(w.record().state).toBe('failed');
    expect(w.enqueued).toHaveLength(7);
    expect(w.logged.at(-1)?.nextAttemptAt).toBeUndefined();
  });

  it("waits at least a 429's Retry-After, and never less than the schedule", async () => {
    const slow = world({ statusCode: 429, durationMs: 1, headers: { 'retry-after': '120' } });
    await deliverJob(slow.deps, slow.job(1));
    expect(slow.enqueued[0]?.notBefore).toBe(Date.parse('2030-01-01T00:02:00Z'));
    const eager = world({ statusCode: 503, durationMs: 1, headers: { 'retry-after': '1' } });
    await deliverJob(eager.deps, eager.job(1));
    expect(eager.enqueued[0]?.notBefore).toBe(Date.parse('2030-01-01T00:00:05Z'));
  });

  it('disables the webhook on 410, and after failing for the limit without a success', async () => {
    const gone = world({ statusCode: 410, durationMs: 1 });
    await deliverJob(gone.deps, gone.job(1));
    expect(gone.webhook).toMatchObject({
      enabled: false,
      disabledReason: expect.stringContaining('410 Gone'),
    });
    expect(gone.enqueued).toEqual([]);
    const tired = world({ statusCode: 500, durationMs: 1 }, { failingSince: '2029-12-26T23:59:59Z' });
    await deliverJob(tired.deps, tired.job(3));
    expect(tired.webhook).toMatchObject({
      enabled: false,
      disabledReason: expect.stringContaining('Every delivery failed'),
    });
    expect(tired.record().state).toBe('failed');
  });

  it('logs an attempt against a disabled webhook without calling it, and keeps the event', async () => {
    const w = world({ statusCode: 204, durationMs: 1 }, { enabled: false, disabledReason: 'by hand' });
    await deliverJob(w.deps, w.job(1));
    expect(w.posts).toEqual([]);
    expect(w.logged[0]).toMatchObject({ outcome: 'failed', error: 'webhook disabled: by hand' });
    expect(w.record().state).toBe('failed');
  });
});

const event: StatusEvent = {
  kind: 'status-event',
  eventId: 'm1:1',
  sandbox: 'sb',
  executionId: 'e1',
  requestId: 'r1',
  campaignId: 'c1',
  campaignVersion: 1,
  campaignType: 'transactional',
  channel: 'email',
  messageId: 'm1',
  userId: 'u1',
  namespace: 'email',
  status: 'sent',
  timestamp: '2030-01-01T00:00:00.000Z',
};

describe('the fan-out of a status event', () => {
  it('makes the first attempt itself: one POST, logged delivered, nothing queued', async () => {
    const w = world({ statusCode: 204, durationMs: 3 });
    expect(await fanOutStatusEvent(w.deps, event)).toBe(1);
    expect(w.posts).toHaveLength(1);
    expect(w.record()).toMatchObject({ state: 'delivered', attempts: 1 });
    expect(w.logged).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'delivered', statusCode: 204 }),
    ]);
    expect(w.enqueued).toEqual([]);
  });

  it('settles a failed first attempt as the worker does: the next attempt queued on the schedule', async () => {
    const w = world({ statusCode: 503, durationMs: 3 });
    await fanOutStatusEvent(w.deps, event);
    expect(w.logged[0]).toMatchObject({
      attempt: 1,
      outcome: 'failed',
      nextAttemptAt: '2030-01-01T00:00:05.000Z',
    });
    expect(w.enqueued).toEqual([expect.objectContaining({ eventId: 'm1:1', attempt: 2, step: 2 })]);
    expect(w.webhook.failingSince).toBeDefined();
  });

  it('skips a disabled webhook and one that does not take the channel', async () => {
    for (const overrides of [{ enabled: false }, { channels: ['sms' as const] }]) {
      const w = world({ statusCode: 204, durationMs: 3 }, overrides);
      expect(await fanOutStatusEvent(w.deps, event)).toBe(0);
      expect(w.posts).toEqual([]);
    }
  });

  it('redelivered, queues a first attempt only for a delivery never attempted', async () => {
    const crashed = world({ statusCode: 204, durationMs: 3 });
    crashed.recorded(0);
    await fanOutStatusEvent(crashed.deps, event);
    expect(crashed.posts).toEqual([]);
    expect(crashed.enqueued).toEqual([expect.objectContaining({ attempt: 1, step: 1 })]);

    const attempted = world({ statusCode: 204, durationMs: 3 });
    attempted.recorded(1);
    await fanOutStatusEvent(attempted.deps, event);
    expect(attempted.posts).toEqual([]);
    expect(attempted.enqueued).toEqual([]);
  });
});
