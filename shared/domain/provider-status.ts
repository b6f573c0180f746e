import { createHash } from 'node:crypto';
import type { MessageStatus, StatusChange } from '../schemas/execution.ts';
import type { MessageRecord } from './execution.ts';
import type { ProviderEventStatus, ProviderStatusEvent } from './ses-events.ts';

/**
 * What a provider's feedback (an SES event, mapped by ses-events.ts) does to a message (pure).
 * Providers publish events at least once and in no particular order, so each event is judged
 * against the message's current status alone:
 *
 * | current \ event | sent | delay | delivered | bounce | complaint | error |
 * |-----------------|------|-------|-----------|--------|-----------|-------|
 * | queued          | too early (Herald has not recorded its own send yet: retried) |||||  |
 * | sent            | —    | ✓     | ✓         | ✓      | ✓         | ✓     |
 * | delay (Herald's, before any send) | ✓ | ✓ | ✓ | ✓  | ✓         | ✓     |
 * | delay (after sent) | — | ✓     | ✓         | ✓      | ✓         | ✓     |
 * | delivered       | —    | —     | —         | ✓      | ✓         | —     |
 * | bounce          | —    | —     | —         | —      | —         | —     |
 * | complaint       | —    | —     | —         | —      | —         | —     |
 * | error           | —    | —     | ✓         | ✓      | ✓         | —     |
 * | exclude         | not sent: dropped |||||                                         |
 *
 * ✓ appends the change; — leaves the message as it is (`repeat`: the same status again,
 * `superseded`: a later status already stands). So a Send arriving after Delivery changes nothing,
 * Delivery after DeliveryDelay does, and sent/delay never overwrite a bounce, a complaint or an
 * error. Delivered, bounce and complaint are facts about the mailbox: they replace an `error`
 * Herald recorded without knowing (a dispatcher stopped mid-send, `send-interrupted`), and a
 * bounce or complaint after `delivered` is how SES reports late bounces and spam reports.
 */
export type ProviderEventDecision =
  | { readonly kind: 'apply'; readonly change: StatusChange }
  | { readonly kind: 'ignore'; readonly reason: 'repeat' | 'superseded' | 'not-sent' }
  /** The message is still `queued` in Herald's store: the event raced dispatch's own write. */
  | { readonly kind: 'too-early' };

/** The statuses each provider status may replace (besides `queued`, which is too early). */
const REPLACES: Readonly<Record<ProviderEventStatus, readonly MessageStatus[]>> = {
  sent: [],
  delay: ['sent', 'delay'],
  delivered: ['sent', 'delay', 'error'],
  bounce: ['sent', 'delay', 'delivered', 'error'],
  complaint: ['sent', 'delay', 'delivered', 'error'],
  error: ['sent', 'delay'],
};

/** A timestamp as Herald stores it (ISO 8601, UTC); `fallback` when the provider's is missing or unreadable. */
function isoOr(at: string | undefined, fallback: Date): string {
  const ms = at === undefined ? Number.NaN : Date.parse(at);
  return Number.isNaN(ms) ? fallback.toISOString() : new Date(ms).toISOString();
}

/** The order rules above, for one event and the message as stored. `now` stands in for a missing time. */
export function providerEventDecision(
  message: Pick<MessageRecord, 'status' | 'history'>,
  event: Pick<ProviderStatusEvent, 'status' | 'code' | 'reason' | 'at'>,
  now: Date,
): ProviderEventDecision {
  const current = message.status;
  if (current === 'queued') return { kind: 'too-early' };
  if (current === 'exclude') return { kind: 'ignore', reason: 'not-sent' };
  // A provider's `sent` counts only where Herald has none yet: a try Herald recorded as "not now"
  // (a timeout) that the provider did take.
  const replaces =
    event.status === 'sent'
      ? current === 'delay' && !message.history.some((change) => change.status === 'sent')
      : REPLACES[event.status].includes(current);
  if (!replaces) return { kind: 'ignore', reason: current === event.status ? 'repeat' : 'superseded' };
  return { kind: 'apply', change: providerChange(event, now) };
}

/** The history entry of a provider event: its status, code, reason and time (`now` when it has none). */
export function providerChange(
  event: Pick<ProviderStatusEvent, 'status' | 'code' | 'reason' | 'at'>,
  now: Date,
): StatusChange {
  return {
    status: event.status,
    at: isoOr(event.at, now),
    code: event.code,
    ...(event.reason !== undefined ? { reason: event.reason } : {}),
  };
}

/**
 * A stable key for one provider event: the same event delivered twice has the same key, two
 * events never share one. Made of what identifies an SES event (its message, its kind and code,
 * its own timestamp, its feedback id, its recipients), never of the envelope (SNS gives each
 * publication its own id). `p-` and 22 base64url characters (132 bits of SHA-256): the status
 * event's id is `<messageId>:p-…`, beside dispatch's `<messageId>:<seq>`.
 */
export function providerEventKey(
  event: Pick<ProviderStatusEvent, 'providerMessageId' | 'status' | 'code' | 'at' | 'addresses' | 'provider'>,
): `p-${string}` {
  const identity = JSON.stringify([
    event.providerMessageId,
    event.status,
    event.code,
    event.at ?? null,
    event.provider.feedbackId ?? null,
    [...event.addresses].sort(),
  ]);
  return `p-${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}`;
}
