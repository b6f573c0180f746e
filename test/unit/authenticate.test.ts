import { describe, expect, it } from 'vitest';
import type { ApiKeyRecord } from '../../shared/domain/auth.ts';
import { hashApiKey } from '../../shared/domain/auth.ts';
import { UnauthorizedError } from '../../shared/domain/errors.ts';
import { createAuthenticator } from '../../shared/use-cases/authenticate.ts';
import { FakeApiKeyStore } from './fakes.ts';

const key = 'hrld_test-key-with-enough-entropy-000000000000';
const record: ApiKeyRecord = {
  id: 'k1',
  hash: hashApiKey(key),
  sandbox: 'prod',
  scopes: ['campaigns:read'],
  createdAt: '2030-01-01T00:00:00Z',
  createdBy: 'root',
};
const operatorKey = 'operator-key-0123456789abcdef';

describe('authentication', () => {
  it('refuses a missing header, another scheme, and an unknown key with 401', async () => {
    const store = new FakeApiKeyStore([record]);
    const authenticate = createAuthenticator({ keys: store, cacheMs: 0 });
    await expect(authenticate(undefined)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(authenticate('')).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(authenticate('Basic abc')).rejects.toBeInstanceOf(UnauthorizedError);
    expect(store.lookups).toBe(0);
    const unknown = authenticate('Bearer hrld_unknown');
    await expect(unknown).rejects.toThrow('not valid');
    await expect(unknown).rejects.toMatchObject({
      status: 401,
      headers: { 'www-authenticate': 'Bearer realm="herald"' },
    });
  });

  it('resolves a sandbox key and the operator key', async () => {
    const store = new FakeApiKeyStore([record]);
    const authenticate = createAuthenticator({
      keys: store,
      cacheMs: 0,
      adminKeyHash: hashApiKey(operatorKey),
    });
    await expect(authenticate(`bearer ${key}`)).resolves.toEqual({
      kind: 'sandbox',
      keyId: 'k1',
      sandbox: 'prod',
      scopes: ['campaigns:read'],
    });
    expect(store.lookups).toBe(1);
    await expect(authenticate(`Bearer ${operatorKey}`)).resolves.toEqual({ kind: 'root', keyId: 'admin' });
    expect(store.lookups).toBe(1);
  });

  it('treats the operator key as unknown when no admin hash is configured', async () => {
    const authenticate = createAuthenticator({ keys: new FakeApiKeyStore([record]), cacheMs: 0 });
    await expect(authenticate(`Bearer ${operatorKey}`)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('resolves a stored root key (no sandbox) to a root principal with its own id', async () => {
    const rootKey = 'hrld_root-key-0000000000000000000000000000';
    const store = new FakeApiKeyStore([
      { ...record, id: 'r1', hash: hashApiKey(rootKey), sandbox: null, scopes: [] },
    ]);
    const authenticate = createAuthenticator({ keys: store, cacheMs: 0 });
    await expect(authenticate(`Bearer ${rootKey}`)).resolves.toEqual({ kind: 'root', keyId: 'r1' });
  });

  it('reads a key once per cache period, and a revoked key stops working when it expires', async () => {
    let clock = 0;
    const store = new FakeApiKeyStore([record]);
    const authenticate = createAuthenticator({ keys: store, cacheMs: 10_000, nowMs: () => clock });
    await authenticate(`Bearer ${key}`);
    clock = 5_000;
    await authenticate(`Bearer ${key}`);
    expect(store.lookups).toBe(1);
    expect(await store.delete('prod', 'k1')).toBe(true);
    clock = 9_999;
    await expect(authenticate(`Bearer ${key}`)).resolves.toMatchObject({ keyId: 'k1' });
    expect(store.lookups).toBe(1);
    clock = 10_000;
    await expect(authenticate(`Bearer ${key}`)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(store.lookups).toBe(2);
  });

  it('sees a key created after an unknown lookup once that lookup expires', async () => {
    let clock = 0;
    const store = new FakeApiKeyStore();
    const authenticate = createAuthenticator({ keys: store, cacheMs: 1_000, nowMs: () => clock });
    await expect(authenticate(`Bearer ${key}`)).rejects.toBeInstanceOf(UnauthorizedError);
    await store.create(record);
    await expect(authenticate(`Bearer ${key}`)).rejects.toBeInstanceOf(UnauthorizedError);
    clock = 1_000;
    await expect(authenticate(`Bearer ${key}`)).resolves.toMatchObject({ keyId: 'k1' });
    expect(store.lookups).toBe(2);
  });

  it('caches unknown keys too, so a flood of bad keys does not read the table each time', async () => {
    const store = new FakeApiKeyStore();
    const authenticate = createAuthenticator({ keys: store, cacheMs: 10_000, nowMs: () => 0 });
    for (let i = 0; i < 5; i++) await expect(authenticate('Bearer hrld_bad')).rejects.toThrow();
    expect(store.lookups).toBe(1);
  });

  it('caches each key separately', async () => {
    const other = 'hrld_other-key-000000000000000000000000000';
    const store = new FakeApiKeyStore([
      record,
      { ...record, id: 'k2', hash: hashApiKey(other), sandbox: 'dev', scopes: ['admin'] },
    ]);
    const authenticate = createAuthenticator({ keys: store, cacheMs: 10_000, nowMs: () => 0 });
    await expect(authenticate(`Bearer ${key}`)).resolves.toMatchObject({ sandbox: 'prod' });
    await expect(authenticate(`Bearer ${other}`)).resolves.toMatchObject({
      sandbox: 'dev',
      scopes: ['admin'],
    });
    await expect(authenticate(`Bearer ${key}`)).resolves.toMatchObject({ sandbox: 'prod' });
    expect(store.lookups).toBe(2);
  });

  it('reads the store on every call when caching is off', async () => {
    const store = new FakeApiKeyStore([record]);
    const authenticate = createAuthenticator({ keys: store, cacheMs: 0, nowMs: () => 0 });
    await authenticate(`Bearer ${key}`);
    await authenticate(`Bearer ${key}`);
    expect(store.lookups).toBe(2);
  });

  it('clears the cache when it would grow past maxEntries', async () => {
    const store = new FakeApiKeyStore([record]);
    const authenticate = createAuthenticator({ keys: store, cacheMs: 10_000, maxEntries: 2, nowMs: () => 0 });
    await authenticate(`Bearer ${key}`);
    await expect(authenticate('Bearer hrld_bad-1')).rejects.toThrow();
    await expect(authenticate('Bearer hrld_bad-2')).rejects.toThrow();
    expect(store.lookups).toBe(3);
    await authenticate(`Bearer ${key}`);
    expect(store.lookups).toBe(4);
  });
});
