import type { Clock } from '../domain/clock.ts';
import { delayBeforeAttempt, retryAfterSeconds } from '../domain/retry-schedule.ts';
import type {
  DeliveryQueue,
  DeliveryRecord,
  DeliveryStore,
  SendResult,
  WebhookSender,
  WebhookStore,
} from '../domain/webhook.ts';
import { deliveryHeaders, feedbackPayload, type WebhookConfig, webhookWants } from '../domain/webhook.ts';
import { logger } from '../logger.ts';
import { recordMetric } from '../metrics.ts';
import type { DeliveryJob } from '../schemas/feedback-message.ts';
import type { StatusEvent } from '../schemas/status-event.ts';
import type { AttemptView } from '../schemas/webhook.ts';

export interface DeliveryPolicy {
  /** Seconds before each attempt; the first is normally 0. */
  readonly schedule: readonly number[];
  readonly timeoutMs: number;
  /** A webhook failing without a success for this long is disabled. */
  readonly disableAfterMs: number;
  readonly random?: () => number;
}

export interface DeliveryDeps {
  readonly webhooks: WebhookStore;
  /**
   * The sandbox's webhooks for the fan-out and its first attempts; the feedback worker caches them
   * per container for HERALD_WEBHOOK_CACHE_SECONDS (a retry, resend or recovery reads its webhook
   * fresh).
   */
  readonly subscribers: (sandbox: string) => Promise<readonly WebhookConfig[]>;
  readonly deliveries: DeliveryStore;
  readonly deliveryQueue: DeliveryQueue;
  readonly sender: WebhookSender;
  readonly clock: Clock;
  readonly policy: DeliveryPolicy;
  /** The feedback payload's `imsOrg` (HERALD_IMS_ORG), or null. */
  readonly imsOrg: string | null;
}

/**
 * A status event reaches every enabled webhook of its sandbox that takes its channel. Primary
 * course, per webhook and side by side: look for the delivery record (a read batched with the
 * other records of the SQS batch), and when there is none make the first attempt at once with the
 * container's cached configuration (HERALD_WEBHOOK_CACHE_SECONDS: edits apply within it), then
 * write the record (payload and state) with the attempt's log line — a share of one BatchGetItem
 * and of one BatchWriteItem, and no queue call, when the receiver accepts (ADR 0033). A failed
 * first attempt is settled as the delivery worker settles any attempt (next attempt queued on the
 * schedule, 410, failing since …), so each endpoint retries on its own. A redelivered event finds
 * its records and attempts nothing again; a record still pending and never attempted (written by
 * an earlier version, which wrote the record before its attempt) gets a first-attempt job. An
 * event redelivered after its POST and before its write is POSTed again, with the same
 * `webhook-id` for the receiver to drop the duplicate.
 */
export async function fanOutStatusEvent(deps: DeliveryDeps, event: StatusEvent): Promise<number> {
  const now = deps.clock.now();
  const webhooks = (await deps.subscribers(event.sandbox)).filter((w) => webhookWants(w, event.channel));
  const payload = JSON.stringify(feedbackPayload(event, { imsOrg: deps.imsOrg }));
  const jobs: DeliveryJob[] = [];
  // The ids that follow the message into the delivery's log lines.
  const ids = { requestId: event.requestId, executionId: event.executionId, messageId: event.messageId };
  const outcomes = await Promise.allSettled(
    webhooks.map(async (webhook) => {
      const record: DeliveryRecord = {
        sandbox: event.sandbox,
        webhookId: webhook.id,
        eventId: event.eventId,
        channel: event.channel,
        payload,
        state: 'pending',
        attempts: 0,
        createdAt: now.toISOString(),
        // Where its attempts are logged: the webhook's layout (ADR 0033).
        ...(webhook.logShards !== undefined ? { logShards: webhook.logShards } : {}),
      };
      // One batched read for the records of the whole SQS batch (ADR 0033); the record is first
      // written with its first attempt's outcome.
      const existing = await deps.deliveries.find(event.sandbox, webhook.id, event.eventId);
      if (!existing) {
        await attemptAndSettle(deps, webhook, record, {
          ...firstAttempt(webhook, event.eventId, now),
          ...ids,
        });
        return;
      }
      if (existing.state === 'pending' && existing.attempts === 0)
        jobs.push({ ...firstAttempt(webhook, event.eventId, now), ...ids });
    }),
  );
  if (jobs.length > 0) await deps.deliveryQueue.send(jobs, now);
  // Every webhook had its turn; a store error of one fails the event (redelivered, the others
  // then find their records).
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
  return webhooks.length;
}

function firstAttempt(
  webhook: Pick<WebhookConfig, 'sandbox' | 'id'>,
  eventId: string,
  now: Date,
): DeliveryJob {
  return {
    kind: 'delivery',
    sandbox: webhook.sandbox,
    webhookId: webhook.id,
    eventId,
    attempt: 1,
    step: 1,
    notBefore: now.getTime(),
  };
}

/** What one attempt did, for the log and the decision that follows. */
export interface AttemptOutcome {
  readonly attempt: AttemptView;
  readonly delivered: boolean;
  readonly result: SendResult;
}

/** One POST of a delivery: signed, authenticated, timed out, redirects counted as failures. */
export async function attemptDelivery(
  deps: Pick<DeliveryDeps, 'sender' | 'clock' | 'policy'>,
  webhook: WebhookConfig,
  record: DeliveryRecord,
  attemptNumber: number,
): Promise<AttemptOutcome> {
  const now = deps.clock.now();
  const headers = deliveryHeaders(webhook, record.eventId, record.payload, now);
  const result = await deps.sender.post(webhook.url, headers, record.payload, deps.policy.timeoutMs);
  const delivered = result.statusCode !== undefined && result.statusCode >= 200 && result.statusCode < 300;
  const error =
    result.error ??
    (delivered
      ? undefined
      : result.statusCode !== undefined && result.statusCode >= 300 && result.statusCode < 400
        ? `redirect (${result.statusCode}) not followed`
        : `receiver answered ${result.statusCode}`);
  return {
    delivered,
    result,
    attempt: {
      eventId: record.eventId,
      attempt: attemptNumber,
      at: now.toISOString(),
      outcome: delivered ? 'delivered' : 'failed',
      durationMs: result.durationMs,
      ...(result.statusCode !== undefined ? { statusCode: result.statusCode } : {}),
      ...(result.body ? { responseBody: result.body } : {}),
      ...(error ? { error } : {}),
    },
  };
}

/**
 * The delivery worker's step for one job. Primary course: wait out `notBefore` (chaining SQS's
 * 15-minute delays), attempt, log the attempt, and on failure schedule the next attempt (Retry-After
 * honoured for 429/503 within bounds) until the schedule runs out and the delivery is kept as
 * failed for recovery. 410 disables the webhook; failing for `disableAfterMs` without a success
 * disables it too.
 */
export async function deliverJob(deps: DeliveryDeps, job: DeliveryJob): Promise<void> {
  const now = deps.clock.now();
  if (job.notBefore > now.getTime() + 1_000) {
    await deps.deliveryQueue.send([job], now);
    return;
  }
  const webhook = await deps.webhooks.get(job.sandbox, job.webhookId);
  const record = await deps.deliveries.get(job.sandbox, job.webhookId, job.eventId);
  if (!webhook || !record) return;
  if (record.attempts >= job.attempt || (record.state === 'delivered' && !job.resend)) return;
  await attemptAndSettle(deps, webhook, record, job);
}

/**
 * Attempts `job` of a delivery and settles it: logs the attempt with the delivery's new state, and
 * on failure queues the next attempt, or keeps the delivery as failed, disabling the webhook on
 * 410 or after failing for too long. The fan-out's first attempts and the worker's jobs both end
 * here.
 */
async function attemptAndSettle(
  deps: DeliveryDeps,
  webhook: WebhookConfig,
  record: DeliveryRecord,
  job: DeliveryJob,
): Promise<void> {
  const now = deps.clock.now();
  if (!webhook.enabled) {
    await deps.deliveries.recordAttempt(
      record,
      {
        eventId: record.eventId,
        attempt: job.attempt,
        at: now.toISOString(),
        outcome: 'failed',
        durationMs: 0,
        error: `webhook disabled: ${webhook.disabledReason ?? 'by an administrator'}`,
      },
      'failed',
    );
    return;
  }

  const { attempt, delivered, result } = await attemptDelivery(deps, webhook, record, job.attempt);
  logger.info('webhook attempt', {
    // Named here, not only by the worker's scope: a first attempt is made in the fan-out step.
    webhookId: webhook.id,
    attempt: job.attempt,
    outcome: attempt.outcome,
    ...(attempt.statusCode !== undefined ? { statusCode: attempt.statusCode } : {}),
    durationMs: attempt.durationMs,
  });
  recordMetric('WebhookAttempts', 1, { outcome: attempt.outcome });
  if (delivered) {
    recordMetric(
      'WebhookDeliveryDelay',
      Math.max(0, deps.clock.now().getTime() - Date.parse(record.createdAt)),
    );
    await deps.deliveries.recordAttempt(record, attempt, 'delivered');
    if (webhook.failingSince) await deps.webhooks.clearFailing(webhook.sandbox, webhook.id);
    return;
  }

  const at = deps.clock.now();
  if (result.statusCode === 410) {
    await deps.deliveries.recordAttempt(record, attempt, 'failed');
    await deps.webhooks.disable(
      webhook.sandbox,
      webhook.id,
      `The receiver answered 410 Gone at ${at.toISOString()}.`,
      at.toISOString(),
    );
    return;
  }
  const scheduled = delayBeforeAttempt(job.step + 1, deps.policy.schedule, deps.policy.random);
  const asked =
    result.statusCode === 429 || result.statusCode === 503
      ? retryAfterSeconds(headerValue(result.headers?.['retry-after']), at)
      : undefined;
  const failingSince = webhook.failingSince ?? at.toISOString();
  const failingTooLong = at.getTime() - Date.parse(failingSince) >= deps.policy.disableAfterMs;
  if (scheduled === undefined || failingTooLong) {
    await deps.deliveries.recordAttempt(record, attempt, 'failed');
  } else {
    const delay = Math.max(scheduled, asked ?? 0);
    const notBefore = at.getTime() + delay * 1000;
    await deps.deliveries.recordAttempt(
      record,
      { ...attempt, nextAttemptAt: new Date(notBefore).toISOString() },
      'pending',
    );
    await deps.deliveryQueue.send([{ ...job, attempt: job.attempt + 1, step: job.step + 1, notBefore }], at);
  }
  if (!webhook.failingSince) await deps.webhooks.markFailing(webhook.sandbox, webhook.id, failingSince);
  if (failingTooLong) {
    await deps.webhooks.disable(
      webhook.sandbox,
      webhook.id,
      `Every delivery failed from ${failingSince} to ${at.toISOString()}; fix the receiver, then re-enable the webhook and recover.`,
      at.toISOString(),
    );
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Resending: a fresh first attempt for deliveries that exist (manual resend, or recovery). */
export async function resendDeliveries(
  deps: Pick<DeliveryDeps, 'deliveries' | 'deliveryQueue' | 'clock'>,
  webhook: Pick<WebhookConfig, 'sandbox' | 'id'>,
  records: readonly DeliveryRecord[],
): Promise<number> {
  const now = deps.clock.now();
  // The next attempt number continues the delivery's count, so the worker's duplicate check holds.
  const jobs = records.map((r) => ({
    ...firstAttempt(webhook, r.eventId, now),
    attempt: r.attempts + 1,
    resend: true,
  }));
  await deps.deliveryQueue.send(jobs, now);
  return jobs.length;
}
