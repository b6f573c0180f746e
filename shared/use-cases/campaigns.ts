import type { AudienceStore } from '../domain/audience.ts';
import type { CampaignStore } from '../domain/campaign.ts';
import {
  activate,
  applyDueTransitions,
  applyPatch,
  archive,
  assertDeletable,
  assertValidDefinition,
  type CampaignRecord,
  type DefinitionContext,
  definitionFromCreate,
  duplicate,
  editTarget,
  pickDefinition,
  stop,
} from '../domain/campaign.ts';
import type { ChannelConfigurationStore } from '../domain/channel-configuration.ts';
import type { Clock } from '../domain/clock.ts';
import { ConcurrentUpdateError, NotFoundError } from '../domain/errors.ts';
import type { NamespaceStore } from '../domain/identity.ts';
import { isStandardNamespace } from '../domain/identity.ts';
import { uuidv7 } from '../domain/ids.ts';
import type { Page } from '../domain/page.ts';
import type { CampaignView, CreateCampaignInput, PatchCampaignInput } from '../schemas/campaign.ts';

export interface CampaignDeps {
  readonly campaigns: CampaignStore;
  readonly namespaces: NamespaceStore;
  readonly audiences: Pick<AudienceStore, 'get'>;
  readonly channelConfigurations: Pick<ChannelConfigurationStore, 'get'>;
  readonly clock: Clock;
}

/** Who acts, for the audit fields. */
export interface Actor {
  readonly sandbox: string;
  readonly keyId: string;
}

export function toCampaignView(record: CampaignRecord): CampaignView {
  const { revision: _revision, ...view } = record;
  return view;
}

/** What the definition's rules need to know about the sandbox: its namespaces and audiences. */
async function definitionContext(
  deps: CampaignDeps,
  sandbox: string,
  definition: {
    readonly identityNamespace: string;
    readonly audience?: { readonly id: string } | undefined;
    readonly channelConfigurationId?: string | undefined;
  },
): Promise<DefinitionContext> {
  const code = definition.identityNamespace;
  const [namespaceExists, audience, channelConfiguration] = await Promise.all([
    isStandardNamespace(code) || deps.namespaces.exists(sandbox, code),
    definition.audience ? deps.audiences.get(sandbox, definition.audience.id) : undefined,
    definition.channelConfigurationId
      ? deps.channelConfigurations.get(sandbox, definition.channelConfigurationId)
      : undefined,
  ]);
  return {
    namespaceExists,
    audienceExists: !definition.audience || audience !== undefined,
    channelConfiguration: channelConfiguration && {
      channel: channelConfiguration.channel,
      ...(channelConfiguration.provider.type === 'sns-push'
        ? { appIds: [...new Set(channelConfiguration.provider.applications.map((app) => app.appId))] }
        : {}),
    },
  };
}

async function load(deps: CampaignDeps, sandbox: string, id: string): Promise<CampaignRecord> {
  const record = await deps.campaigns.get(sandbox, id);
  if (!record) throw new NotFoundError('Campaign', id);
  return record;
}

export async function createCampaign(deps: CampaignDeps, actor: Actor, input: CreateCampaignInput) {
  const definition = definitionFromCreate(input);
  assertValidDefinition(definition, await definitionContext(deps, actor.sandbox, definition));
  const now = deps.clock.now();
  const record: CampaignRecord = {
    ...definition,
    id: uuidv7(now.getTime()),
    sandbox: actor.sandbox,
    status: 'draft',
    version: 0,
    revision: 0,
    createdAt: now.toISOString(),
    createdBy: actor.keyId,
    modifiedAt: now.toISOString(),
    modifiedBy: actor.keyId,
  };
  await deps.campaigns.create(record);
  return toCampaignView(record);
}

export async function getCampaign(deps: CampaignDeps, sandbox: string, id: string) {
  return toCampaignView(await load(deps, sandbox, id));
}

export async function listCampaigns(
  deps: CampaignDeps,
  sandbox: string,
  page: { limit: number; cursor?: string },
): Promise<Page<CampaignView>> {
  const result = await deps.campaigns.list(sandbox, page);
  return { ...result, items: result.items.map(toCampaignView) };
}

/** Edits a draft in place; a scheduled or live campaign gets its edits in a draft version. */
export async function patchCampaign(deps: CampaignDeps, actor: Actor, id: string, patch: PatchCampaignInput) {
  const record = await load(deps, actor.sandbox, id);
  const target = editTarget(record);
  const base = target === 'draft' ? (record.draft ?? pickDefinition(record)) : pickDefinition(record);
  const definition = applyPatch(base, patch);
  assertValidDefinition(definition, await definitionContext(deps, actor.sandbox, definition));
  const now = deps.clock.now().toISOString();
  const lifecycle = { modifiedAt: now, modifiedBy: actor.keyId, revision: record.revision + 1 };
  const next: CampaignRecord =
    target === 'draft'
      ? { ...record, ...lifecycle, draft: definition }
      : { ...stripDefinition(record), ...definition, ...lifecycle };
  await deps.campaigns.save(next);
  return toCampaignView(next);
}

function stripDefinition(record: CampaignRecord): CampaignRecord {
  const copy: Record<string, unknown> = { ...record };
  for (const key of [
    'description',
    'audience',
    'channelConfigurationId',
    'schedule',
    'throttleRatePerSec',
    'appId',
    'smsMaxParts',
  ])
    delete copy[key];
  return copy as unknown as CampaignRecord;
}

export async function deleteCampaign(deps: CampaignDeps, sandbox: string, id: string): Promise<void> {
  const record = await load(deps, sandbox, id);
  assertDeletable(record);
  await deps.campaigns.delete(sandbox, id, record.revision);
}

export async function activateCampaign(deps: CampaignDeps, actor: Actor, id: string) {
  const record = await load(deps, actor.sandbox, id);
  const definition = record.draft ?? record;
  const next = activate(
    record,
    await definitionContext(deps, actor.sandbox, definition),
    deps.clock.now(),
    actor.keyId,
  );
  const saved = { ...next, revision: record.revision + 1 };
  await deps.campaigns.save(saved);
  return toCampaignView(saved);
}

export async function stopCampaign(deps: CampaignDeps, actor: Actor, id: string) {
  const record = await load(deps, actor.sandbox, id);
  const saved = { ...stop(record, deps.clock.now(), actor.keyId), revision: record.revision + 1 };
  await deps.campaigns.save(saved);
  return toCampaignView(saved);
}

export async function archiveCampaign(deps: CampaignDeps, actor: Actor, id: string) {
  const record = await load(deps, actor.sandbox, id);
  const saved = { ...archive(record, deps.clock.now(), actor.keyId), revision: record.revision + 1 };
  await deps.campaigns.save(saved);
  return toCampaignView(saved);
}

export async function duplicateCampaign(deps: CampaignDeps, actor: Actor, id: string) {
  const record = await load(deps, actor.sandbox, id);
  const now = deps.clock.now();
  const copy = duplicate(record, { id: uuidv7(now.getTime()), now, by: actor.keyId });
  await deps.campaigns.create(copy);
  return toCampaignView(copy);
}

/**
 * The scheduler's part for campaigns: moves every scheduled campaign whose start date has come to
 * live, and every live one whose end date has passed to completed. Returns how many changed.
 */
export async function runDueCampaignTransitions(
  deps: Pick<CampaignDeps, 'campaigns' | 'clock'>,
  batchLimit = 100,
): Promise<number> {
  const now = deps.clock.now();
  let changed = 0;
  for (;;) {
    const due = await deps.campaigns.listDue(now, batchLimit);
    let progressed = 0;
    for (const { sandbox, id } of due) {
      const record = await deps.campaigns.get(sandbox, id);
      if (!record) continue;
      const next = applyDueTransitions(record, now);
      if (next === record) continue;
      try {
        await deps.campaigns.save({ ...next, revision: record.revision + 1 });
        changed++;
        progressed++;
      } catch (error) {
        // Another writer changed it first; the next run sees the new state.
        if (!(error instanceof ConcurrentUpdateError)) throw error;
      }
    }
    if (due.length < batchLimit || progressed === 0) return changed;
  }
}
