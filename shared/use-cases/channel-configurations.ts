import type { CampaignStore } from '../domain/campaign.ts';
import {
  type ChannelConfigurationRecord,
  type ChannelConfigurationStore,
  DKIM_KEY_FIELD,
  networkTarget,
  PASSWORD_FIELD,
  type SealedSecret,
  type SecretBox,
  type StoredDkim,
  type StoredProvider,
  secretContext,
  toChannelConfigurationView,
} from '../domain/channel-configuration.ts';
import type { Clock } from '../domain/clock.ts';
import { ConfigurationInUseError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { uuidv7 } from '../domain/ids.ts';
import { isPossibleE164 } from '../domain/phone.ts';
import { healthView, type ProviderHealthStore } from '../domain/provider-health.ts';
import type { Channel } from '../schemas/campaign.ts';
import {
  type CreateChannelConfigurationInput,
  E164_MESSAGE,
  type PatchChannelConfigurationInput,
  PROVIDER_CHANNELS,
} from '../schemas/channel-configuration.ts';

/**
 * Refuses a network target the operator's SSRF policy does not allow (the webhooks' policy: private,
 * loopback and metadata addresses unless allowed), with a ValidationError naming `path`.
 */
export type TargetCheck = (target: { host: string; port: number }, path: string) => Promise<void>;

export interface ChannelConfigurationDeps {
  readonly channelConfigurations: ChannelConfigurationStore;
  readonly secrets: SecretBox;
  readonly checkTarget: TargetCheck;
  readonly clock: Clock;
  /** The provider health dispatchers record (read here, never written). */
  readonly health: Pick<ProviderHealthStore, 'get' | 'getMany'>;
}

const PASSWORD = PASSWORD_FIELD;

async function load(deps: ChannelConfigurationDeps, sandbox: string, id: string) {
  const record = await deps.channelConfigurations.get(sandbox, id);
  if (!record) throw new NotFoundError('Channel configuration', id);
  return record;
}

/** What an SMTP provider had sealed before a change: kept when the change leaves a secret out. */
interface KeptSecrets {
  readonly password?: SealedSecret | undefined;
  readonly dkim?: StoredDkim | undefined;
}

/** The input's DKIM settings, their key sealed (or the stored key kept); undefined: no signing. */
async function storedDkim(
  deps: ChannelConfigurationDeps,
  where: { sandbox: string; id: string },
  dkim: { domainName: string; keySelector: string; privateKey?: string | undefined } | null | undefined,
  kept: StoredDkim | undefined,
): Promise<StoredDkim | undefined> {
  if (dkim === null) return undefined;
  if (dkim === undefined) return kept;
  const { privateKey, ...names } = dkim;
  if (privateKey !== undefined)
    return {
      ...names,
      privateKey: await deps.secrets.seal(privateKey, secretContext(where, DKIM_KEY_FIELD)),
    };
  if (!kept)
    throw new ValidationError([
      { path: 'body.provider.dkim.privateKey', message: 'is required: no DKIM key is stored yet' },
    ]);
  return { ...names, privateKey: kept.privateKey };
}

/** The provider to store: its secrets sealed (or the stored ones kept), its network target checked. */
async function storedProvider(
  deps: ChannelConfigurationDeps,
  where: { sandbox: string; id: string },
  provider:
    | CreateChannelConfigurationInput['provider']
    | NonNullable<PatchChannelConfigurationInput['provider']>,
  kept: KeptSecrets,
): Promise<StoredProvider> {
  const number =
    provider.type === 'sns-sms'
      ? { value: provider.originationNumber, path: 'body.provider.originationNumber' }
      : provider.type === 'end-user-messaging-sms' && provider.originationIdentity.startsWith('+')
        ? { value: provider.originationIdentity, path: 'body.provider.originationIdentity' }
        : undefined;
  if (number?.value !== undefined && !isPossibleE164(number.value))
    throw new ValidationError([{ path: number.path, message: E164_MESSAGE }]);
  const target = networkTarget(provider);
  if (target) await deps.checkTarget(target, 'body.provider.host');
  if (provider.type !== 'smtp') return provider;
  const { password, dkim, ...rest } = provider;
  const sealed =
    password === null
      ? undefined
      : password === undefined
        ? kept.password
        : await deps.secrets.seal(password, secretContext(where, PASSWORD));
  const signing = await storedDkim(deps, where, dkim, kept.dkim);
  return { ...rest, ...(sealed ? { password: sealed } : {}), ...(signing ? { dkim: signing } : {}) };
}

/** How many fallbacks a chain may have before Herald stops following it (a cycle check's bound). */
const MAX_FALLBACK_CHAIN = 20;

/**
 * Refuses a fallback that is not another configuration of this sandbox and channel, is the
 * sandbox provider (nothing would leave the machine), or leads back to the configuration
 * (`a → b → a`): each a 400 naming `body.fallback`, before anything is written.
 */
async function checkFallback(
  deps: ChannelConfigurationDeps,
  sandbox: string,
  record: { id: string; channel: Channel },
  fallbackId: string,
): Promise<void> {
  const refuse = (message: string) => {
    throw new ValidationError([{ path: 'body.fallback', message }]);
  };
  if (fallbackId === record.id) refuse('cannot be the configuration itself');
  const fallback = await deps.channelConfigurations.get(sandbox, fallbackId);
  if (!fallback) return refuse('is not a channel configuration of this sandbox');
  if (fallback.channel !== record.channel)
    refuse(`is a configuration of the ${fallback.channel} channel; this one carries ${record.channel}`);
  if (fallback.provider.type === 'sandbox')
    refuse('cannot be a sandbox-provider configuration (nothing would leave the machine)');
  let next = fallback.fallbackId;
  for (let hops = 0; next !== undefined && hops < MAX_FALLBACK_CHAIN; hops++) {
    if (next === record.id) refuse(`would make a cycle: ${fallbackId} falls back to this configuration`);
    next = (await deps.channelConfigurations.get(sandbox, next))?.fallbackId;
  }
}

export async function createChannelConfiguration(
  deps: ChannelConfigurationDeps,
  sandbox: string,
  input: CreateChannelConfigurationInput,
) {
  const now = deps.clock.now();
  const id = uuidv7(now.getTime());
  if (input.fallback !== undefined)
    await checkFallback(deps, sandbox, { id, channel: input.channel }, input.fallback);
  const record: ChannelConfigurationRecord = {
    sandbox,
    id,
    name: input.name,
    channel: input.channel,
    provider: await storedProvider(deps, { sandbox, id }, input.provider, {}),
    ...(input.rateLimitPerSec !== undefined ? { rateLimitPerSec: input.rateLimitPerSec } : {}),
    ...(input.fallback !== undefined ? { fallbackId: input.fallback } : {}),
    isDefault: input.default,
    createdAt: now.toISOString(),
    modifiedAt: now.toISOString(),
    revision: 0,
  };
  await deps.channelConfigurations.create(record);
  return toChannelConfigurationView(record);
}

/** The sandbox's configurations, each with its provider health (one batched read for all of them). */
export async function listChannelConfigurations(deps: ChannelConfigurationDeps, sandbox: string) {
  const records = await deps.channelConfigurations.list(sandbox);
  const health = new Map(
    (
      await deps.health.getMany(
        sandbox,
        records.map((r) => r.id),
      )
    ).map((h) => [h.configurationId, h]),
  );
  const now = deps.clock.now().getTime();
  return records.map((record) => ({
    ...toChannelConfigurationView(record),
    health: healthView(health.get(record.id), now),
  }));
}

export async function getChannelConfiguration(deps: ChannelConfigurationDeps, sandbox: string, id: string) {
  const [record, health] = await Promise.all([load(deps, sandbox, id), deps.health.get(sandbox, id)]);
  return { ...toChannelConfigurationView(record), health: healthView(health, deps.clock.now().getTime()) };
}

export async function patchChannelConfiguration(
  deps: ChannelConfigurationDeps,
  sandbox: string,
  id: string,
  patch: PatchChannelConfigurationInput,
) {
  const previous = await load(deps, sandbox, id);
  if (patch.provider && !PROVIDER_CHANNELS[patch.provider.type].includes(previous.channel))
    throw new ValidationError([
      {
        path: 'body.provider.type',
        message: `cannot carry the ${previous.channel} channel of this configuration`,
      },
    ]);
  const kept: KeptSecrets =
    previous.provider.type === 'smtp'
      ? { password: previous.provider.password, dkim: previous.provider.dkim }
      : {};
  if (typeof patch.fallback === 'string') await checkFallback(deps, sandbox, previous, patch.fallback);
  const { rateLimitPerSec: _rate, fallbackId: _fallback, ...withoutRate } = previous;
  const rateLimitPerSec =
    patch.rateLimitPerSec === undefined ? previous.rateLimitPerSec : patch.rateLimitPerSec;
  const fallbackId = patch.fallback === undefined ? previous.fallbackId : patch.fallback;
  const record: ChannelConfigurationRecord = {
    ...withoutRate,
    name: patch.name ?? previous.name,
    provider: patch.provider ? await storedProvider(deps, previous, patch.provider, kept) : previous.provider,
    ...(rateLimitPerSec !== undefined && rateLimitPerSec !== null ? { rateLimitPerSec } : {}),
    ...(fallbackId !== undefined && fallbackId !== null ? { fallbackId } : {}),
    isDefault: patch.default ?? previous.isDefault,
    modifiedAt: deps.clock.now().toISOString(),
    revision: previous.revision + 1,
  };
  await deps.channelConfigurations.save(record, previous);
  return toChannelConfigurationView(record);
}

/**
 * Deletes a configuration no campaign names any more (archived ones aside): a live campaign's
 * messages would otherwise fail `channel-configuration-missing`, a draft's activation would fail.
 */
export async function deleteChannelConfiguration(
  deps: ChannelConfigurationDeps & { readonly campaigns: Pick<CampaignStore, 'list'> },
  sandbox: string,
  id: string,
) {
  const record = await load(deps, sandbox, id);
  const naming: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.campaigns.list(sandbox, { limit: 100, ...(cursor ? { cursor } : {}) });
    for (const campaign of page.items) {
      const names = campaign.channelConfigurationId === id || campaign.draft?.channelConfigurationId === id;
      if (names && campaign.status !== 'archived') naming.push(campaign.id);
    }
    cursor = page.nextCursor;
  } while (cursor);
  if (naming.length > 0) throw new ConfigurationInUseError(naming.slice(0, 20));
  await deps.channelConfigurations.delete(record);
}

/**
 * The configuration a send on `channel` uses: the one a campaign names (which must be of this
 * sandbox and channel), else the sandbox's default for the channel, else none (the sandbox provider).
 */
export async function channelConfigurationFor(
  deps: Pick<ChannelConfigurationDeps, 'channelConfigurations'>,
  sandbox: string,
  channel: Channel,
  id: string | undefined,
): Promise<ChannelConfigurationRecord | undefined> {
  if (id === undefined) return deps.channelConfigurations.getDefault(sandbox, channel);
  const record = await deps.channelConfigurations.get(sandbox, id);
  return record?.channel === channel ? record : undefined;
}
