import type { ApiKeyStore } from '../domain/auth.ts';
import { bearerToken, hashApiKey, type Principal, sameHash } from '../domain/auth.ts';
import { UnauthorizedError } from '../domain/errors.ts';

export interface AuthenticatorOptions {
  readonly keys: ApiKeyStore;
  /** SHA-256 of the operator's `HERALD_ADMIN_KEY`, when set. */
  readonly adminKeyHash?: string;
  /** How long a lookup (found or not) is reused by this container. */
  readonly cacheMs: number;
  /** Largest number of cached lookups; the cache is cleared past it. */
  readonly maxEntries?: number;
  readonly nowMs?: () => number;
}

export type Authenticator = (authorizationHeader: string | undefined) => Promise<Principal>;

/**
 * Resolves `Authorization: Bearer <key>` to a principal. One GetItem per key per cache period, so a
 * busy container does not read the key on every request; a deleted key stops working within
 * `cacheMs`.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const cache = new Map<string, { principal: Principal | undefined; until: number }>();
  const now = options.nowMs ?? Date.now;
  const maxEntries = options.maxEntries ?? 10_000;
  return async (header) => {
    const token = bearerToken(header);
    if (!token) throw new UnauthorizedError('Send the API key as "Authorization: Bearer <key>".');
    const hash = hashApiKey(token);
    if (options.adminKeyHash && sameHash(hash, options.adminKeyHash)) return { kind: 'root', keyId: 'admin' };
    const cached = cache.get(hash);
    let principal: Principal | undefined;
    if (cached && cached.until > now()) {
      principal = cached.principal;
    } else {
      const record = await options.keys.findByHash(hash);
      principal = record
        ? record.sandbox === null
          ? { kind: 'root', keyId: record.id }
          : { kind: 'sandbox', keyId: record.id, sandbox: record.sandbox, scopes: record.scopes }
        : undefined;
      if (options.cacheMs > 0) {
        if (cache.size >= maxEntries) cache.clear();
        cache.set(hash, { principal, until: now() + options.cacheMs });
      }
    }
    if (!principal) throw new UnauthorizedError('The API key is not valid (unknown or revoked).');
    return principal;
  };
}
