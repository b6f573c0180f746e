import type { MessageStatus } from '../schemas/execution.ts';
import {
  eventBridgeEnvelopeSchema,
  type SesEvent,
  sesEventSchema,
  snsEnvelopeSchema,
} from '../schemas/ses-event.ts';
import { clipReason } from './email.ts';

/**
 * SES feedback → Herald statuses (pure). The provider-events worker reads one SQS record body,
 * calls `mapSesEvent`, and applies the result to the message the tags name. Nothing here throws:
 * a body that is not an SES event, or an event that does not name a Herald message, is `unknown`
 * (counted and dropped by the worker, never retried forever).
 *
 * | SES eventType                     | Herald status | suppress |
 * |-----------------------------------|---------------|----------|
 * | Send                              | sent          |          |
 * | Delivery                          | delivered     |          |
 * | Bounce, Permanent                 | bounce        | yes      |
 * | Bounce, Transient / Undetermined  | delay         |          |
 * | Complaint                         | complaint     | yes      |
 * | Reject, Rendering Failure         | error         |          |
 * | DeliveryDelay                     | delay         |          |
 * | Open, Click, Subscription         | (ignored)     |          |
 */

/** EmailTags Herald puts on every SES message (SendEmail `EmailTags`), read back from `mail.tags`. */
export const HERALD_TAGS = {
  sandbox: 'herald-sandbox',
  executionId: 'herald-execution',
  messageId: 'herald-message',
  /**
   * The partition shard of an audience execution's message (`0`…`MEMBER_SHARDS - 1`), so the
   * provider-events worker reads the message with one GetItem; absent on unitary messages (and on
   * mail sent before the tag existed: the worker then looks in every shard).
   */
  shard: 'herald-shard',
} as const;

/** Statuses a provider event can set. */
export type ProviderEventStatus = Exclude<MessageStatus, 'queued' | 'exclude'>;

export interface HeraldMessageRef {
  readonly sandbox: string;
  readonly executionId: string;
  readonly messageId: string;
  /** The message's shard (audience executions), when the mail said. */
  readonly shard?: number;
}

export interface ProviderStatusEvent {
  readonly kind: 'status';
  readonly message: HeraldMessageRef;
  readonly providerMessageId: string;
  readonly status: ProviderEventStatus;
  /** Stable Herald code, e.g. `ses-bounce-permanent-general`, `ses-complaint-abuse`. */
  readonly code: string;
  /** The provider's words (diagnostic code, SMTP response, reject reason), one line. */
  readonly reason?: string;
  /** Put the addresses on the sandbox suppression list (permanent bounce, complaint). */
  readonly suppress: boolean;
  /** The recipients the event is about (Herald sends one per message). */
  readonly addresses: readonly string[];
  /** When the provider says it happened (the event's own timestamp, else the mail's). */
  readonly at?: string;
  /** SES's own fields, for the webhook payload's messageFailure and for support. */
  readonly provider: Readonly<Record<string, string | number>>;
}

export interface IgnoredProviderEvent {
  readonly kind: 'ignored';
  readonly eventType: string;
  readonly providerMessageId: string;
}

export interface UnknownProviderEvent {
  readonly kind: 'unknown';
  /** Why it could not be used, without the body (it holds addresses). */
  readonly reason: string;
}

export type ProviderEventResult = ProviderStatusEvent | IgnoredProviderEvent | UnknownProviderEvent;

/**
 * Tag values may only hold ASCII letters, digits, `_` and `-` (at most 256). Herald's ids already
 * do (sandbox names are `[a-z][a-z0-9-]*`, ids are UUIDs), so encoding is the identity for them;
 * anything else is escaped as `_XX` per UTF-8 byte (and `_` itself as `_5F`), which keeps the
 * mapping reversible, so two different ids can never share a tag value.
 */
export function encodeTagValue(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9-]/.test(char) ? char : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.length > 256)
    throw new Error(`tag value for '${value.slice(0, 32)}…' is longer than 256 characters`);
  return out;
}

/** The inverse of encodeTagValue; undefined for a value it cannot have written. */
export function decodeTagValue(value: string): string | undefined {
  if (!/^(?:[A-Za-z0-9-]|_[0-9A-F]{2})*$/.test(value)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i += 1) {
    if (value[i] === '_') {
      bytes.push(Number.parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(value.charCodeAt(i));
  }
  const decoded = Buffer.from(bytes).toString('utf8');
  return encodeTagValue(decoded) === value ? decoded : undefined;
}

/** SendEmail's EmailTags for a Herald message. */
export function heraldTags(ref: HeraldMessageRef): { Name: string; Value: string }[] {
  return [
    { Name: HERALD_TAGS.sandbox, Value: encodeTagValue(ref.sandbox) },
    { Name: HERALD_TAGS.executionId, Value: encodeTagValue(ref.executionId) },
    { Name: HERALD_TAGS.messageId, Value: encodeTagValue(ref.messageId) },
    ...(ref.shard !== undefined ? [{ Name: HERALD_TAGS.shard, Value: String(ref.shard) }] : []),
  ];
}

function heraldRef(tags: Readonly<Record<string, readonly string[]>>): HeraldMessageRef | undefined {
  const read = (name: string) => {
    const values = tags[name];
    return values?.length === 1 && values[0] !== undefined ? decodeTagValue(values[0]) : undefined;
  };
  const sandbox = read(HERALD_TAGS.sandbox);
  const executionId = read(HERALD_TAGS.executionId);
  const messageId = read(HERALD_TAGS.messageId);
  if (!sandbox || !executionId || !messageId) return undefined;
  // A shard Herald cannot have written is left out: the worker then looks in every shard.
  const shardTag = read(HERALD_TAGS.shard);
  const shard = shardTag !== undefined && /^(0|[1-9]\d{0,3})$/.test(shardTag) ? Number(shardTag) : undefined;
  return { sandbox, executionId, messageId, ...(shard !== undefined ? { shard } : {}) };
}

/** `Permanent`, `OnAccountSuppressionList` → `permanent`, `onaccountsuppressionlist`. */
const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Drops undefined fields, so `provider` holds only what SES said. */
function defined(
  fields: Record<string, string | number | null | undefined>,
): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(fields))
    if (value !== undefined && value !== null) out[key] = value;
  return out;
}

type IgnoredEvent = Extract<SesEvent, { eventType: 'Open' | 'Click' | 'Subscription' }>;

const isIgnored = (event: SesEvent): event is IgnoredEvent =>
  event.eventType === 'Open' || event.eventType === 'Click' || event.eventType === 'Subscription';

type Mapped = Omit<ProviderStatusEvent, 'kind' | 'message' | 'providerMessageId'>;

function mapEvent(event: Exclude<SesEvent, IgnoredEvent>): Mapped {
  const destination = event.mail.destination;
  const sent = event.mail.timestamp;
  switch (event.eventType) {
    case 'Send':
      return {
        status: 'sent',
        code: 'ses-send',
        suppress: false,
        addresses: destination,
        provider: {},
        ...at(sent),
      };
    case 'Delivery': {
      const d = event.delivery;
      return {
        status: 'delivered',
        code: 'ses-delivery',
        ...reason(d.smtpResponse),
        suppress: false,
        addresses: d.recipients.length ? d.recipients : destination,
        ...at(d.timestamp ?? sent),
        provider: defined({
          smtpResponse: d.smtpResponse,
          reportingMTA: d.reportingMTA,
          processingTimeMillis: d.processingTimeMillis,
        }),
      };
    }
    case 'Bounce': {
      const b = event.bounce;
      const first = b.bouncedRecipients[0];
      const permanent = b.bounceType === 'Permanent';
      return {
        status: permanent ? 'bounce' : 'delay',
        code: `ses-bounce-${slug(b.bounceType)}${b.bounceSubType ? `-${slug(b.bounceSubType)}` : ''}`,
        ...reason(
          first?.diagnosticCode ?? `${b.bounceType} bounce${b.bounceSubType ? ` (${b.bounceSubType})` : ''}`,
        ),
        suppress: permanent,
        addresses: b.bouncedRecipients.length ? b.bouncedRecipients.map((r) => r.emailAddress) : destination,
        ...at(b.timestamp ?? sent),
        provider: defined({
          bounceType: b.bounceType,
          bounceSubType: b.bounceSubType,
          status: first?.status,
          diagnosticCode: first?.diagnosticCode,
          action: first?.action,
          feedbackId: b.feedbackId,
          reportingMTA: b.reportingMTA,
        }),
      };
    }
    case 'Complaint': {
      const c = event.complaint;
      const kind = c.complaintFeedbackType ?? c.complaintSubType ?? undefined;
      return {
        status: 'complaint',
        code: kind ? `ses-complaint-${slug(kind)}` : 'ses-complaint',
        ...reason(
          kind ? `The recipient reported the message (${kind})` : 'The recipient marked the message as spam',
        ),
        suppress: true,
        addresses: c.complainedRecipients.length
          ? c.complainedRecipients.map((r) => r.emailAddress)
          : destination,
        ...at(c.timestamp ?? sent),
        provider: defined({
          complaintFeedbackType: c.complaintFeedbackType,
          complaintSubType: c.complaintSubType,
          feedbackId: c.feedbackId,
          userAgent: c.userAgent,
          arrivalDate: c.arrivalDate,
        }),
      };
    }
    case 'Reject':
      return {
        status: 'error',
        code: 'ses-reject',
        ...reason(event.reject.reason ?? 'SES rejected the message'),
        suppress: false,
        addresses: destination,
        ...at(sent),
        provider: defined({ reason: event.reject.reason }),
      };
    case 'Rendering Failure':
      return {
        status: 'error',
        code: 'ses-rendering-failure',
        ...reason(event.failure.errorMessage ?? 'SES could not render the message'),
        suppress: false,
        addresses: destination,
        ...at(sent),
        provider: defined({
          errorMessage: event.failure.errorMessage,
          templateName: event.failure.templateName,
        }),
      };
    case 'DeliveryDelay': {
      const d = event.deliveryDelay;
      const first = d.delayedRecipients[0];
      return {
        status: 'delay',
        code: `ses-delay-${slug(d.delayType)}`,
        ...reason(first?.diagnosticCode ?? `Delivery delayed (${d.delayType})`),
        suppress: false,
        addresses: d.delayedRecipients.length ? d.delayedRecipients.map((r) => r.emailAddress) : destination,
        ...at(d.timestamp ?? sent),
        provider: defined({
          delayType: d.delayType,
          status: first?.status,
          diagnosticCode: first?.diagnosticCode,
          expirationTime: d.expirationTime,
          reportingMTA: d.reportingMTA,
        }),
      };
    }
  }
}

const reason = (text: string | undefined) => (text ? { reason: clipReason(text) } : {});
const at = (timestamp: string | undefined) => (timestamp ? { at: timestamp } : {});

/** The provider's document inside an SQS body: raw (SNS raw delivery), an SNS envelope, or EventBridge. */
export function unwrap(body: unknown): { document: unknown } | { error: string } {
  const sns = snsEnvelopeSchema.safeParse(body);
  if (sns.success) {
    try {
      return { document: JSON.parse(sns.data.Message) };
    } catch {
      return { error: 'the SNS Message is not JSON' };
    }
  }
  const eventBridge = eventBridgeEnvelopeSchema.safeParse(body);
  if (eventBridge.success) return { document: eventBridge.data.detail };
  return { document: body };
}

/**
 * Maps one provider-events record body (a string as SQS gives it, or already parsed) to what
 * Herald does with it. Never throws.
 */
export function mapSesEvent(body: unknown): ProviderEventResult {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return { kind: 'unknown', reason: 'the body is not JSON' };
    }
  }
  const unwrapped = unwrap(parsed);
  if ('error' in unwrapped) return { kind: 'unknown', reason: unwrapped.error };
  const result = sesEventSchema.safeParse(unwrapped.document);
  if (!result.success) {
    // Name the failing fields, never their values (they hold addresses).
    const fields = [...new Set(result.error.issues.map((issue) => issue.path.join('.') || '(document)'))];
    return { kind: 'unknown', reason: `not an SES event document: ${fields.slice(0, 5).join(', ')}` };
  }
  const event = result.data;
  const providerMessageId = event.mail.messageId;
  if (isIgnored(event)) {
    return { kind: 'ignored', eventType: event.eventType, providerMessageId };
  }
  const message = heraldRef(event.mail.tags);
  if (!message)
    return { kind: 'unknown', reason: `the ${event.eventType} event carries no Herald message tags` };
  return { kind: 'status', message, providerMessageId, ...mapEvent(event) };
}
