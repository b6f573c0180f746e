/**
 * The wire form of every queue message: JSON with each character outside printable ASCII written
 * as a `\uXXXX` escape. SQS refuses U+FFFE, U+FFFF and most C0 controls, the embedded engine also
 * everything above U+FFFF; escaped, any string a user may send (emoji included) crosses every queue
 * intact, and `JSON.parse` on the other side restores it. ADR 0008 says why this and not a refusal.
 */
export function queueBody(value: unknown): string {
  return JSON.stringify(value).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The size SQS counts for a message body (it is ASCII, so characters are bytes). */
export function queueBodyBytes(value: unknown): number {
  return queueBody(value).length;
}
