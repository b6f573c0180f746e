import type { Scope } from './domain/auth.ts';
import type { CampaignRecord } from './domain/campaign.ts';
import type { Consent, Identity } from './schemas/profile.ts';

/**
 * The small interfaces use cases take as arguments. DynamoDB adapters implement them in store/;
 * unit tests pass in-memory ones.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface SandboxRecord {
  readonly name: string;
  readonly createdAt: string;
}

export interface SandboxStore {
  /** Throws AlreadyExistsError when the name is taken. */
  create(sandbox: SandboxRecord): Promise<void>;
  list(): Promise<SandboxRecord[]>;
  exists(name: string): Promise<boolean>;
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

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

export interface CampaignStore {
  create(record: CampaignRecord): Promise<void>;
  get(sandbox: string, id: string): Promise<CampaignRecord | undefined>;
  /** Writes when the stored revision is still `record.revision - 1`; else ConcurrentUpdateError. */
  save(record: CampaignRecord): Promise<void>;
  /** Deletes when the stored revision is still `revision`; else ConcurrentUpdateError. */
  delete(sandbox: string, id: string, revision: number): Promise<void>;
  list(sandbox: string, page: { limit: number; cursor?: string }): Promise<Page<CampaignRecord>>;
  /** Campaigns whose next time-driven transition is at or before `now`. */
  listDue(now: Date, limit: number): Promise<{ sandbox: string; id: string }[]>;
}

export type ProfileDataset = 'profiles' | 'interactive-messaging';

export interface ProfileRecord {
  readonly sandbox: string;
  readonly profileId: string;
  readonly identities: readonly Identity[];
  readonly attributes: Record<string, unknown>;
  readonly consent: Consent;
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
}

export function identityKey(identity: Identity): string {
  return `${identity.namespace}:${identity.id}`;
}
