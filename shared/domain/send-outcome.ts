import type { OutgoingMessage, ProviderOutcome } from './channel.ts';

/**
 * What a real provider answers, one step richer than `ProviderOutcome` in channel.ts. This file
 * is the proposal for folding into channel.ts (issue 12); until then the SMTP and SES providers
 * implement `SendingProvider` here and the dispatch use case keeps the sandbox provider's port.
 *
 * - `accepted`: the provider took the message (`sent`); `events` are any statuses it already knows
 *   (the sandbox provider's simulated ones; real providers report later, through provider events).
 * - `retry-later`: nothing was sent, or the provider said "not now" (SMTP 4xx, SES throttling, a
 *   dropped connection). The job is retried with backoff and the message is never excluded;
 *   `throttled` says the provider asked to slow down, so a rate limiter can back off too.
 * - `failed`: the provider refused this message for good. `bounce` (the mailbox does not exist or
 *   cannot take mail: the address is suppressed) or `error` (policy, content, configuration,
 *   account: the address stays usable).
 */
export type SendOutcome = SendAccepted | SendRetryLater | SendFailed;

export interface SendAccepted {
  readonly kind: 'accepted';
  readonly providerMessageId: string;
  readonly events: ProviderOutcome['events'];
}

export interface SendRetryLater {
  readonly kind: 'retry-later';
  /** Herald's code for the answer: `smtp-451`, `ses-TooManyRequestsException`, `smtp-ECONNECTION`… */
  readonly code: string;
  /** The provider's own words (SMTP reply text, SES error message), cut to a readable length. */
  readonly reason: string;
  /** The provider asked to slow down (SMTP 421/450/451/452/454, SES throttling). */
  readonly throttled: boolean;
  /** The SMTP reply code when there was one. */
  readonly smtpCode?: number;
}

export interface SendFailed {
  readonly kind: 'failed';
  readonly status: 'bounce' | 'error';
  readonly code: string;
  readonly reason: string;
  readonly smtpCode?: number;
  /** RFC 3463 enhanced status code (`5.1.1`) when the server gave one. */
  readonly enhancedCode?: string;
}

/** A message with the extra headers email needs (List-Unsubscribe, List-Unsubscribe-Post). */
export interface OutgoingEmail extends OutgoingMessage {
  readonly headers?: Readonly<Record<string, string>>;
}

/** The provider port as issue 12 needs it (see the ADR for the proposed change to channel.ts). */
export interface SendingProvider {
  readonly name: string;
  send(message: OutgoingEmail, now: Date): Promise<SendOutcome>;
  /** Releases pooled connections or clients (SMTP); a no-op for stateless providers. */
  close?(): Promise<void>;
}

/** The sender of a channel configuration, as every email provider needs it. */
export interface EmailSender {
  readonly fromAddress: string;
  readonly fromName?: string;
  readonly replyTo?: string;
}

/** Longest provider text carried in a status (webhook payloads stay small). */
export const MAX_REASON_LENGTH = 512;

export function clipReason(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_REASON_LENGTH ? `${oneLine.slice(0, MAX_REASON_LENGTH - 1)}…` : oneLine;
}

/** Header names any provider accepts: RFC 5322 field names (printable ASCII but colon), ≤ 126. */
const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]{1,126}$/;
/** Headers the provider itself writes; a message may not set them twice or spoof them. */
const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'reply-to',
  'sender',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'dkim-signature',
  'return-path',
]);

export class UnsafeHeaderError extends Error {
  constructor(name: string, why: string) {
    super(`header '${name.slice(0, 64)}' ${why}`);
    this.name = 'UnsafeHeaderError';
  }
}

/**
 * The message's extra headers as providers may send them: names checked, values single-line
 * printable ASCII (a CR or LF would let a value start a header of its own), at most 995
 * characters (SES's limit, and RFC 5322's line length with the name). Non-ASCII values are
 * refused rather than encoded: the headers Herald adds (List-Unsubscribe) are URLs, which are
 * ASCII. Throws UnsafeHeaderError: a programming error, not a recipient's fault.
 */
export function checkedHeaders(headers: Readonly<Record<string, string>> | undefined): [string, string][] {
  const checked: [string, string][] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!HEADER_NAME.test(name)) throw new UnsafeHeaderError(name, 'is not a header name');
    if (RESERVED_HEADERS.has(name.toLowerCase())) throw new UnsafeHeaderError(name, 'is set by the provider');
    if (!/^[\x20-\x7e]*$/.test(value))
      throw new UnsafeHeaderError(name, 'has a value that is not one line of ASCII');
    if (name.length + value.length > 996) throw new UnsafeHeaderError(name, 'is longer than 996 characters');
    checked.push([name, value]);
  }
  return checked;
}
