import { inboundSmsSchema } from '../schemas/sms-inbound.ts';
import { normalizePhone } from './phone.ts';
import { unwrap } from './ses-events.ts';

/**
 * The opt-out keywords AWS End User Messaging SMS answers by default (and carriers expect) — a
 * person who texts one of them to a sending number is opted out by the provider, and Herald
 * withdraws their marketing consent for SMS too, so a marketing campaign stops targeting them
 * whichever provider or number it sends through next.
 */
export const OPT_OUT_KEYWORDS: ReadonlySet<string> = new Set([
  'ARRET',
  'CANCEL',
  'END',
  'OPT-OUT',
  'OPTOUT',
  'QUIT',
  'REMOVE',
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
]);

export type InboundSmsResult =
  /** Not an inbound SMS document: the body is some other provider event. */
  | { readonly kind: 'not-inbound' }
  | {
      readonly kind: 'inbound';
      /** The person's number and the sending number, E.164. */
      readonly from: string;
      readonly to: string;
      /** The text is an opt-out keyword (alone, any case, surrounding spaces and punctuation aside). */
      readonly optOut: boolean;
    };

/** Whether a text asks to opt out: the matched keyword, or the whole body, is an opt-out keyword. */
export function isOptOut(body: string, keyword?: string): boolean {
  const word = (text: string) =>
    text
      .trim()
      .toUpperCase()
      .replace(/[.!\s]+$/u, '');
  return OPT_OUT_KEYWORDS.has(word(keyword ?? '')) || OPT_OUT_KEYWORDS.has(word(body));
}

/**
 * Reads a provider-events record body as an inbound SMS (raw, or in an SNS envelope). Never
 * throws; numbers that are not phone numbers make it `not-inbound`.
 */
export function mapInboundSms(body: string): InboundSmsResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { kind: 'not-inbound' };
  }
  const unwrapped = unwrap(parsed);
  if ('error' in unwrapped) return { kind: 'not-inbound' };
  const result = inboundSmsSchema.safeParse(unwrapped.document);
  if (!result.success) return { kind: 'not-inbound' };
  const from = normalizePhone(result.data.originationNumber);
  const to = normalizePhone(result.data.destinationNumber);
  if (!from.ok || !to.ok) return { kind: 'not-inbound' };
  return {
    kind: 'inbound',
    from: from.value,
    to: to.value,
    optOut: isOptOut(result.data.messageBody, result.data.messageKeyword),
  };
}
