import type { AudienceStore } from '../domain/audience.ts';
import type { Clock } from '../domain/clock.ts';
import { ConcurrentUpdateError, NotFoundError, TooLargeError, ValidationError } from '../domain/errors.ts';
import type { ProfileMessageReader } from '../domain/execution.ts';
import type { NamespaceStore } from '../domain/identity.ts';
import { identityKey, isStandardNamespace } from '../domain/identity.ts';
import { uuidv7 } from '../domain/ids.ts';
import type { Page } from '../domain/page.ts';
import { normalizeIdentity } from '../domain/phone.ts';
import {
  chooseProfile,
  mergeAttributes,
  mergeConsent,
  normalizeIdentities,
  type ProfileRecord,
  type ProfileStore,
} from '../domain/profile.ts';
import type { SandboxReader } from '../domain/sandbox.ts';
import type { ProfileMessageView } from '../schemas/execution.ts';
import { jsonBytes, MAX_ATTRIBUTES_BYTES } from '../schemas/limits.ts';
import type {
  Consent,
  Identity,
  ProfileAudiences,
  ProfileView,
  UpsertProfileInput,
} from '../schemas/profile.ts';
import { identityOptions, phoneIdentities } from './sandbox-settings.ts';

export interface ProfileDeps {
  readonly profiles: ProfileStore;
  readonly namespaces: NamespaceStore;
  readonly audiences: Pick<AudienceStore, 'get' | 'addMembers'>;
  /** For the default country of national phone numbers; cached per container. */
  readonly sandboxSettings: SandboxReader;
  readonly clock: Clock;
}

/**
 * Concurrent upserts of the same person race on identity claims and the profile revision; each
 * loser re-reads and merges, after a short jittered pause so the racers spread out.
 */
const MAX_ATTEMPTS = 8;
const backoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * 15 * attempt));

export function toProfileView(record: ProfileRecord): ProfileView {
  return {
    profileId: record.profileId,
    identities: [...record.identities],
    attributes: record.attributes,
    consent: record.consent,
    ...(record.consentChanges ? { consentChanges: [...record.consentChanges] } : {}),
    dataset: record.dataset,
    createdAt: record.createdAt,
    modifiedAt: record.modifiedAt,
  };
}

async function customNamespaces(deps: ProfileDeps, sandbox: string, identities: readonly Identity[]) {
  const known = new Set<string>();
  const custom = [...new Set(identities.map((i) => i.namespace).filter((ns) => !isStandardNamespace(ns)))];
  await Promise.all(
    custom.map(async (code) => {
      if (await deps.namespaces.exists(sandbox, code)) known.add(code);
    }),
  );
  return known;
}

/**
 * Upsert by identities. Primary course: normalise the identities, find their owners with one
 * batched read, then write one profile (new or existing) and claim the new identities in one
 * transaction. Identities of two profiles are refused (409).
 */
export async function upsertProfile(
  deps: ProfileDeps,
  sandbox: string,
  input: UpsertProfileInput,
): Promise<ProfileView & { created: boolean }> {
  const identities = normalizeIdentities(
    input.identities,
    await customNamespaces(deps, sandbox, input.identities),
    'identities',
    await identityOptions(deps.sandboxSettings, sandbox, phoneIdentities(input.identities)),
  );
  const audiences = [...new Set(input.audiences ?? [])];
  const found = await Promise.all(audiences.map((id) => deps.audiences.get(sandbox, id)));
  const unknown = audiences.flatMap((id, index) =>
    found[index]
      ? []
      : [{ path: `body.audiences[${index}]`, message: `no audience '${id}' in this sandbox` }],
  );
  if (unknown.length > 0) throw new ValidationError(unknown);
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await upsertOnce(deps, sandbox, identities, input);
      const at = deps.clock.now().toISOString();
      for (const audienceId of audiences)
        await deps.audiences.addMembers(sandbox, audienceId, [result.profileId], at);
      return result;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt >= MAX_ATTEMPTS) throw error;
      await backoff(attempt);
    }
  }
}

async function upsertOnce(
  deps: ProfileDeps,
  sandbox: string,
  identities: Identity[],
  input: UpsertProfileInput,
): Promise<ProfileView & { created: boolean }> {
  const owners = await deps.profiles.findOwners(sandbox, identities);
  const choice = chooseProfile(identities, owners);
  const now = deps.clock.now().toISOString();
  if (choice.kind === 'new') {
    const profile: ProfileRecord = {
      sandbox,
      profileId: uuidv7(),
      identities,
      attributes: boundedAttributes(mergeAttributes({}, input.attributes ?? {})),
      consent: mergeConsent({}, input.consent),
      dataset: 'profiles',
      revision: 1,
      createdAt: now,
      modifiedAt: now,
    };
    await deps.profiles.save(profile, identities);
    return { ...toProfileView(profile), created: true };
  }
  const existing = await deps.profiles.get(sandbox, choice.profileId);
  // An identity whose profile is gone is mid-deletion; retrying sees the end state.
  if (!existing) throw new ConcurrentUpdateError(`Profile ${choice.profileId}`);
  const newIdentities = identities.filter((i) => !owners.has(identityKey(i)));
  const profile: ProfileRecord = {
    ...existing,
    identities: [...existing.identities, ...newIdentities],
    attributes: boundedAttributes(mergeAttributes(existing.attributes, input.attributes ?? {})),
    consent: mergeConsent(existing.consent, input.consent),
    revision: existing.revision + 1,
    modifiedAt: now,
  };
  if (profile.identities.length > 100) {
    throw new ValidationError([{ path: 'identities', message: 'a profile may hold at most 100 identities' }]);
  }
  await deps.profiles.save(profile, newIdentities);
  return { ...toProfileView(profile), created: false };
}

/** Attributes grow across upserts; the merged result must still fit the profile's item. */
function boundedAttributes(attributes: Record<string, unknown>): Record<string, unknown> {
  const bytes = jsonBytes(attributes);
  if (bytes > MAX_ATTRIBUTES_BYTES) {
    throw new TooLargeError(
      'body.attributes',
      "The profile's attributes after merging",
      bytes,
      MAX_ATTRIBUTES_BYTES,
    );
  }
  return attributes;
}

/** The profile that owns an identity (normalised as an upsert would), or 404. */
export async function findProfile(
  deps: Pick<ProfileDeps, 'profiles' | 'namespaces' | 'sandboxSettings'>,
  sandbox: string,
  namespace: string,
  id: string,
) {
  if (!isStandardNamespace(namespace) && !(await deps.namespaces.exists(sandbox, namespace))) {
    throw new NotFoundError('Profile', `${namespace}:${id}`);
  }
  const options = await identityOptions(deps.sandboxSettings, sandbox, phoneIdentities([{ namespace, id }]));
  const normalized = normalizeIdentity(namespace, id, options);
  if (!normalized.ok) throw new ValidationError([{ path: 'path.id', message: normalized.message }]);
  const identity = { namespace, id: normalized.value };
  const owners = await deps.profiles.findOwners(sandbox, [identity]);
  const profileId = owners.get(identityKey(identity));
  const profile = profileId ? await deps.profiles.get(sandbox, profileId) : undefined;
  if (!profile) throw new NotFoundError('Profile', `${namespace}:${identity.id}`);
  return profile;
}

/**
 * The audiences a profile is a member of: its identity finds it, then one batched read of its
 * member item in each of the sandbox's audiences (no reverse index is kept; a sandbox's audiences
 * are one listing, as `GET /audiences` reads them). Ordered by name.
 */
export async function getProfileAudiences(
  deps: Pick<ProfileDeps, 'profiles' | 'namespaces' | 'sandboxSettings'> & {
    readonly audiences: Pick<AudienceStore, 'list' | 'membershipsOf'>;
  },
  sandbox: string,
  namespace: string,
  id: string,
): Promise<ProfileAudiences> {
  const profile = await findProfile(deps, sandbox, namespace, id);
  const audiences = await deps.audiences.list(sandbox);
  const member = await deps.audiences.membershipsOf(
    sandbox,
    profile.profileId,
    audiences.map((a) => a.id),
  );
  return {
    items: audiences
      .filter((a) => member.has(a.id))
      .map((a) => ({ id: a.id, name: a.name }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

export async function getProfile(deps: ProfileDeps, sandbox: string, namespace: string, id: string) {
  return toProfileView(await findProfile(deps, sandbox, namespace, id));
}

export type ProfileMessagesDeps = Pick<ProfileDeps, 'profiles' | 'namespaces' | 'sandboxSettings'> & {
  readonly messages: ProfileMessageReader;
};

/**
 * The messages sent to a profile, newest first, a page at a time: through the sparse
 * `profileMessages` index (ADR 0029), whichever of its identities a trigger or an audience run
 * addressed it by. Messages made before the index existed are not in it.
 */
export async function getProfileMessages(
  deps: ProfileMessagesDeps,
  sandbox: string,
  namespace: string,
  id: string,
  page: { readonly limit: number; readonly cursor?: string | undefined },
): Promise<Page<ProfileMessageView>> {
  const profile = await findProfile(deps, sandbox, namespace, id);
  const found = await deps.messages.messagesOfProfile(sandbox, profile.profileId, page);
  return {
    items: found.items.map(({ message, campaignId, channel, createdAt }) => ({
      messageId: message.messageId,
      executionId: message.executionId,
      campaignId,
      channel,
      userId: message.userId,
      namespace: message.namespace,
      status: message.status,
      ...(message.statusCode === undefined ? {} : { statusCode: message.statusCode }),
      createdAt,
      updatedAt: message.history.at(-1)?.at ?? createdAt,
    })),
    ...(found.nextCursor ? { nextCursor: found.nextCursor } : {}),
  };
}

/** Removes the profile and every identity it holds, in one transaction. */
export async function deleteProfile(deps: ProfileDeps, sandbox: string, namespace: string, id: string) {
  for (let attempt = 1; ; attempt++) {
    const profile = await findProfile(deps, sandbox, namespace, id);
    try {
      await deps.profiles.delete(profile);
      return;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt >= MAX_ATTEMPTS) throw error;
      await backoff(attempt);
    }
  }
}

/** Profiles per creation transaction (one profile and one identity item each, 100 items at most). */
const CREATE_CHUNK = 40;

/**
 * The profile of each identity, creating a profile (in `dataset`) for each identity nobody owns.
 * Identities must be normalised and unique. Concurrent creators of the same identity race on its
 * conditional write; the loser reads again and uses the winner's profile.
 */
export async function ensureProfiles(
  deps: Pick<ProfileDeps, 'profiles' | 'clock'>,
  sandbox: string,
  identities: readonly Identity[],
  dataset: ProfileRecord['dataset'],
): Promise<{ owners: Map<string, string>; created: number }> {
  let created = 0;
  for (let attempt = 1; ; attempt++) {
    const owners = await deps.profiles.findOwners(sandbox, identities);
    const missing = identities.filter((identity) => !owners.has(identityKey(identity)));
    if (missing.length === 0) return { owners, created };
    const at = deps.clock.now().toISOString();
    try {
      for (let start = 0; start < missing.length; start += CREATE_CHUNK) {
        const chunk = missing.slice(start, start + CREATE_CHUNK).map(
          (identity): ProfileRecord => ({
            sandbox,
            profileId: uuidv7(),
            identities: [identity],
            attributes: {},
            consent: {},
            dataset,
            revision: 1,
            createdAt: at,
            modifiedAt: at,
          }),
        );
        await deps.profiles.createMany(chunk);
        created += chunk.length;
      }
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt >= MAX_ATTEMPTS) throw error;
      await backoff(attempt);
    }
  }
}

/** One profile of a bulk upsert: a single normalised identity, and what to merge into its profile. */
export interface BulkProfileRow {
  readonly identity: Identity;
  readonly attributes?: Record<string, unknown>;
  readonly consent?: Consent;
}

/** Existing profiles saved at once in a bulk upsert. */
const SAVE_CONCURRENCY = 8;

/**
 * `PUT /profiles` for many single-identity rows at once (an import chunk): one batched owner read
 * (none when the caller passes the owners it has just read),
 * new profiles created 40 to a transaction with their attributes and consent, existing ones read
 * in one batch and saved at their revision, 8 at a time. A row that loses a race (an identity
 * claimed or a profile changed meanwhile) or appears twice is upserted on its own afterwards, as
 * `PUT /profiles` would. Returns each row's profile id, or the error that refused it.
 */
export async function bulkUpsertProfiles(
  deps: Pick<ProfileDeps, 'profiles' | 'clock'>,
  sandbox: string,
  rows: readonly BulkProfileRow[],
  single: (row: BulkProfileRow) => Promise<{ profileId: string; created: boolean }>,
  /** The rows' owners when the caller has just read them (one batched read fewer). */
  ownersRead?: ReadonlyMap<string, string>,
): Promise<({ profileId: string; created: boolean } | { error: unknown })[]> {
  const results: ({ profileId: string; created: boolean } | { error: unknown } | undefined)[] = rows.map(
    () => undefined,
  );
  const firstOf = new Map<string, number>();
  const later: number[] = [];
  rows.forEach((row, index) => {
    const key = identityKey(row.identity);
    if (firstOf.has(key)) later.push(index);
    else firstOf.set(key, index);
  });
  const unique = [...firstOf.values()];
  const owners =
    ownersRead ??
    (await deps.profiles.findOwners(
      sandbox,
      unique.map((index) => (rows[index] as BulkProfileRow).identity),
    ));
  const now = deps.clock.now().toISOString();
  const attempt = (index: number, build: () => ProfileRecord) => {
    try {
      return build();
    } catch (error) {
      results[index] = { error };
      return undefined;
    }
  };

  // New profiles, 40 to a transaction; a chunk that loses a race is retried row by row below.
  const fresh = unique.filter((index) => !owners.has(identityKey((rows[index] as BulkProfileRow).identity)));
  for (let start = 0; start < fresh.length; start += CREATE_CHUNK) {
    const chunk = fresh.slice(start, start + CREATE_CHUNK).flatMap((index) => {
      const row = rows[index] as BulkProfileRow;
      const profile = attempt(index, () => ({
        sandbox,
        profileId: uuidv7(),
        identities: [row.identity],
        attributes: boundedAttributes(mergeAttributes({}, row.attributes ?? {})),
        consent: mergeConsent({}, row.consent),
        dataset: 'profiles' as const,
        revision: 1,
        createdAt: now,
        modifiedAt: now,
      }));
      return profile ? [{ index, profile }] : [];
    });
    try {
      await deps.profiles.createMany(chunk.map((c) => c.profile));
      for (const { index, profile } of chunk)
        results[index] = { profileId: profile.profileId, created: true };
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
      later.push(...chunk.map((c) => c.index));
    }
  }

  // Existing profiles: one batched read, then each saved at the revision it was read at.
  const known = unique.filter((index) => owners.has(identityKey((rows[index] as BulkProfileRow).identity)));
  const profiles = await deps.profiles.getMany(
    sandbox,
    known.map((index) => owners.get(identityKey((rows[index] as BulkProfileRow).identity)) ?? ''),
  );
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(SAVE_CONCURRENCY, known.length) }, async () => {
      while (next < known.length) {
        const index = known[next++] as number;
        const row = rows[index] as BulkProfileRow;
        const existing = profiles.get(owners.get(identityKey(row.identity)) ?? '');
        if (!existing) {
          later.push(index);
          continue;
        }
        const profile = attempt(index, () => ({
          ...existing,
          attributes: boundedAttributes(mergeAttributes(existing.attributes, row.attributes ?? {})),
          consent: mergeConsent(existing.consent, row.consent),
          revision: existing.revision + 1,
          modifiedAt: now,
        }));
        if (!profile) continue;
        try {
          await deps.profiles.save(profile, []);
          results[index] = { profileId: profile.profileId, created: false };
        } catch (error) {
          if (!(error instanceof ConcurrentUpdateError)) throw error;
          later.push(index);
        }
      }
    }),
  );

  // Repeats and race losers, one at a time, in row order (a repeat merges after its first).
  for (const index of later.sort((a, b) => a - b)) {
    try {
      results[index] = await single(rows[index] as BulkProfileRow);
    } catch (error) {
      results[index] = { error };
    }
  }
  return results.map((result) => result ?? { error: new ConcurrentUpdateError('Profile') });
}
