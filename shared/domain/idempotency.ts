import { createHash } from 'node:crypto';

/**
 * The hash that tells a repeat from a different request under the same idempotency key. The JSON
 * is canonical (keys sorted, undefined dropped), so a client that retries with its fields in
 * another order is still recognised as repeating itself.
 */
export function requestHash(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

/** The idempotency key of an audience send, shared by immediate and scheduled runs. */
export function audienceRequestKey(requestId: string): string {
  return `audience#${requestId}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
