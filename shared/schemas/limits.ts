/**
 * Every size and shape limit Herald enforces, in one place (the README's "Limits" table lists the
 * same numbers). Each exists because some copy of the input must fit somewhere: a DynamoDB item
 * (400 KB, 32 levels of nesting), an SQS message, a problem document a client can read.
 */

/** Recipients per unitary call (the reference system's limit). */
export const MAX_RECIPIENTS = 20;

/** The `context` and `profile` values of one call, all recipients together, as UTF-8 JSON. */
export const MAX_CONTEXT_BYTES = 200 * 1024;

/**
 * How deep any JSON body may nest, the body itself counting as level 1. Free-form objects (context,
 * profile overlays, attributes) are copied into DynamoDB items, which nest at most 32 levels, and
 * every recursive step (hashing, merging, rendering) stays far from the stack's limit.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Array members in one JSON body, all arrays together. The largest lists a body carries are 1,000
 * (audience members per call); schemas report issues per member, and a list of 100,000 bad members
 * would give an issue list long enough to overflow the validator's stack.
 */
export const MAX_ARRAY_MEMBERS = 10_000;

/** DynamoDB numbers: magnitudes from 1e-130 to below 1e126 (and zero). */
export const MIN_NUMBER_MAGNITUDE = 1e-130;
export const MAX_NUMBER_MAGNITUDE = 1e126;

/** Keys refused in every JSON body: they name JavaScript's prototype machinery, never data. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Field issues a problem document lists at most; `issueCount` says how many there were. */
export const MAX_REPORTED_ISSUES = 100;

/** A campaign's content (subject, bodies, push data), as UTF-8 JSON. Live and draft share one item. */
export const MAX_CONTENT_BYTES = 100 * 1024;

/** A profile's attributes after merging, as UTF-8 JSON. */
export const MAX_ATTRIBUTES_BYTES = 100 * 1024;

/**
 * A rendered message (every part together). Larger ones are excluded with `content-too-large`:
 * providers refuse them (SMS and push far earlier) and the sandbox provider's copy is one item.
 */
export const MAX_RENDERED_BYTES = 256 * 1024;

/**
 * A queue message, as sent. SQS takes up to 1 MiB; a queued job also waits, until it is sent, in
 * its claim's DynamoDB item (400 KB), so both bounds are checked before anything is written.
 */
export const MAX_QUEUE_MESSAGE_BYTES = 1024 * 1024;

/** A DynamoDB item, with room left for keys and bookkeeping attributes. */
export const MAX_ITEM_BYTES = 390 * 1024;

/** `Idempotency-Key` header: 1 to 255 visible ASCII characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** Bytes of a value as Herald measures sizes: its UTF-8 JSON. */
export function jsonBytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value), 'utf8');
}
