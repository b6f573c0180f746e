import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/domain/errors.ts';
import {
  decodeShardedCursor,
  encodeShardedCursor,
  mergeNewestFirst,
  readNewestFirst,
  type ShardFetch,
  type ShardQuery,
  shardOf,
} from '../../shared/store/sharded-listing.ts';

const listing = (count: number, id = 'SB#prod#WHATT#w1') => ({
  id,
  pks: Array.from({ length: count }, (_, s) => `${id}#${s}`),
});

/**
 * Partitions in memory that answer queries as DynamoDB does: newest first, `sk < before`, at most
 * `limit` items, a last key when the page was cut short by the limit. Counts the queries.
 */
function partitions(contents: Record<string, string[]>) {
  const queries: ShardQuery[] = [];
  const fetch: ShardFetch<string> = async (query) => {
    queries.push(query);
    const startSk = query.startKey?.sk;
    const all = [...(contents[query.pk] ?? [])]
      .sort()
      .reverse()
      .filter(
        (sk) =>
          (query.before === undefined || sk < query.before) &&
          (startSk === undefined || sk < String(startSk)),
      );
    const entries = all.slice(0, query.limit).map((sk) => ({ sk, value: sk }));
    const last = entries.at(-1);
    // DynamoDB returns a last key whenever it stopped at the limit, even if nothing follows.
    return entries.length === query.limit && last
      ? { entries, lastKey: { pk: query.pk, sk: last.sk } }
      : { entries };
  };
  return { fetch, queries };
}

/** Reads every page of a listing through its cursors. */
async function readAll(
  l: ReturnType<typeof listing>,
  fetch: ShardFetch<string>,
  limit: number,
): Promise<{ items: string[]; pages: number }> {
  const items: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await readNewestFirst(l, fetch, { limit, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor && pages < 10_000);
  return { items, pages };
}

const fieldsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.fields;
    throw error;
  }
  throw new Error('the cursor was accepted');
};

describe('shardOf', () => {
  it('is stable and spreads ids over every shard', () => {
    expect(shardOf('event-1', 512)).toBe(shardOf('event-1', 512));
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) {
      const s = shardOf(`event-${i}`, 16);
      counts[s] = (counts[s] ?? 0) + 1;
    }
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1200);
  });
});

describe('mergeNewestFirst', () => {
  it('takes the greatest head each time, across partitions', () => {
    const shards = [
      {
        buffer: [
          { sk: 'c', value: 1 },
          { sk: 'a', value: 2 },
        ],
        exhausted: true,
      },
      {
        buffer: [
          { sk: 'd', value: 3 },
          { sk: 'b', value: 4 },
        ],
        exhausted: true,
      },
    ];
    expect(mergeNewestFirst(shards, 10)).toEqual({
      taken: ['d', 'c', 'b', 'a'].map((sk) => expect.objectContaining({ sk })),
      refill: [],
    });
  });

  it('stops to refill a partition that may hold more before taking anything past it', () => {
    const shards = [
      { buffer: [{ sk: 'c', value: 1 }], exhausted: false },
      {
        buffer: [
          { sk: 'b', value: 2 },
          { sk: 'a', value: 3 },
        ],
        exhausted: true,
      },
    ];
    const first = mergeNewestFirst(shards, 10);
    expect(first.taken.map((e) => e.sk)).toEqual(['c']);
    expect(first.refill).toEqual([0]);
  });

  it('stops at the limit', () => {
    const shards = [{ buffer: ['c', 'b', 'a'].map((sk) => ({ sk, value: sk })), exhausted: true }];
    expect(mergeNewestFirst(shards, 2).taken.map((e) => e.sk)).toEqual(['c', 'b']);
    expect(shards[0]?.buffer.map((e) => e.sk)).toEqual(['a']);
  });
});

describe('readNewestFirst', () => {
  it('reads every item once, newest first, through the cursors, whatever the page size', async () => {
    const l = listing(8);
    const contents: Record<string, string[]> = {};
    const all: string[] = [];
    for (let i = 0; i < 300; i++) {
      const sk = `2026-12-03T12:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z#e${i}`;
      const pk = l.pks[shardOf(`e${i}`, 8)] ?? '';
      contents[pk] = [...(contents[pk] ?? []), sk];
      all.push(sk);
    }
    const expected = [...all].sort().reverse();
    for (const limit of [1, 7, 25, 100, 500]) {
      const { fetch } = partitions(contents);
      const { items } = await readAll(l, fetch, limit);
      expect(items).toEqual(expected);
    }
  });

  it('refills a partition that holds most of a page (a skewed log)', async () => {
    const l = listing(4);
    const heavy = Array.from({ length: 40 }, (_, i) => `b${String(i).padStart(2, '0')}`);
    const { fetch, queries } = partitions({ [l.pks[2] ?? '']: heavy, [l.pks[0] ?? '']: ['a1', 'c1'] });
    const page = await readNewestFirst(l, fetch, { limit: 20 });
    expect(page.items).toEqual(['c1', ...[...heavy].reverse().slice(0, 19)]);
    // One query per partition, then one more of the heavy one for what the page lacked.
    expect(queries.filter((q) => q.pk === l.pks[2])).toHaveLength(2);
    expect(queries).toHaveLength(5);
  });

  it('skips, on later pages, the partitions known to hold nothing more', async () => {
    const l = listing(4);
    const { fetch, queries } = partitions({
      [l.pks[0] ?? '']: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'],
      [l.pks[1] ?? '']: ['b9'],
    });
    const first = await readNewestFirst(l, fetch, { limit: 3 });
    expect(first.items).toEqual(['b9', 'a6', 'a5']);
    queries.length = 0;
    const second = await readNewestFirst(l, fetch, { limit: 3, cursor: first.nextCursor ?? '' });
    expect(second.items).toEqual(['a4', 'a3', 'a2']);
    expect(queries.map((q) => q.pk)).toEqual([l.pks[0]]);
    const third = await readNewestFirst(l, fetch, { limit: 3, cursor: second.nextCursor ?? '' });
    expect(third).toEqual({ items: ['a1'] });
  });

  it('gives no cursor when the listing is empty or read to its end', async () => {
    const { fetch } = partitions({});
    expect(await readNewestFirst(listing(3), fetch, { limit: 5 })).toEqual({ items: [] });
  });
});

describe('sharded cursors', () => {
  const l = listing(10);
  const position = {
    before: '2026-12-03T12:00:00.000Z#e1#1',
    done: [true, false, false, true, ...new Array<boolean>(6).fill(false)],
  };

  it('round-trip the position and the done partitions, and stay short', () => {
    const cursor = encodeShardedCursor(l, position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeShardedCursor(cursor, l)).toEqual(position);
    const wide = listing(513);
    const wideCursor = encodeShardedCursor(wide, {
      before: position.before,
      done: new Array<boolean>(513).fill(true),
    });
    expect(wideCursor.length).toBeLessThan(400);
  });

  it.each([
    ['another listing', encodeShardedCursor(listing(10, 'SB#prod#WHATT#w2'), position)],
    ["another sandbox's listing", encodeShardedCursor(listing(10, 'SB#dev#WHATT#w1'), position)],
    [
      'another number of partitions',
      encodeShardedCursor(listing(9), { ...position, done: position.done.slice(0, 9) }),
    ],
    [
      'an empty position',
      Buffer.from(JSON.stringify({ l: l.id, n: 10, b: '', d: 'AAA' })).toString('base64url'),
    ],
    [
      'done flags of the wrong length',
      Buffer.from(JSON.stringify({ l: l.id, n: 10, b: 'x', d: 'AAAA' })).toString('base64url'),
    ],
    [
      'a plain key cursor',
      Buffer.from(JSON.stringify({ pk: 'SB#prod#WHATT#w1', sk: 'x' })).toString('base64url'),
    ],
    ['not JSON', 'bm90IGpzb24'],
  ])('refuse %s, naming query.cursor', (_, cursor) => {
    expect(fieldsOf(() => decodeShardedCursor(cursor, l))).toEqual([
      { path: 'query.cursor', message: 'is not a cursor returned by this listing' },
    ]);
  });
});
