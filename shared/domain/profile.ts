import type { Consent, ConsentChange, Identity } from '../schemas/profile.ts';
import { type FieldIssue, IdentityConflictError, ValidationError } from './errors.ts';
import { type IdentityOptions, isStandardNamespace } from './identity.ts';
import { normalizeIdentity } from './phone.ts';

/**
 * Normalises and validates identities for their namespaces, dropping exact repeats. Throws one
 * ValidationError naming every bad identity.
 */
export function normalizeIdentities(
  identities: readonly Identity[],
  knownCustomNamespaces: ReadonlySet<string>,
  basePath = 'identities',
  options: IdentityOptions = {},
): Identity[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  const result: Identity[] = [];
  identities.forEach((identity, index) => {
    if (!isStandardNamespace(identity.namespace) && !knownCustomNamespaces.has(identity.namespace)) {
      issues.push({
        path: `${basePath}[${index}].namespace`,
        message: `'${identity.namespace}' is neither a standard namespace nor registered in this sandbox`,
      });
      return;
    }
    const normalized = normalizeIdentity(identity.namespace, identity.id, options);
    if (!normalized.ok) {
      issues.push({ path: `${basePath}[${index}].id`, message: normalized.message });
      return;
    }
    const key = `${identity.namespace}:${normalized.value}`;
    if (seen.has(key)) return;
    seen.add(key);
    result.push({ namespace: identity.namespace, id: normalized.value });
  });
  if (issues.length > 0) throw new ValidationError(issues);
  return result;
}

/**
 * Which profile an upsert writes to: the one profile its identities already belong to, or a new
 * one. Identities of two different profiles are a conflict; Herald never merges profiles silently.
 */
export function chooseProfile(
  identities: readonly Identity[],
  owners: ReadonlyMap<string, string>,
): { kind: 'new' } | { kind: 'existing'; profileId: string } {
  const profileIds = new Set<string>();
  for (const identity of identities) {
    const owner = owners.get(`${identity.namespace}:${identity.id}`);
    if (owner) profileIds.add(owner);
  }
  if (profileIds.size > 1) {
    throw new IdentityConflictError(
      [...profileIds],
      identities.map((i) => `${i.namespace}:${i.id}`),
    );
  }
  const [profileId] = profileIds;
  return profileId ? { kind: 'existing', profileId } : { kind: 'new' };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Deep-merges attributes: objects merge key by key, anything else replaces, `null` removes. */
export function mergeAttributes(
  base: Readonly<Record<string, unknown>>,
  patch: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  // defineProperty, not assignment: a key named `__proto__` in the data must stay data.
  const set = (key: string, value: unknown) =>
    Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
  for (const [key, value] of Object.entries(patch)) {
    const current = Object.hasOwn(result, key) ? result[key] : undefined;
    if (value === null) {
      delete result[key];
    } else if (isPlainObject(value) && isPlainObject(current)) {
      set(key, mergeAttributes(current, value));
    } else if (isPlainObject(value)) {
      set(key, mergeAttributes({}, value));
    } else {
      set(key, value);
    }
  }
  return result;
}

export function mergeConsent(base: Consent, patch: Consent | undefined): Consent {
  if (!patch?.marketing) return base;
  return { ...base, marketing: { ...base.marketing, ...patch.marketing } };
}

export type ProfileDataset = 'profiles' | 'interactive-messaging';

export interface ProfileRecord {
  readonly sandbox: string;
  readonly profileId: string;
  readonly identities: readonly Identity[];
  readonly attributes: Record<string, unknown>;
  readonly consent: Consent;
  /** The latest changes made through unsubscribe links (at most MAX_CONSENT_CHANGES). */
  readonly consentChanges?: readonly ConsentChange[];
  readonly dataset: ProfileDataset;
  readonly revision: number;
  readonly createdAt: string;
  readonly modifiedAt: string;
}

export interface ProfileStore {
  /** Owner profile id of each identity that has one, keyed by `namespace:value`. One batched read. */
  findOwners(sandbox: string, identities: readonly Identity[]): Promise<Map<string, string>>;
  get(sandbox: string, profileId: string): Promise<ProfileRecord | undefined>;
  /**
   * Writes the profile and claims its new identities in one transaction. Fails with
   * ConcurrentUpdateError when the profile changed or an identity was claimed meanwhile.
   */
  save(profile: ProfileRecord, newIdentities: readonly Identity[]): Promise<void>;
  /** Deletes the profile and every identity it owns in one transaction. */
  delete(profile: ProfileRecord): Promise<void>;
  /** Several profiles by id, batched; missing ones are absent from the map. */
  getMany(sandbox: string, profileIds: readonly string[]): Promise<Map<string, ProfileRecord>>;
  /**
   * Creates new profiles with all their identities in one transaction; ConcurrentUpdateError when
   * any identity was claimed meanwhile (nothing is written then).
   */
  createMany(profiles: readonly ProfileRecord[]): Promise<void>;
}

/** How many consent changes a profile keeps (the latest). */
export const MAX_CONSENT_CHANGES = 20;

/**
 * The profile after its owner withdrew marketing consent on `channel` (an unsubscribe link), with
 * when and how; unchanged (the same object) when it was already withdrawn.
 */
export function withdrawMarketingConsent(
  profile: ProfileRecord,
  change: Omit<ConsentChange, 'value'>,
): ProfileRecord {
  if (profile.consent.marketing?.[change.channel] === 'n') return profile;
  return {
    ...profile,
    consent: { ...profile.consent, marketing: { ...profile.consent.marketing, [change.channel]: 'n' } },
    consentChanges: [...(profile.consentChanges ?? []), { ...change, value: 'n' as const }].slice(
      -MAX_CONSENT_CHANGES,
    ),
    modifiedAt: change.at,
    revision: profile.revision + 1,
  };
}
