import { describe, expect, it } from 'vitest';
import { IdentityConflictError, ValidationError } from '../../shared/domain/errors.ts';
import {
  chooseProfile,
  mergeAttributes,
  mergeConsent,
  normalizeIdentities,
} from '../../shared/domain/profile.ts';

const none = new Set<string>();

const validationFields = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.fields;
    throw error;
  }
  throw new Error('no ValidationError');
};

describe('normalizeIdentities', () => {
  it('normalises each identity for its namespace', () => {
    expect(
      normalizeIdentities(
        [
          { namespace: 'email', id: ' Ann@Example.com ' },
          { namespace: 'phone', id: '+1 (415) 555-0123' },
          { namespace: 'crmId', id: ' C-1 ' },
        ],
        new Set(['crmId']),
      ),
    ).toEqual([
      { namespace: 'email', id: 'ann@example.com' },
      { namespace: 'phone', id: '+14155550123' },
      { namespace: 'crmId', id: 'C-1' },
    ]);
  });

  it('drops repeats found after normalisation, keeping the first', () => {
    expect(
      normalizeIdentities(
        [
          { namespace: 'email', id: 'ann@example.com' },
          { namespace: 'phone', id: '0044 20 7946 0958' },
          { namespace: 'email', id: 'ANN@example.com ' },
          { namespace: 'phone', id: '+442079460958' },
        ],
        none,
      ),
    ).toEqual([
      { namespace: 'email', id: 'ann@example.com' },
      { namespace: 'phone', id: '+442079460958' },
    ]);
  });

  it('keeps equal values in different namespaces apart', () => {
    expect(
      normalizeIdentities(
        [
          { namespace: 'crmId', id: 'x1' },
          { namespace: 'loyaltyId', id: 'x1' },
        ],
        new Set(['crmId', 'loyaltyId']),
      ),
    ).toHaveLength(2);
  });

  it('names every bad identity by index, id or namespace, in one error', () => {
    const fields = validationFields(() =>
      normalizeIdentities(
        [
          { namespace: 'email', id: 'ok@example.com' },
          { namespace: 'email', id: 'nope' },
          { namespace: 'crmId', id: 'C-1' },
          { namespace: 'phone', id: '12345' },
        ],
        none,
      ),
    );
    expect(fields.map((f) => f.path)).toEqual([
      'identities[1].id',
      'identities[2].namespace',
      'identities[3].id',
    ]);
    expect(fields[1]?.message).toContain("'crmId'");
  });

  it('uses the base path it is given', () => {
    expect(
      validationFields(() =>
        normalizeIdentities([{ namespace: 'ecid', id: '1' }], none, 'body.recipients'),
      ).map((f) => f.path),
    ).toEqual(['body.recipients[0].id']);
  });

  it('accepts a custom namespace only when it is registered', () => {
    expect(normalizeIdentities([{ namespace: 'crmId', id: 'a' }], new Set(['crmId']))).toEqual([
      { namespace: 'crmId', id: 'a' },
    ]);
    expect(() => normalizeIdentities([{ namespace: 'crmId', id: 'a' }], new Set(['other']))).toThrow(
      ValidationError,
    );
  });
});

describe('chooseProfile', () => {
  const identities = [
    { namespace: 'email', id: 'ann@example.com' },
    { namespace: 'phone', id: '+14155550123' },
  ];

  it('creates a new profile when no identity has an owner', () => {
    expect(chooseProfile(identities, new Map())).toEqual({ kind: 'new' });
    expect(chooseProfile(identities, new Map([['email:other@example.com', 'p9']]))).toEqual({ kind: 'new' });
  });

  it('writes to the one profile that owns some or all of the identities', () => {
    expect(chooseProfile(identities, new Map([['phone:+14155550123', 'p1']]))).toEqual({
      kind: 'existing',
      profileId: 'p1',
    });
    expect(
      chooseProfile(
        identities,
        new Map([
          ['email:ann@example.com', 'p1'],
          ['phone:+14155550123', 'p1'],
        ]),
      ),
    ).toEqual({ kind: 'existing', profileId: 'p1' });
  });

  it('refuses identities of two profiles, naming both', () => {
    let caught: unknown;
    try {
      chooseProfile(
        identities,
        new Map([
          ['email:ann@example.com', 'p1'],
          ['phone:+14155550123', 'p2'],
        ]),
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(IdentityConflictError);
    const conflict = caught as IdentityConflictError;
    expect(conflict.status).toBe(409);
    expect(conflict.extensions).toEqual({ profileIds: ['p1', 'p2'] });
    expect(conflict.detail).toContain('email:ann@example.com');
    expect(conflict.detail).toContain('phone:+14155550123');
  });
});

describe('mergeAttributes', () => {
  it('merges objects key by key, at any depth', () => {
    expect(
      mergeAttributes(
        { name: { first: 'Ann', last: 'Lee' }, tier: 'gold', address: { geo: { lat: 1, lon: 2 } } },
        { name: { first: 'Anna' }, address: { geo: { lat: 3 } }, age: 30 },
      ),
    ).toEqual({
      name: { first: 'Anna', last: 'Lee' },
      tier: 'gold',
      address: { geo: { lat: 3, lon: 2 } },
      age: 30,
    });
  });

  it('replaces arrays instead of merging them', () => {
    expect(mergeAttributes({ tags: ['a', 'b', 'c'] }, { tags: ['z'] })).toEqual({ tags: ['z'] });
    expect(mergeAttributes({ tags: { a: 1 } }, { tags: ['z'] })).toEqual({ tags: ['z'] });
    expect(mergeAttributes({ tags: ['a'] }, { tags: { a: 1 } })).toEqual({ tags: { a: 1 } });
  });

  it('replaces a scalar with an object and an object with a scalar', () => {
    expect(mergeAttributes({ a: 'x' }, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
    expect(mergeAttributes({ a: { b: 1 } }, { a: 'x' })).toEqual({ a: 'x' });
  });

  it('removes a member set to null, at the top and nested', () => {
    expect(
      mergeAttributes({ a: 1, b: 2, n: { x: 1, y: 2 } }, { a: null, n: { y: null }, missing: null }),
    ).toEqual({ b: 2, n: { x: 1 } });
  });

  it('drops nulls inside a new object rather than storing them', () => {
    expect(mergeAttributes({}, { n: { x: null, y: 1 } })).toEqual({ n: { y: 1 } });
  });

  it('leaves its inputs untouched', () => {
    const base = { n: { x: 1 } };
    const patch = { n: { y: 2 } };
    mergeAttributes(base, patch);
    expect(base).toEqual({ n: { x: 1 } });
    expect(patch).toEqual({ n: { y: 2 } });
  });
});

describe('mergeConsent', () => {
  it('keeps the base without a marketing patch', () => {
    const base = { marketing: { email: 'y' as const } };
    expect(mergeConsent(base, undefined)).toEqual(base);
    expect(mergeConsent(base, {})).toEqual(base);
  });

  it('merges channel by channel, the patch winning', () => {
    expect(
      mergeConsent({ marketing: { email: 'y', sms: 'y' } }, { marketing: { sms: 'n', push: 'y' } }),
    ).toEqual({
      marketing: { email: 'y', sms: 'n', push: 'y' },
    });
    expect(mergeConsent({}, { marketing: { email: 'n' } })).toEqual({ marketing: { email: 'n' } });
  });

  it('keeps a nested key named __proto__ as data instead of a prototype', () => {
    const merged = mergeAttributes({}, JSON.parse('{"a":{"__proto__":{"x":1}}}') as Record<string, unknown>);
    const a = merged.a as Record<string, unknown>;
    expect(Object.hasOwn(a, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
    expect((a as { x?: number }).x).toBeUndefined();
  });
});
