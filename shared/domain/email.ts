/** What every email provider shares: the sender, the provider text carried in statuses, the headers a message may add. */

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
