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

/** How a sandbox reads identities: its default country turns national phone numbers into E.164. */
export interface IdentityOptions {
  /** ISO 3166-1 alpha-2, e.g. `US`. Without it a phone number must be international (`+…`, `00…`). */
  readonly defaultCountry?: string | undefined;
}

// A pragmatic address check (the HTML living standard's), not RFC 5322's full grammar.
const EMAIL =
  /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
export function normalizeEmail(raw: string): NormalizeResult {
  const value = raw.trim().toLowerCase();
  if (value.length > 254 || !EMAIL.test(value)) return { ok: false, message: 'must be an email address' };
  return { ok: true, value };
}

export { isPhoneCountry } from './phone-countries.ts';

/** A phone number written with its country calling code (`+…`, or `00…`), not in national form. */
export function isInternationalPhone(raw: string): boolean {
  return /^\s*(?:\+|00)/.test(raw);
}

export interface NamespaceRecord {
  readonly sandbox: string;
  readonly code: string;
  readonly name?: string;
  readonly description?: string;
  readonly createdAt: string;
}

export interface NamespaceStore {
  /** Throws AlreadyExistsError when the code is taken. */
  create(record: NamespaceRecord): Promise<void>;
  list(sandbox: string): Promise<NamespaceRecord[]>;
  exists(sandbox: string, code: string): Promise<boolean>;
}

/** One identity as a key (`namespace:id`), the same spelling the profile store's items use. */
export function identityKey(identity: { readonly namespace: string; readonly id: string }): string {
  return `${identity.namespace}:${identity.id}`;
}
