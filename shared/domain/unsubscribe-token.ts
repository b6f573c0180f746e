import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { CHANNELS, type Channel } from '../schemas/campaign.ts';

/**
 * One-click unsubscribe tokens (RFC 8058 links, `{{unsubscribeUrl}}`), pure.
 *
 * A token is `<kid>.<payload>.<mac>`, all URL-safe (`[A-Za-z0-9_-]` and dots, no escaping in a
 * path segment):
 * - `kid`: the signing key's id, so keys can rotate: new tokens use the current key, tokens of an
 *   older key verify while that key is still listed, and removing a key revokes all its tokens.
 * - `payload`: base64url of `v1\nsandbox\nprofileId\nchannel\nexpiresAt` (expiresAt in Unix
 *   seconds, or empty). It is signed, not encrypted: it shows the recipient their own profile id.
 * - `mac`: base64url HMAC-SHA256 over `herald-unsubscribe.<kid>.<payload>` with that key (the full
 *   32 bytes), compared in constant time.
 *
 * Expiry: none by default. A mailbox provider may POST the List-Unsubscribe URL of a message read
 * months later, and RFC 8058 expects it to work for as long as the mail can be read; a link that
 * stopped working would push people to the spam button instead. A deployment may set a lifetime
 * (`ttlSeconds`); a token past it is refused like a forged one.
 *
 * Forged, altered, unknown-key, expired and other-sandbox tokens are all refused, and the route
 * answers each with the same 404, so a caller learns nothing about which check failed.
 */

export const UNSUBSCRIBE_TOKEN_VERSION = 'v1';

/** A signing key: `id` is what tokens name (`[a-z0-9]{1,16}`), `secret` at least 32 bytes. */
export interface UnsubscribeKey {
  readonly id: string;
  readonly secret: Uint8Array;
}

export interface UnsubscribeKeyring {
  /** Signs new tokens. */
  readonly current: UnsubscribeKey;
  /** Older keys still accepted for verification (rotation grace). */
  readonly previous?: readonly UnsubscribeKey[];
}

export interface UnsubscribeClaims {
  readonly sandbox: string;
  readonly profileId: string;
  readonly channel: Channel;
  /** Unix seconds; undefined when the token never expires. */
  readonly expiresAt?: number;
}

export type TokenRefusal = 'malformed' | 'unknown-key' | 'bad-signature' | 'wrong-sandbox' | 'expired';

export type TokenVerification =
  | { readonly ok: true; readonly claims: UnsubscribeClaims; readonly keyId: string }
  | { readonly ok: false; readonly reason: TokenRefusal };

const KEY_ID = /^[a-z0-9]{1,16}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;
/** Longest token accepted: a bound on work for hostile input (real ones are ~150 characters). */
const MAX_TOKEN_LENGTH = 1_024;
const MIN_SECRET_BYTES = 32;

const isChannel = (value: string | undefined): value is Channel =>
  (CHANNELS as readonly (string | undefined)[]).includes(value);

function checkKey(key: UnsubscribeKey): UnsubscribeKey {
  if (!KEY_ID.test(key.id)) throw new Error(`unsubscribe key id '${key.id}' must be 1 to 16 of [a-z0-9]`);
  if (key.secret.byteLength < MIN_SECRET_BYTES) {
    throw new Error(`unsubscribe key '${key.id}' must have at least ${MIN_SECRET_BYTES} bytes`);
  }
  return key;
}

/**
 * The unsubscribe key derived from a deployment's master secret (HKDF-SHA256), so one stored
 * secret can serve several purposes without one purpose's tokens being valid for another.
 */
export function deriveUnsubscribeKey(id: string, masterSecret: Uint8Array): UnsubscribeKey {
  const secret = new Uint8Array(hkdfSync('sha256', masterSecret, 'herald', `herald-unsubscribe-${id}`, 32));
  return checkKey({ id, secret });
}

function mac(key: UnsubscribeKey, payload: string): Buffer {
  return createHmac('sha256', key.secret).update(`herald-unsubscribe.${key.id}.${payload}`).digest();
}

/** Signs a token for this profile and channel in this sandbox. */
export function signUnsubscribeToken(
  keyring: UnsubscribeKeyring,
  claims: Omit<UnsubscribeClaims, 'expiresAt'>,
  options: { now?: Date; ttlSeconds?: number } = {},
): string {
  const key = checkKey(keyring.current);
  for (const [name, value] of Object.entries({ sandbox: claims.sandbox, profileId: claims.profileId })) {
    if (value === '' || /[\n\r]/.test(value))
      throw new Error(`unsubscribe token ${name} must be one non-empty line`);
  }
  if (!isChannel(claims.channel)) throw new Error(`unknown channel '${claims.channel}'`);
  const expiresAt =
    options.ttlSeconds === undefined
      ? ''
      : String(Math.floor((options.now ?? new Date()).getTime() / 1000) + options.ttlSeconds);
  const payload = Buffer.from(
    [UNSUBSCRIBE_TOKEN_VERSION, claims.sandbox, claims.profileId, claims.channel, expiresAt].join('\n'),
    'utf8',
  ).toString('base64url');
  return `${key.id}.${payload}.${mac(key, payload).toString('base64url')}`;
}

/**
 * Verifies a token. With `expected.sandbox` (a route that names its sandbox), a token of another
 * sandbox is refused; without it (`/u/{token}`), the sandbox is the token's own, which the MAC
 * covers, so no token can be turned into another sandbox's. Never throws on hostile input.
 */
export function verifyUnsubscribeToken(
  keyring: UnsubscribeKeyring,
  token: string,
  expected: { sandbox?: string; now: Date },
): TokenVerification {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  const [keyId, payload, signature] = parts;
  if (parts.length !== 3 || !keyId || !payload || !signature) return { ok: false, reason: 'malformed' };
  if (!KEY_ID.test(keyId) || !B64URL.test(payload) || !B64URL.test(signature)) {
    return { ok: false, reason: 'malformed' };
  }
  const key = [keyring.current, ...(keyring.previous ?? [])].find((k) => k.id === keyId);
  if (!key) return { ok: false, reason: 'unknown-key' };
  const given = Buffer.from(signature, 'base64url');
  const wanted = mac(checkKey(key), payload);
  // Lengths first (timingSafeEqual needs equal lengths; the length of a MAC is no secret).
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
    return { ok: false, reason: 'bad-signature' };

  // Signed by us: the payload is one we wrote, but it is still read defensively.
  const fields = Buffer.from(payload, 'base64url').toString('utf8').split('\n');
  const [version, sandbox, profileId, channel, expires] = fields;
  if (
    fields.length !== 5 ||
    version !== UNSUBSCRIBE_TOKEN_VERSION ||
    !sandbox ||
    !profileId ||
    !isChannel(channel) ||
    (expires !== '' && !/^\d{1,12}$/.test(expires ?? ''))
  ) {
    return { ok: false, reason: 'malformed' };
  }
  if (expected.sandbox !== undefined && sandbox !== expected.sandbox)
    return { ok: false, reason: 'wrong-sandbox' };
  const expiresAt = expires ? Number(expires) : undefined;
  if (expiresAt !== undefined && expected.now.getTime() / 1000 >= expiresAt)
    return { ok: false, reason: 'expired' };
  return {
    ok: true,
    keyId,
    claims: { sandbox, profileId, channel, ...(expiresAt !== undefined ? { expiresAt } : {}) },
  };
}

/** The public unsubscribe URL for a token (`POST` one-click, `GET` confirmation page). */
export function unsubscribeUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/u/${token}`;
}

/**
 * RFC 8058 headers for marketing mail: the https URL first (what one-click POSTs to), then a
 * mailto where the configuration has one (RFC 2369 lists both, in angle brackets).
 */
export function listUnsubscribeHeaders(url: string, mailto?: string): Record<string, string> {
  if (
    !url.startsWith('https://') &&
    !url.startsWith('http://localhost') &&
    !url.startsWith('http://127.0.0.1')
  ) {
    throw new Error('a one-click unsubscribe URL must be https (RFC 8058)');
  }
  const targets = [`<${url}>`, ...(mailto ? [`<mailto:${mailto}>`] : [])];
  return { 'List-Unsubscribe': targets.join(', '), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
