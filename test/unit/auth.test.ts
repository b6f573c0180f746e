import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  assertSandboxHeader,
  authorize,
  bearerToken,
  generateApiKey,
  hashApiKey,
  type Principal,
  rootCallSandbox,
  sameHash,
  sandboxOf,
  satisfies,
} from '../../shared/domain/auth.ts';
import { ForbiddenError } from '../../shared/domain/errors.ts';

const root: Principal = { kind: 'root', keyId: 'admin' };
const reader: Principal = { kind: 'sandbox', keyId: 'k1', sandbox: 'prod', scopes: ['campaigns:read'] };
const sandboxAdmin: Principal = { kind: 'sandbox', keyId: 'k2', sandbox: 'prod', scopes: ['admin'] };
const noScopes: Principal = { kind: 'sandbox', keyId: 'k3', sandbox: 'dev', scopes: [] };

describe('bearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['Bearer   hrld_x-y_z  ', 'hrld_x-y_z'],
    ['Bearer\tabc', 'abc'],
  ])('reads %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([
    [undefined],
    [''],
    ['Bearer'],
    ['Bearer '],
    ['Basic YWxhZGRpbjpvcGVuc2VzYW1l'],
    ['Token abc'],
    ['abc'],
    ['Bearerabc'],
    ['Bearer abc def'],
    [' Bearer abc'],
  ])('finds no token in %j', (header) => {
    expect(bearerToken(header)).toBeUndefined();
  });
});

describe('API keys', () => {
  it('hashes with SHA-256, as lower-case hex', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashApiKey('hrld_x')).toBe(createHash('sha256').update('hrld_x').digest('hex'));
    expect(hashApiKey('hrld_x')).not.toBe(hashApiKey('hrld_y'));
  });

  it('generates a new prefixed, URL-safe key on every call', () => {
    const keys = Array.from({ length: 20 }, generateApiKey);
    for (const key of keys) expect(key).toMatch(/^hrld_[A-Za-z0-9_-]{43}$/);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('compares hashes exactly', () => {
    const a = hashApiKey('a');
    expect(sameHash(a, hashApiKey('a'))).toBe(true);
    expect(sameHash(a, hashApiKey('b'))).toBe(false);
    expect(sameHash(a, a.slice(0, 32))).toBe(false);
  });
});

describe('satisfies and authorize', () => {
  it('lets any principal through an authenticated route', () => {
    for (const principal of [root, reader, sandboxAdmin, noScopes]) {
      expect(satisfies(principal, 'authenticated')).toBe(true);
    }
  });

  it('reserves root routes to the root key', () => {
    expect(satisfies(root, 'root')).toBe(true);
    expect(satisfies(sandboxAdmin, 'root')).toBe(false);
    expect(() => authorize(sandboxAdmin, 'root')).toThrow('Only the root');
  });

  it('lets the root key manage (admin) but not use a sandbox', () => {
    expect(satisfies(root, 'admin')).toBe(true);
    expect(satisfies(root, 'campaigns:read')).toBe(false);
    expect(() => authorize(root, 'executions:write')).toThrow('belongs to no sandbox');
  });

  it('gives a sandbox key its scopes, and every scope to a sandbox admin', () => {
    expect(satisfies(reader, 'campaigns:read')).toBe(true);
    expect(satisfies(reader, 'campaigns:write')).toBe(false);
    expect(satisfies(reader, 'admin')).toBe(false);
    for (const scope of ['campaigns:write', 'profiles:read', 'webhooks:admin', 'audiences:write'] as const) {
      expect(satisfies(sandboxAdmin, scope), scope).toBe(true);
    }
    expect(satisfies(noScopes, 'profiles:read')).toBe(false);
  });

  it('throws 403 naming the missing scope', () => {
    expect(() => authorize(reader, 'campaigns:read')).not.toThrow();
    let caught: unknown;
    try {
      authorize(reader, 'campaigns:write');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ForbiddenError);
    expect((caught as ForbiddenError).status).toBe(403);
    expect((caught as ForbiddenError).detail).toContain("'campaigns:write'");
  });
});

describe('sandboxOf', () => {
  it("is the key's own sandbox, with or without a matching x-sandbox-name", () => {
    expect(sandboxOf(reader, undefined)).toBe('prod');
    expect(sandboxOf(reader, 'prod')).toBe('prod');
  });

  it('refuses another sandbox name', () => {
    expect(() => sandboxOf(reader, 'dev')).toThrow(ForbiddenError);
    expect(() => sandboxOf(reader, 'dev')).toThrow("'dev'");
    expect(() => sandboxOf(reader, '')).toThrow(ForbiddenError);
  });

  it('refuses the root key, which has no sandbox', () => {
    expect(() => sandboxOf(root, undefined)).toThrow(ForbiddenError);
    expect(() => sandboxOf(root, 'prod')).toThrow('belongs to no sandbox');
  });
});

describe('x-sandbox-name', () => {
  it("must be a sandbox key's own sandbox on any route, when sent", () => {
    expect(() => assertSandboxHeader(reader, undefined)).not.toThrow();
    expect(() => assertSandboxHeader(reader, 'prod')).not.toThrow();
    expect(() => assertSandboxHeader(reader, 'dev')).toThrow(ForbiddenError);
    expect(() => assertSandboxHeader(reader, 'Prod')).toThrow(ForbiddenError);
    // The root key's header is checked against what the call names, below.
    expect(() => assertSandboxHeader(root, 'prod')).not.toThrow();
  });

  it('with the root key, must match the sandbox the call names, or names it', () => {
    expect(rootCallSandbox(undefined, true, 'prod')).toBe('prod');
    expect(rootCallSandbox(undefined, true, undefined)).toBeUndefined();
    expect(rootCallSandbox('prod', true, 'prod')).toBe('prod');
    expect(rootCallSandbox('prod', true, undefined)).toBe('prod');
    expect(() => rootCallSandbox('dev', true, 'prod')).toThrow("does not match the sandbox 'prod'");
  });

  it('with the root key, is refused on a route that works in no sandbox', () => {
    expect(rootCallSandbox(undefined, false, undefined)).toBeUndefined();
    expect(() => rootCallSandbox('prod', false, undefined)).toThrow(ForbiddenError);
  });
});
