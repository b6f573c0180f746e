import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/domain/errors.ts';
import { decodeCursor, encodeCursor, keys } from '../../shared/store/keys.ts';

const campaigns = keys.campaigns('prod');
const lastKey = keys.campaign('prod', '01a20708-a928-7d86-8254-5a5c8f38d212');

const cursorError = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.fields;
    throw error;
  }
  throw new Error('the cursor was accepted');
};

describe('page cursors', () => {
  it('round-trip the last key of a listing', () => {
    const cursor = encodeCursor(lastKey);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, campaigns.pk, campaigns.prefix)).toEqual(lastKey);
  });

  it('keep only pk and sk of the last key', () => {
    const cursor = encodeCursor({ ...lastKey, duePk: 'DUE', dueSk: 'x', secret: 'no' });
    expect(JSON.parse(Buffer.from(cursor!, 'base64url').toString('utf8'))).toEqual(lastKey);
  });

  it('are absent when there is no next page, and no cursor means the first page', () => {
    expect(encodeCursor(undefined)).toBeUndefined();
    expect(decodeCursor(undefined, campaigns.pk, campaigns.prefix)).toBeUndefined();
  });

  it.each([
    ["another sandbox's partition", encodeCursor(keys.campaign('dev', 'c1'))],
    ['another listing of the same partition', encodeCursor(keys.webhook('prod', 'w1'))],
    [
      'a key whose sk is not a string',
      Buffer.from(JSON.stringify({ pk: 'SB#prod', sk: 1 })).toString('base64url'),
    ],
    ['a key without sk', Buffer.from(JSON.stringify({ pk: 'SB#prod' })).toString('base64url')],
    ['JSON null', Buffer.from('null').toString('base64url')],
    ['a JSON string', Buffer.from('"SB#prod"').toString('base64url')],
    ['garbage', 'not a cursor!!'],
    ['an empty string', ''],
  ])('refuse %s with a validation error on query.cursor', (_name, cursor) => {
    expect(cursorError(() => decodeCursor(cursor, campaigns.pk, campaigns.prefix))).toEqual([
      { path: 'query.cursor', message: 'is not a cursor returned by this listing' },
    ]);
  });
});

describe('keys', () => {
  it('start every sandbox item with its sandbox, so listings cannot cross sandboxes', () => {
    expect(keys.campaign('prod', 'c1')).toEqual({ pk: 'SB#prod', sk: 'CAMPAIGN#c1' });
    expect(keys.profile('prod', 'p1').pk.startsWith('SB#prod#')).toBe(true);
    expect(keys.identity('prod', 'email', 'a@x.io').pk).toBe('SB#prod#IDENTITY#email#a@x.io');
    expect(keys.apiKey(null, 'k1')).toEqual({ pk: 'ROOT', sk: 'APIKEY#k1' });
    expect(keys.apiKey('prod', 'k1')).toEqual({ pk: 'SB#prod', sk: 'APIKEY#k1' });
  });

  it('shard audience messages only when a shard is given', () => {
    expect(keys.message('prod', 'e1', 'm1').pk).toBe('SB#prod#EXEC#e1');
    expect(keys.message('prod', 'e1', 'm1', 0).pk).toBe('SB#prod#EXEC#e1#0');
  });
});
