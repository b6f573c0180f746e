import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../shared/domain/auth.ts';
import { UnauthorizedError } from '../../shared/domain/errors.ts';
import type { ApiKeyRecord, ApiKeyStore } from '../../shared/ports.ts';
import { createAuthenticator } from '../../shared/use-cases/authenticate.ts';

/** An in-memory key store that counts lookups. */
function keyStore(records: ApiKeyRecord[]) {
  const byHash = new Map(records.map((r) => [r.hash, r]));
  const store: ApiKeyStore & { lookups: number } = {
    lookups: 0,
    async create(record) {
      byHash.set(record.hash, record);
    },
    async findByHash(hash) {
      store.lookups++;
      return byHash.get(hash);
    },
    async list() {
      return [...byHash.values()];
    },
    async delete(_sandbox, id) {
      for (const [hash, r] of byHash) if (r.id === id) return byHash.delete(hash);
      return false;
    },
  };
  return store;
}

const key = 'hrld_test-key-with-enough-entropy-000000000000';
const record: ApiKeyRecord = {
  id: 'k1',
  hash: hashApiKey(key),
  sandbox: 'prod',
  scopes: ['campaigns:read'],
  createdAt: '2030-01-01T00:00:00Z',
  createdBy: 'root',
};

describe('authentication', () => {
  it('refuses a missing header, another scheme, and an unknown key with 401', async () => {
    const authenticate = createAuthenticator({ keys: keyStore([record]), cacheMs: 0 });
    await expect(authenticate(undefined)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(authenticate('Basic abc')).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(authenticate('Bearer hrld_unknown')).rejects.toThrow('not valid');
  });

  it('resolves a sandbox key and the operator key', async () => {
    const authenticate = createAuthenticator({
      keys: keyStore([record]),
      cacheMs: 0,
      adminKeyHash: hashApiKey('operator-key-0123456789abcdef'),
    });
    await expect(authenticate(`bearer ${key}`)).resolves.toEqual({
      kind: 'sandbox',
      keyId: 'k1',
      sandbox: 'prod',
      scopes: ['campaigns:read'],
    });
    await expect(authenticate('Bearer operator-key-0123456789abcdef')).resolves.toEqual({
      kind: 'root',
      keyId: 'admin',
    });
  });

  it('reads a key once per cache period, and a revoked key stops working when it expires', async () => {
    let clock = 0;
    const store = keyStore([record]);
    const authenticate = createAuthenticator({ keys: store, cacheMs: 10_000, nowMs: () => clock });
    await authenticate(`Bearer ${key}`);
    await authenticate(`Bearer ${key}`);
    expect(store.lookups).toBe(1);
    await store.delete('prod', 'k1');
    clock = 9_999;
    await expect(authenticate(`Bearer ${key}`)).resolves.toMatchObject({ keyId: 'k1' });
    clock = 10_001;
    await expect(authenticate(`Bearer ${key}`)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(store.lookups).toBe(2);
  });

  it('caches unknown keys too, so a flood of bad keys does not read the table each time', async () => {
    const store = keyStore([]);
    const authenticate = createAuthenticator({ keys: store, cacheMs: 10_000, nowMs: () => 0 });
    for (let i = 0; i < 5; i++) await expect(authenticate('Bearer hrld_bad')).rejects.toThrow();
    expect(store.lookups).toBe(1);
  });
});
