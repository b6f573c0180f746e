import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Scope } from '../schemas/admin.ts';
import { ForbiddenError } from './errors.ts';

export type { Scope };

/**
 * What a route asks of the caller: `root` (the bootstrap key only), `authenticated` (any valid key),
 * or one scope of the caller's own sandbox.
 */
/**
 * `public`: no key at all — only for routes whose path carries its own unguessable, signed
 * credential (the unsubscribe links); the caller is then `anonymous`.
 */
export type RouteRequirement = 'root' | 'authenticated' | 'public' | Scope;

/** Who is calling. A root key manages sandboxes and keys but belongs to no sandbox. */
export type Principal =
  | { readonly kind: 'root'; readonly keyId: string }
  | {
      readonly kind: 'sandbox';
      readonly keyId: string;
      readonly sandbox: string;
      readonly scopes: readonly Scope[];
    };

const KEY_PREFIX = 'hrld_';
const ROOT_HAS_NO_SANDBOX = 'The root key belongs to no sandbox; create a sandbox key with POST /api-keys.';

/** A new API key: 32 random bytes, base64url, behind a recognisable prefix (so secret scanners find it). */
export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Keys are stored only as this hash; a key is high-entropy, so a fast hash is enough. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex hashes. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Reads `Authorization: Bearer <key>`; returns undefined when absent or not a bearer token. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** True when the principal satisfies the requirement (ignoring which sandbox is addressed). */
export function satisfies(principal: Principal, requirement: RouteRequirement): boolean {
  if (requirement === 'public' || requirement === 'authenticated') return true;
  if (principal.kind === 'root') return requirement === 'root' || requirement === 'admin';
  if (requirement === 'root') return false;
  return principal.scopes.includes('admin') || principal.scopes.includes(requirement);
}

/** Throws 403 unless the principal satisfies the route's requirement. */
export function authorize(principal: Principal, requirement: RouteRequirement): void {
  if (satisfies(principal, requirement)) return;
  if (requirement === 'root') throw new ForbiddenError('Only the root (bootstrap) key may do this.');
  if (principal.kind === 'root') throw new ForbiddenError(ROOT_HAS_NO_SANDBOX);
  throw new ForbiddenError(`The API key lacks the scope '${requirement}'.`);
}

/**
 * The sandbox a request works in. Sandbox keys always work in their own sandbox; the root key has
 * none and may only name one where a route allows it (key management).
 * `x-sandbox-name`, when sent, must match: clients written for the reference system send it.
 */
export function sandboxOf(principal: Principal, sandboxHeader: string | undefined): string {
  if (principal.kind === 'root') {
    throw new ForbiddenError(ROOT_HAS_NO_SANDBOX);
  }
  assertSandboxHeader(principal, sandboxHeader);
  return principal.sandbox;
}

/**
 * `x-sandbox-name` on any route, for a sandbox key: when sent it must be the key's sandbox. Checked
 * for every route before its operation runs, not only where the operation asks for the sandbox.
 */
export function assertSandboxHeader(principal: Principal, sandboxHeader: string | undefined): void {
  if (principal.kind !== 'sandbox' || sandboxHeader === undefined || sandboxHeader === principal.sandbox)
    return;
  throw new ForbiddenError(`x-sandbox-name '${sandboxHeader}' does not match the API key's sandbox.`);
}

/**
 * The sandbox a root-key call works on, and `x-sandbox-name`. The root key belongs to no sandbox,
 * so the header must match the sandbox the call itself names (`sandbox` of `/api-keys`, the name of
 * `/sandboxes/{name}`), or names it when the call does not; on a route that names none, any
 * header is a mismatch. `takesSandbox` says whether the route names one at all.
 */
export function rootCallSandbox(
  sandboxHeader: string | undefined,
  takesSandbox: boolean,
  named: string | undefined,
): string | undefined {
  if (sandboxHeader === undefined) return named;
  if (!takesSandbox) {
    throw new ForbiddenError(
      `x-sandbox-name '${sandboxHeader}' names a sandbox, but the root key belongs to none and this route works in none.`,
    );
  }
  if (named !== undefined && named !== sandboxHeader) {
    throw new ForbiddenError(
      `x-sandbox-name '${sandboxHeader}' does not match the sandbox '${named}' the call names.`,
    );
  }
  return sandboxHeader;
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly hash: string;
  /** null for root keys. */
  readonly sandbox: string | null;
  readonly scopes: readonly Scope[];
  readonly name?: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface ApiKeyStore {
  create(record: ApiKeyRecord): Promise<void>;
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  list(sandbox: string | null): Promise<ApiKeyRecord[]>;
  /** Returns false when no such key exists under that owner. */
  delete(sandbox: string | null, id: string): Promise<boolean>;
}
