import { smsVoiceEventSchema } from '../schemas/sms-event.ts';
import { clipReason } from './email.ts';
import { type ProviderEventResult, type ProviderEventStatus, unwrap } from './ses-events.ts';

/** Context keys End User Messaging returns on every event of the message (its `context`). */
export const SMS_CONTEXT_KEYS = {
  sandbox: 'herald-sandbox',
  execution: 'herald-execution',
  message: 'herald-message',
} as const;

/**
 * What each End User Messaging SMS event does to its message (ADR 0020): delivered is
 * `delivered`; a number that cannot take SMS (`TEXT_INVALID`) is a `bounce` and suppressed;
 * a carrier's or the service's refusal, an unreachable handset, an expired TTL or an unknown end
 * is an `error` with its code; the steps before (pending, queued, accepted by the carrier) are
 * not statuses.
 */
const OUTCOMES: Readonly<Record<string, { status: ProviderEventStatus; suppress: boolean } | 'ignore'>> = {
  TEXT_PENDING: 'ignore',
  TEXT_QUEUED: 'ignore',
  TEXT_SENT: 'ignore',
  TEXT_SUCCESSFUL: 'ignore',
  TEXT_DELIVERED: { status: 'delivered', suppress: false },
  TEXT_INVALID: { status: 'bounce', suppress: true },
  TEXT_INVALID_MESSAGE: { status: 'error', suppress: false },
  TEXT_UNREACHABLE: { status: 'error', suppress: false },
  TEXT_CARRIER_UNREACHABLE: { status: 'error', suppress: false },
  TEXT_BLOCKED: { status: 'error', suppress: false },
  TEXT_CARRIER_BLOCKED: { status: 'error', suppress: false },
  TEXT_SPAM: { status: 'error', suppress: false },
  TEXT_PROTECT_BLOCKED: { status: 'error', suppress: false },
  TEXT_TTL_EXPIRED: { status: 'error', suppress: false },
  TEXT_UNKNOWN: { status: 'error', suppress: false },
};

/** `TEXT_CARRIER_UNREACHABLE` → `sms-voice-carrier-unreachable`. */
const codeOf = (eventType: string) => `sms-voice-${eventType.slice(5).toLowerCase().replaceAll('_', '-')}`;

/**
 * Reads a provider-events record body as an End User Messaging SMS event (raw, in an SNS envelope,
 * or an EventBridge event's detail); undefined when it is not one, so the SES reader can try.
 */
export function mapSmsVoiceEvent(body: string): ProviderEventResult | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const unwrapped = unwrap(parsed);
  if ('error' in unwrapped) return undefined;
  const result = smsVoiceEventSchema.safeParse(unwrapped.document);
  if (!result.success) return undefined;
  const event = result.data;
  const outcome = OUTCOMES[event.eventType];
  if (outcome === undefined || outcome === 'ignore')
    return { kind: 'ignored', eventType: event.eventType, providerMessageId: event.messageId };
  const sandbox = event.context[SMS_CONTEXT_KEYS.sandbox];
  const executionId = event.context[SMS_CONTEXT_KEYS.execution];
  const messageId = event.context[SMS_CONTEXT_KEYS.message];
  if (!sandbox || !executionId || !messageId)
    return { kind: 'unknown', reason: `the ${event.eventType} event carries no Herald message context` };
  return {
    kind: 'status',
    message: { sandbox, executionId, messageId },
    providerMessageId: event.messageId,
    status: outcome.status,
    code: codeOf(event.eventType),
    ...(event.messageStatusDescription ? { reason: clipReason(event.messageStatusDescription) } : {}),
    suppress: outcome.suppress,
    addresses: event.destinationPhoneNumber ? [event.destinationPhoneNumber] : [],
    ...(event.eventTimestamp !== undefined ? { at: new Date(event.eventTimestamp).toISOString() } : {}),
    provider: {
      eventType: event.eventType,
      ...(event.messageStatus ? { messageStatus: event.messageStatus } : {}),
      ...(event.totalMessageParts !== undefined ? { totalMessageParts: event.totalMessageParts } : {}),
    },
  };
}
