import type { StatusChange } from '../schemas/execution.ts';
import type { SendOutcome, SendRetryLater } from './channel.ts';
import type { MessageRecord } from './execution.ts';

/**
 * What dispatch does with a provider's answer (pure). A message is sent by at most one call that
 * the provider took: dispatch claims a message before handing it to a provider that cannot
 * de-duplicate, and a claim left by a dispatcher that died is never retried (the provider may have
 * taken the message), it ends as `error` `send-interrupted`.
 */

/** Codes of the failures Herald itself records. */
export const SEND_FAILURE_CODES = {
  /** A dispatcher claimed the message and stopped before recording what the provider said. */
  interrupted: 'send-interrupted',
  /** The campaign names a channel configuration that no longer exists (or is of another channel). */
  configurationMissing: 'channel-configuration-missing',
  /** The code of the change a fallback's answer records: the message moved off its provider. */
  failover: 'failover',
} as const;

/**
 * Seconds before each new try after a provider's "not now" (SMTP 4xx, SES throttling, no
 * connection): 6 tries over about 35 minutes, then the message is `error` with the last answer.
 */
export const SEND_RETRY_SCHEDULE_SECONDS: readonly number[] = [30, 60, 120, 300, 600, 900];

/**
 * Throttling moves a message to the configuration's fallback from this try on (ADR 0021): a
 * provider that asks to slow down twice is given the benefit of the doubt, a third time it is
 * taken as down for this message. No connection and 5xx answers move it at the first try.
 */
export const FAILOVER_THROTTLE_BUDGET = 3;

/** Whether a provider's "not now" sends the message through the fallback (when there is one). */
export function failsOver(outcome: SendOutcome, attempt: number): outcome is SendRetryLater {
  if (outcome.kind !== 'retry-later') return false;
  return outcome.providerDown === true || (outcome.throttled && attempt >= FAILOVER_THROTTLE_BUDGET);
}

/**
 * How long a send claim protects a message: past it, the dispatcher that claimed it is gone (a
 * dispatch worker runs for at most 30 seconds), so the claim is stale. Shorter than the dispatch
 * queue's visibility timeout, so the redelivered job finds it stale.
 */
export const SEND_LEASE_MS = 60_000;

/**
 * Whether a message still waits for its send: `queued`, or `delay`ed by a provider's "not now"
 * before any provider took it (a `delay` after `sent` is the provider's own, and it retries).
 */
export function awaitingSend(message: Pick<MessageRecord, 'status' | 'history'>): boolean {
  if (message.status === 'queued') return true;
  return message.status === 'delay' && !message.history.some((change) => change.status === 'sent');
}

export function claimIsStale(since: string, now: Date, leaseMs = SEND_LEASE_MS): boolean {
  return now.getTime() - Date.parse(since) >= leaseMs;
}

export interface SendDecision {
  readonly changes: StatusChange[];
  /** Put the address on the suppression list, with this code (a bounce or a complaint). */
  readonly suppress?: string;
  /** Try again in this many seconds (the message is `delay`ed meanwhile). */
  readonly retryInSeconds?: number;
}

/**
 * The status changes for a provider's answer. `attempt` is the number of this try (1 for the
 * first); a "not now" past the schedule becomes `error` with the provider's code and words.
 */
export function sendDecision(
  outcome: SendOutcome,
  at: string,
  attempt: number,
  schedule: readonly number[] = SEND_RETRY_SCHEDULE_SECONDS,
): SendDecision {
  switch (outcome.kind) {
    case 'accepted': {
      const changes: StatusChange[] = [{ status: 'sent', at }];
      let suppress: string | undefined;
      for (const event of outcome.events) {
        changes.push({
          status: event.status,
          at,
          ...(event.code !== undefined ? { code: event.code } : {}),
          ...(event.reason !== undefined ? { reason: event.reason } : {}),
        });
        if (event.status === 'bounce' || event.status === 'complaint')
          suppress ??= event.code ?? event.status;
      }
      return { changes, ...(suppress !== undefined ? { suppress } : {}) };
    }
    case 'failed':
      return {
        changes: [{ status: outcome.status, at, code: outcome.code, reason: outcome.reason }],
        ...(outcome.status === 'bounce' ? { suppress: outcome.code } : {}),
      };
    case 'retry-later': {
      const wait = schedule[attempt - 1];
      if (wait === undefined) {
        const reason = `Gave up after ${attempt} tries; the provider's last answer: ${outcome.reason}`;
        return { changes: [{ status: 'error', at, code: outcome.code, reason }] };
      }
      return {
        changes: [{ status: 'delay', at, code: outcome.code, reason: outcome.reason }],
        retryInSeconds: wait,
      };
    }
  }
}
