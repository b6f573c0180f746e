import { createHash } from 'node:crypto';
import { ValidationError } from '../domain/errors.ts';
import type { Page } from '../domain/page.ts';

/**
 * A log spread over several partitions (ADR 0022), read back as one listing, newest first.
 *
 * Writes pick a partition by a hash of an id (`shardOf`). A read queries every partition newest
 * first and merges them (a k-way merge on the sort key). Sort keys must be unique across the
 * partitions — the logs put the hashed id in the sort key, so one sort key lives in one
 * partition — and that makes one position enough for a cursor: after a page whose last sort key
 * is `before`, every item above `before` in every partition has been returned, so each partition
 * goes on below it. The cursor adds which partitions are known to hold nothing below `before`, so
 * later pages skip them. (A cursor of per-partition keys would not fit in a query string at 256
 * partitions.)
 */

/** A stable shard in [0, count) for an id: the first two bytes of its SHA-256. `count` ≤ 65,536. */
export function shardOf(id: string, count: number): number {
  return createHash('sha256').update(id).digest().readUInt16BE(0) % count;
}

/** The partitions of one sharded listing, and a tag that ties its cursors to it. */
export interface ShardedListing {
  /** Names the listing in its cursors (e.g. the partition key the shards share as a prefix). */
  readonly id: string;
  /** The partition keys, in a fixed order (a cursor's `done` flags are by position). */
  readonly pks: readonly string[];
}

/** Where the next page starts: below `before`, in every partition not marked `done`. */
export interface ShardedPosition {
  readonly before: string;
  readonly done: readonly boolean[];
}

/** One item of a partition with its sort key. */
export interface ShardEntry<T> {
  readonly sk: string;
  readonly value: T;
}

/** One query of one partition, newest first. */
export interface ShardQuery {
  readonly pk: string;
  /** Only sort keys strictly below this one (the cursor's position). */
  readonly before?: string;
  /** The `LastEvaluatedKey` of the previous query of this partition in the same page. */
  readonly startKey?: Record<string, unknown>;
  readonly limit: number;
}

export interface ShardQueryResult<T> {
  readonly entries: readonly ShardEntry<T>[];
  readonly lastKey?: Record<string, unknown>;
}

export type ShardFetch<T> = (query: ShardQuery) => Promise<ShardQueryResult<T>>;

export function encodeShardedCursor(listing: ShardedListing, position: ShardedPosition): string {
  const bits = Buffer.alloc(Math.ceil(listing.pks.length / 8));
  position.done.forEach((done, shard) => {
    if (done) bits[shard >> 3] = (bits[shard >> 3] ?? 0) | (1 << (shard & 7));
  });
  const body = { l: listing.id, n: listing.pks.length, b: position.before, d: bits.toString('base64url') };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/**
 * The position a cursor holds, checked to come from this listing with its number of partitions;
 * anything else is the client's mistake, a ValidationError on `field`.
 */
export function decodeShardedCursor(
  cursor: string | undefined,
  listing: ShardedListing,
  field = 'query.cursor',
): ShardedPosition | undefined {
  if (cursor === undefined) return undefined;
  const count = listing.pks.length;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      parsed !== null &&
      typeof parsed === 'object' &&
      'l' in parsed &&
      'n' in parsed &&
      'b' in parsed &&
      'd' in parsed &&
      parsed.l === listing.id &&
      parsed.n === count &&
      typeof parsed.b === 'string' &&
      parsed.b.length > 0 &&
      typeof parsed.d === 'string'
    ) {
      const bits = Buffer.from(parsed.d, 'base64url');
      if (bits.length === Math.ceil(count / 8)) {
        const done = Array.from(
          { length: count },
          (_, shard) => ((bits[shard >> 3] ?? 0) & (1 << (shard & 7))) !== 0,
        );
        return { before: parsed.b, done };
      }
    }
  } catch {
    // fall through: any undecodable cursor is the client's mistake
  }
  throw new ValidationError([{ path: field, message: 'is not a cursor returned by this listing' }]);
}

/**
 * Queries of one read in flight at a time: enough to hide the round trips, few enough to leave the
 * client's sockets (50 by default, shared with every other call of the container) to the rest.
 */
export const SHARD_QUERY_CONCURRENCY = 16;

/** Runs `work` over `items`, at most `concurrency` at a time. */
export async function forEachLimited<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let item = items[next++]; item !== undefined; item = items[next++]) await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** What the merge knows of one partition during a page. */
interface ShardState<T> {
  buffer: ShardEntry<T>[];
  /** Where the next query of this partition goes on; absent once it has nothing more. */
  startKey?: Record<string, unknown>;
  exhausted: boolean;
}

/**
 * Takes up to `limit` entries from the buffers in descending sort-key order, stopping early when
 * a partition that may hold more has an empty buffer (its next entry could be the greatest).
 * Pure; the buffers are consumed from the front. Returns the entries taken and the partitions to
 * refill before going on.
 */
export function mergeNewestFirst<T>(
  shards: readonly { buffer: ShardEntry<T>[]; exhausted: boolean }[],
  limit: number,
): { taken: ShardEntry<T>[]; refill: number[] } {
  const taken: ShardEntry<T>[] = [];
  while (taken.length < limit) {
    const refill = shards.flatMap((s, i) => (s.buffer.length === 0 && !s.exhausted ? [i] : []));
    if (refill.length > 0) return { taken, refill };
    let best: number | undefined;
    shards.forEach((s, i) => {
      const head = s.buffer[0];
      // DynamoDB orders string sort keys by their UTF-8 bytes; the logs' keys are ASCII, where
      // that is the order of `<` on JS strings.
      if (head && (best === undefined || head.sk > (shards[best]?.buffer[0]?.sk ?? ''))) best = i;
    });
    if (best === undefined) break;
    const next = shards[best]?.buffer.shift();
    if (next) taken.push(next);
  }
  return { taken, refill: [] };
}

/**
 * One page of a sharded listing, newest first: every partition not done is queried (side by
 * side) for a share of the page, partitions whose share runs out are queried again for what the
 * page still lacks, and the merge gives the page in order with the cursor of the next one.
 */
export async function readNewestFirst<T>(
  listing: ShardedListing,
  fetch: ShardFetch<T>,
  page: { readonly limit: number; readonly cursor?: string | undefined },
): Promise<Page<T>> {
  const position = decodeShardedCursor(page.cursor, listing);
  const states: ShardState<T>[] = listing.pks.map((_, shard) => ({
    buffer: [],
    exhausted: position?.done[shard] ?? false,
  }));
  const open = states.filter((s) => !s.exhausted).length;
  // An even share of the page and a little slack, so most pages take one query per partition.
  let ask = Math.min(page.limit, Math.ceil(page.limit / Math.max(open, 1)) + 2);
  const taken: ShardEntry<T>[] = [];
  let refill = states.flatMap((s, shard) => (s.exhausted ? [] : [shard]));
  while (refill.length > 0) {
    const limit = ask;
    await forEachLimited(refill, SHARD_QUERY_CONCURRENCY, async (shard) => {
      const state = states[shard];
      const pk = listing.pks[shard];
      if (!state || pk === undefined) return;
      const result = await fetch({
        pk,
        limit,
        ...(position ? { before: position.before } : {}),
        ...(state.startKey ? { startKey: state.startKey } : {}),
      });
      state.buffer.push(...result.entries);
      if (result.lastKey) state.startKey = result.lastKey;
      else {
        delete state.startKey;
        state.exhausted = true;
      }
    });
    const merged = mergeNewestFirst(states, page.limit - taken.length);
    taken.push(...merged.taken);
    refill = merged.refill;
    // A partition asked again is asked for all the page still lacks: at most once more per page.
    ask = page.limit - taken.length;
  }
  const last = taken.at(-1);
  const more = states.some((s) => s.buffer.length > 0 || !s.exhausted);
  if (!last || !more || taken.length < page.limit) return { items: taken.map((e) => e.value) };
  const done = states.map((s) => s.buffer.length === 0 && s.exhausted);
  return {
    items: taken.map((e) => e.value),
    nextCursor: encodeShardedCursor(listing, { before: last.sk, done }),
  };
}
