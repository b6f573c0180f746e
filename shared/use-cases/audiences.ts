import type { AudienceRecord, AudienceStore } from '../domain/audience.ts';
import type { Clock } from '../domain/clock.ts';
import { NotFoundError } from '../domain/errors.ts';
import type { NamespaceStore } from '../domain/identity.ts';
import {
  type IdentityOptions,
  identityKey,
  isInternationalPhone,
  isStandardNamespace,
} from '../domain/identity.ts';
import { uuidv7 } from '../domain/ids.ts';
import type { Page } from '../domain/page.ts';
import { normalizeIdentity } from '../domain/phone.ts';
import type { ProfileStore } from '../domain/profile.ts';
import type { SandboxReader } from '../domain/sandbox.ts';
import type {
  AudienceView,
  CreateAudienceInput,
  MemberView,
  PatchAudienceInput,
} from '../schemas/audience.ts';
import { type Identity, identitySchema } from '../schemas/profile.ts';
import { ensureProfiles } from './profiles.ts';
import { identityOptions } from './sandbox-settings.ts';

export interface AudienceDeps {
  readonly audiences: AudienceStore;
  readonly profiles: ProfileStore;
  readonly namespaces: NamespaceStore;
  /** For the default country of national phone numbers; cached per container. */
  readonly sandboxSettings: SandboxReader;
  readonly clock: Clock;
}

export function toAudienceView(record: AudienceRecord, memberCount?: number): AudienceView {
  return {
    id: record.id,
    name: record.name,
    createdAt: record.createdAt,
    modifiedAt: record.modifiedAt,
    ...(record.description !== undefined ? { description: record.description } : {}),
    ...(memberCount !== undefined ? { memberCount } : {}),
  };
}

export async function loadAudience(deps: Pick<AudienceDeps, 'audiences'>, sandbox: string, id: string) {
  const audience = await deps.audiences.get(sandbox, id);
  if (!audience) throw new NotFoundError('Audience', id);
  return audience;
}

export async function createAudience(deps: AudienceDeps, sandbox: string, input: CreateAudienceInput) {
  const now = deps.clock.now().toISOString();
  const record: AudienceRecord = {
    sandbox,
    id: uuidv7(),
    ...input,
    createdAt: now,
    modifiedAt: now,
    revision: 0,
  };
  await deps.audiences.create(record);
  return toAudienceView(record, 0);
}

export async function listAudiences(deps: AudienceDeps, sandbox: string) {
  return (await deps.audiences.list(sandbox)).map((record) => toAudienceView(record));
}

export async function getAudience(deps: AudienceDeps, sandbox: string, id: string) {
  const record = await loadAudience(deps, sandbox, id);
  return toAudienceView(record, await deps.audiences.countMembers(sandbox, id));
}

export async function patchAudience(
  deps: AudienceDeps,
  sandbox: string,
  id: string,
  patch: PatchAudienceInput,
) {
  const record = await loadAudience(deps, sandbox, id);
  const { description: _description, ...rest } = record;
  const next: AudienceRecord = {
    ...(patch.description === null ? rest : record),
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(typeof patch.description === 'string' ? { description: patch.description } : {}),
    modifiedAt: deps.clock.now().toISOString(),
    revision: record.revision + 1,
  };
  await deps.audiences.save(next);
  return toAudienceView(next);
}

export async function deleteAudience(deps: AudienceDeps, sandbox: string, id: string) {
  await loadAudience(deps, sandbox, id);
  await deps.audiences.delete(sandbox, id);
}

interface Candidate {
  readonly position: number;
  readonly identity: Identity;
}

/** Normalises each identity on its own, so one bad identity is a rejection, not a failed call. */
export async function screen(
  deps: AudienceDeps,
  sandbox: string,
  entries: readonly { position: number; value: unknown }[],
) {
  const accepted: Candidate[] = [];
  const rejected: { line: number; reason: string }[] = [];
  const customKnown = new Map<string, boolean>();
  let options: IdentityOptions | undefined;
  for (const { position, value } of entries) {
    const parsed = identitySchema.safeParse(value);
    if (!parsed.success) {
      rejected.push({ line: position, reason: 'not an identity {"namespace": …, "id": …}' });
      continue;
    }
    const { namespace, id } = parsed.data;
    if (!isStandardNamespace(namespace)) {
      if (!customKnown.has(namespace))
        customKnown.set(namespace, await deps.namespaces.exists(sandbox, namespace));
      if (!customKnown.get(namespace)) {
        rejected.push({
          line: position,
          reason: `namespace '${namespace}' is not registered in this sandbox`,
        });
        continue;
      }
    }
    // The sandbox's country is read once, at the first national phone number.
    if (namespace === 'phone' && !isInternationalPhone(id)) {
      options ??= await identityOptions(deps.sandboxSettings, sandbox, [id]);
    }
    const normalized = normalizeIdentity(namespace, id, options);
    if (!normalized.ok) rejected.push({ line: position, reason: `${namespace} ${normalized.message}` });
    else accepted.push({ position, identity: { namespace, id: normalized.value } });
  }
  return { accepted, rejected };
}

/** Adds identities' profiles to the audience, creating profiles Herald does not know yet. */
export async function addCandidates(
  deps: AudienceDeps,
  sandbox: string,
  audienceId: string,
  candidates: readonly Candidate[],
) {
  const unique = [...new Map(candidates.map((c) => [identityKey(c.identity), c.identity])).values()];
  const { owners, created } = await ensureProfiles(deps, sandbox, unique, 'profiles');
  const profileIds = unique
    .map((identity) => owners.get(identityKey(identity)))
    .filter((id): id is string => id !== undefined);
  await deps.audiences.addMembers(sandbox, audienceId, profileIds, deps.clock.now().toISOString());
  return { added: candidates.length, created };
}

export async function addMembers(
  deps: AudienceDeps,
  sandbox: string,
  audienceId: string,
  identities: readonly Identity[],
) {
  await loadAudience(deps, sandbox, audienceId);
  const { accepted, rejected } = await screen(
    deps,
    sandbox,
    identities.map((value, position) => ({ position, value })),
  );
  return { ...(await addCandidates(deps, sandbox, audienceId, accepted)), rejected };
}

export async function removeMembers(
  deps: AudienceDeps,
  sandbox: string,
  audienceId: string,
  identities: readonly Identity[],
) {
  await loadAudience(deps, sandbox, audienceId);
  const { accepted } = await screen(
    deps,
    sandbox,
    identities.map((value, position) => ({ position, value })),
  );
  const owners = await deps.profiles.findOwners(
    sandbox,
    accepted.map((c) => c.identity),
  );
  const profileIds = [
    ...new Set(
      accepted.map((c) => owners.get(identityKey(c.identity))).filter((id): id is string => id !== undefined),
    ),
  ];
  const removed = await deps.audiences.removeMembers(sandbox, audienceId, profileIds);
  return { removed, notMembers: identities.length - removed };
}

/** A page of the audience's members with their identities (one batched profile read). */
export async function listMembers(
  deps: AudienceDeps,
  sandbox: string,
  audienceId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<MemberView>> {
  await loadAudience(deps, sandbox, audienceId);
  const found = await deps.audiences.listMembers(sandbox, audienceId, page);
  const profiles = await deps.profiles.getMany(sandbox, found.items);
  return {
    ...found,
    items: found.items.map((profileId) => ({
      profileId,
      identities: [...(profiles.get(profileId)?.identities ?? [])],
    })),
  };
}

export async function getImport(deps: AudienceDeps, sandbox: string, audienceId: string, importId: string) {
  const progress = await deps.audiences.getImport(sandbox, importId);
  if (!progress || progress.audienceId !== audienceId) throw new NotFoundError('Import', importId);
  const { revision: _revision, ...view } = progress;
  return view;
}
