import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  deriveUnsubscribeKey,
  listUnsubscribeHeaders,
  signUnsubscribeToken,
  type UnsubscribeKeyring,
  unsubscribeUrl,
  verifyUnsubscribeToken,
} from '../../shared/domain/unsubscribe-token.ts';

const master = randomBytes(32);
const keyring: UnsubscribeKeyring = { current: deriveUnsubscribeKey('k2', master) };
const claims = {
  sandbox: 'prod',
  profileId: '8b0f3c52-6a43-4c59-9d0e-2f1a7c3b5e90',
  channel: 'email',
} as const;
const now = new Date('2030-01-01T00:00:00Z');

/** Flips one character of a base64url string to another valid one. */
function flip(text: string, index: number): string {
  const char = text[index] === 'A' ? 'B' : 'A';
  return text.slice(0, index) + char + text.slice(index + 1);
}

describe('unsubscribe tokens', () => {
  it('verifies a token it signed, scoped to sandbox, profile and channel, with no expiry by default', () => {
    const token = signUnsubscribeToken(keyring, claims);
    expect(token).toMatch(/^k2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(encodeURIComponent(token)).toBe(token);
    expect(verifyUnsubscribeToken(keyring, token, { sandbox: 'prod', now })).toEqual({
      ok: true,
      keyId: 'k2',
      claims,
    });
    // Still valid a century later: links in old mail keep working (RFC 8058).
    const later = new Date('2130-01-01T00:00:00Z');
    expect(verifyUnsubscribeToken(keyring, token, { sandbox: 'prod', now: later }).ok).toBe(true);
  });

  it('refuses the token in another sandbox', () => {
    const token = signUnsubscribeToken(keyring, claims);
    expect(verifyUnsubscribeToken(keyring, token, { sandbox: 'dev', now })).toEqual({
      ok: false,
      reason: 'wrong-sandbox',
    });
  });

  it('refuses an altered payload, signature or key id', () => {
    const token = signUnsubscribeToken(keyring, claims);
    const [kid, payload, mac] = token.split('.') as [string, string, string];
    // Another profile in the same payload position, re-encoded, with the original signature.
    const otherProfile = Buffer.from(`v1\nprod\nsomeone-else\nemail\n`).toString('base64url');
    const sms = Buffer.from(`v1\nprod\n${claims.profileId}\nsms\n`).toString('base64url');
    for (const forged of [
      `${kid}.${otherProfile}.${mac}`,
      `${kid}.${sms}.${mac}`,
      `${kid}.${flip(payload, 3)}.${mac}`,
      `${kid}.${payload}.${flip(mac, 0)}`,
      `${kid}.${payload}.${mac.slice(0, -2)}`,
    ]) {
      expect(verifyUnsubscribeToken(keyring, forged, { sandbox: 'prod', now })).toEqual({
        ok: false,
        reason: 'bad-signature',
      });
    }
    expect(verifyUnsubscribeToken(keyring, `k9.${payload}.${mac}`, { sandbox: 'prod', now })).toEqual({
      ok: false,
      reason: 'unknown-key',
    });
  });

  it('refuses a token signed with another secret (a forger’s own key with the same id)', () => {
    const forger: UnsubscribeKeyring = { current: deriveUnsubscribeKey('k2', randomBytes(32)) };
    const forged = signUnsubscribeToken(forger, claims);
    expect(verifyUnsubscribeToken(keyring, forged, { sandbox: 'prod', now })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it.each([
    '',
    'k2',
    'k2..',
    'k2.a.b.c',
    'K2.abc.def',
    'k2.a+b.c',
    'k2.abc.def%00',
    `k2.${'a'.repeat(2_000)}.b`,
    '../../etc/passwd',
  ])('refuses malformed input %j without throwing', (token) => {
    const result = verifyUnsubscribeToken(keyring, token, { sandbox: 'prod', now });
    expect(result.ok).toBe(false);
  });

  it('keeps verifying tokens of a previous key after rotation, until that key is dropped', () => {
    const old: UnsubscribeKeyring = { current: deriveUnsubscribeKey('k1', master) };
    const token = signUnsubscribeToken(old, claims);
    const rotated: UnsubscribeKeyring = { current: keyring.current, previous: [old.current] };
    expect(verifyUnsubscribeToken(rotated, token, { sandbox: 'prod', now })).toMatchObject({
      ok: true,
      keyId: 'k1',
    });
    expect(signUnsubscribeToken(rotated, claims).startsWith('k2.')).toBe(true);
    expect(verifyUnsubscribeToken(keyring, token, { sandbox: 'prod', now })).toEqual({
      ok: false,
      reason: 'unknown-key',
    });
  });

  it('derives different keys per key id from one master secret', () => {
    expect(Buffer.from(deriveUnsubscribeKey('k1', master).secret)).not.toEqual(
      Buffer.from(deriveUnsubscribeKey('k2', master).secret),
    );
    expect(() => signUnsubscribeToken({ current: { id: 'k1', secret: randomBytes(8) } }, claims)).toThrow(
      /32 bytes/,
    );
    expect(() => deriveUnsubscribeKey('Bad Id', master)).toThrow(/key id/);
  });

  it('expires when a lifetime is configured, and the expiry is covered by the signature', () => {
    const token = signUnsubscribeToken(keyring, claims, { now, ttlSeconds: 3600 });
    const before = new Date(now.getTime() + 3599_000);
    const after = new Date(now.getTime() + 3600_000);
    expect(verifyUnsubscribeToken(keyring, token, { sandbox: 'prod', now: before })).toMatchObject({
      ok: true,
      claims: { ...claims, expiresAt: now.getTime() / 1000 + 3600 },
    });
    expect(verifyUnsubscribeToken(keyring, token, { sandbox: 'prod', now: after })).toEqual({
      ok: false,
      reason: 'expired',
    });
    const [kid, , mac] = token.split('.') as [string, string, string];
    const extended = Buffer.from(`v1\nprod\n${claims.profileId}\nemail\n9999999999`).toString('base64url');
    expect(
      verifyUnsubscribeToken(keyring, `${kid}.${extended}.${mac}`, { sandbox: 'prod', now: after }).ok,
    ).toBe(false);
  });

  it('refuses to sign claims that would break the payload', () => {
    expect(() => signUnsubscribeToken(keyring, { ...claims, profileId: 'a\nb' })).toThrow(
      /one non-empty line/,
    );
    expect(() => signUnsubscribeToken(keyring, { ...claims, sandbox: '' })).toThrow(/one non-empty line/);
  });
});

describe('List-Unsubscribe headers', () => {
  it('lists the https URL, then the mailto, with the one-click header (RFC 8058)', () => {
    const url = unsubscribeUrl('https://herald.example.com/', 'k2.abc.def');
    expect(url).toBe('https://herald.example.com/u/k2.abc.def');
    expect(listUnsubscribeHeaders(url, 'unsubscribe@shop.example.com')).toEqual({
      'List-Unsubscribe': '<https://herald.example.com/u/k2.abc.def>, <mailto:unsubscribe@shop.example.com>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    expect(listUnsubscribeHeaders(url)).toEqual({
      'List-Unsubscribe': '<https://herald.example.com/u/k2.abc.def>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    expect(() => listUnsubscribeHeaders('http://herald.example.com/u/x')).toThrow(/https/);
  });
});
