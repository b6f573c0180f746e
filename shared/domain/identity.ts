import type { Channel } from '../schemas/campaign.ts';

/** Namespaces every sandbox has; custom ones are registered per sandbox. */
export const STANDARD_NAMESPACES = ['email', 'phone', 'ecid'] as const;
export type StandardNamespace = (typeof STANDARD_NAMESPACES)[number];

export function isStandardNamespace(code: string): code is StandardNamespace {
  return (STANDARD_NAMESPACES as readonly string[]).includes(code);
}

/** The namespace a channel addresses people in (used when creating profiles from a trigger). */
export const CHANNEL_DEFAULT_NAMESPACE: Record<Channel, StandardNamespace> = {
  email: 'email',
  sms: 'phone',
  push: 'ecid',
};

export type NormalizeResult = { ok: true; value: string } | { ok: false; message: string };

// A pragmatic address check (the HTML living standard's), not RFC 5322's full grammar.
const EMAIL =
  /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const E164 = /^\+[1-9][0-9]{6,14}$/;
// Adobe's Experience Cloud ID is 38 digits.
const ECID = /^[0-9]{38}$/;
// Custom identities: printable, no control characters, no surrounding space.
const CUSTOM = /^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u;

export function normalizeEmail(raw: string): NormalizeResult {
  const value = raw.trim().toLowerCase();
  if (value.length > 254 || !EMAIL.test(value)) return { ok: false, message: 'must be an email address' };
  return { ok: true, value };
}

/** Phones are kept in E.164; spaces, dots, dashes and parentheses are dropped, `00` becomes `+`. */
export function normalizePhone(raw: string): NormalizeResult {
  let value = raw.trim().replace(/[\s.()-]/g, '');
  if (value.startsWith('00')) value = `+${value.slice(2)}`;
  if (!E164.test(value))
    return { ok: false, message: 'must be a phone number in E.164 form, e.g. +14155550123' };
  return { ok: true, value };
}

/**
 * Normalises an identity value for its namespace, so one person is one key whatever the spelling.
 * Custom namespaces keep values as given (trimmed).
 */
export function normalizeIdentity(namespace: string, raw: string): NormalizeResult {
  switch (namespace) {
    case 'email':
      return normalizeEmail(raw);
    case 'phone':
      return normalizePhone(raw);
    case 'ecid': {
      const value = raw.trim();
      return ECID.test(value) ? { ok: true, value } : { ok: false, message: 'must be an ECID of 38 digits' };
    }
    default: {
      const value = raw.trim();
      if (value.length === 0 || value.length > 256 || !CUSTOM.test(value)) {
        return { ok: false, message: 'must be 1 to 256 printable characters' };
      }
      return { ok: true, value };
    }
  }
}
