import type { CampaignRecord } from '../domain/campaign.ts';
import {
  CampaignNotFoundError,
  ConcurrentUpdateError,
  IdempotencyKeyReusedError,
  RequestInProgressError,
  UnknownRecipientsError,
} from '../domain/errors.ts';
import {
  assertUnitaryTriggerable,
  checkUnitaryRecipients,
  phoneValues,
  type ResolvedRecipient,
} from '../domain/execution.ts';
import { requestHash } from '../domain/idempotency.ts';
import { CHANNEL_DEFAULT_NAMESPACE, normalizeEmail, normalizePhone } from '../domain/identity.ts';
import { uuidv7 } from '../domain/ids.ts';
import {
  type CampaignReader,
  type Clock,
  type DispatchJob,
  type DispatchQueue,
  type ExecutionRecord,
  type ExecutionStore,
  IDEMPOTENCY_WINDOW_SECONDS,
  type IdempotencyRecord,
  identityKey,
  type MessageRecord,
  type ProfileRecord,
  type ProfileStore,
  type SandboxReader,
} from '../ports.ts';
import type { ExecutionAccepted, UnitaryExecutionInput } from '../schemas/execution.ts';
import type { Identity } from '../schemas/profile.ts';
import { identityOptions } from './sandbox-settings.ts';

export interface TriggerDeps {
  readonly campaigns: CampaignReader;
  /** Cached per container: every call of a sandbox would read the same item. */
  readonly sandboxSettings: SandboxReader;
  readonly profiles: ProfileStore;
  readonly executions: ExecutionStore;
  readonly dispatch: DispatchQueue;
  readonly clock: Clock;
}

export interface TriggerCaller {
  readonly sandbox: string;
  readonly keyId: string;
  /** The `Idempotency-Key` header, when sent; else the body's requestId is the key. */
  readonly idempotencyKey?: string;
}

/** How long a request owns its idempotency key before a retry may finish its work. */
const LOCK_MS = 30_000;

/**
 * A unitary (transactional) trigger. Primary course: check the campaign and recipients; resolve
 * every `aep` recipient's profile with one batched read (creating missing ones when the campaign
 * says so, else failing the whole call) — `external` recipients have none and are addressed by the
 * call alone; write the idempotency record, the execution and one message per recipient in one
 * transaction; enqueue one dispatch job; mark the record done; answer 202.
 */
export async function triggerUnitary(
  deps: TriggerDeps,
  caller: TriggerCaller,
  input: UnitaryExecutionInput,
): Promise<ExecutionAccepted> {
  const now = deps.clock.now();
  const campaign = await deps.campaigns.get(caller.sandbox, input.campaignId);
  if (!campaign) throw new CampaignNotFoundError(input.campaignId);
  assertUnitaryTriggerable(campaign, now);
  const options = await identityOptions(deps.sandboxSettings, caller.sandbox, phoneValues(input));
  const recipients = checkUnitaryRecipients(input, campaign, options);
  const profileIds = await resolveProfiles(
    deps,
    caller.sandbox,
    campaign,
    recipients.filter((r) => r.type === 'aep'),
    now,
  );

  const key = `unitary#${caller.idempotencyKey ?? input.requestId}`;
  const executionId = uuidv7(now.getTime());
  const at = now.toISOString();
  const accepted: ExecutionAccepted = {
    executionId,
    requestId: input.requestId,
    createdAt: at,
    createdBy: caller.keyId,
    modifiedAt: at,
    modifiedBy: caller.keyId,
  };
  const messages: MessageRecord[] = recipients.map((r) => {
    const profileId = profileIds.get(r.userId);
    return {
      sandbox: caller.sandbox,
      executionId,
      messageId: uuidv7(now.getTime()),
      userId: r.userId,
      namespace: r.namespace,
      ...(profileId ? { profileId } : {}),
      status: 'queued',
      history: [{ status: 'queued', at }],
    };
  });
  const record: IdempotencyRecord = {
    sandbox: caller.sandbox,
    key,
    bodyHash: requestHash(input),
    state: 'pending',
    lockedUntil: now.getTime() + LOCK_MS,
    executionId,
    response: accepted,
    expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_WINDOW_SECONDS,
  };
  const execution: ExecutionRecord = {
    sandbox: caller.sandbox,
    executionId,
    requestId: input.requestId,
    campaignId: campaign.id,
    campaignVersion: campaign.version,
    channel: campaign.channel,
    createdAt: at,
    createdBy: caller.keyId,
  };

  const claim = await deps.executions.claim(record, execution, messages, now.getTime());
  if (!claim.claimed) return answerRepeat(deps, caller, input, campaign, recipients, record, claim.existing);
  await deps.dispatch.send(dispatchJob(campaign, execution, messages, recipients));
  await deps.executions.complete(caller.sandbox, key);
  return accepted;
}

/**
 * A request whose key is already taken: a different body is refused; a finished one gets the first
 * answer; one still running gets 409 until its lock lapses, after which this request finishes its
 * work (re-sending the dispatch job is safe: the worker never sends a message twice).
 */
async function answerRepeat(
  deps: TriggerDeps,
  caller: TriggerCaller,
  input: UnitaryExecutionInput,
  campaign: CampaignRecord,
  recipients: ResolvedRecipient[],
  mine: IdempotencyRecord,
  existing: IdempotencyRecord,
): Promise<ExecutionAccepted> {
  const publicKey = caller.idempotencyKey ?? input.requestId;
  if (existing.bodyHash !== mine.bodyHash) throw new IdempotencyKeyReusedError(publicKey);
  if (existing.state === 'done') return existing.response as ExecutionAccepted;
  const nowMs = deps.clock.now().getTime();
  if (existing.lockedUntil > nowMs) {
    throw new RequestInProgressError(
      publicKey,
      Math.max(1, Math.ceil((existing.lockedUntil - nowMs) / 1000)),
    );
  }
  if (!(await deps.executions.relock(existing, nowMs + LOCK_MS)))
    throw new RequestInProgressError(publicKey, 1);
  const stored = await deps.executions.getExecution(caller.sandbox, existing.executionId);
  if (!stored) throw new Error(`idempotency record ${existing.key} names a missing execution`);
  await deps.dispatch.send(dispatchJob(campaign, stored.execution, stored.messages, recipients));
  await deps.executions.complete(caller.sandbox, existing.key);
  return existing.response as ExecutionAccepted;
}

function dispatchJob(
  campaign: CampaignRecord,
  execution: ExecutionRecord,
  messages: readonly MessageRecord[],
  recipients: readonly ResolvedRecipient[],
): DispatchJob {
  const byUser = new Map(recipients.map((r) => [r.userId, r]));
  return {
    kind: 'unitary',
    sandbox: execution.sandbox,
    executionId: execution.executionId,
    requestId: execution.requestId,
    campaignId: campaign.id,
    campaignVersion: execution.campaignVersion,
    campaignType: campaign.category,
    channel: campaign.channel,
    enableWebhooks: campaign.enableWebhooks,
    content: campaign.content,
    recipients: messages.map((m) => {
      const r = byUser.get(m.userId);
      return {
        messageId: m.messageId,
        userId: m.userId,
        namespace: m.namespace,
        ...(m.profileId ? { profileId: m.profileId } : {}),
        ...(r?.channelData ? { channelData: r.channelData } : {}),
        ...(r?.profile ? { profile: r.profile } : {}),
        ...(r?.context ? { context: r.context } : {}),
      };
    }),
  };
}

/** The identity a new profile also gets in the channel's namespace, when the call gives the address. */
function channelIdentity(campaign: CampaignRecord, recipient: ResolvedRecipient): Identity | undefined {
  const namespace = CHANNEL_DEFAULT_NAMESPACE[campaign.channel];
  if (namespace === campaign.identityNamespace) return undefined;
  const raw =
    namespace === 'email'
      ? recipient.channelData?.emailAddress
      : namespace === 'phone'
        ? recipient.channelData?.mobilePhoneNumber
        : undefined;
  if (!raw) return undefined;
  const normalized = namespace === 'email' ? normalizeEmail(raw) : normalizePhone(raw);
  return normalized.ok ? { namespace, id: normalized.value } : undefined;
}

/**
 * userId → profileId for every recipient. One batched read; with `createNewProfiles` the missing
 * profiles are created in the interactive-messaging dataset in one transaction (an identity that
 * already belongs to someone else is not moved: the new profile goes without it).
 */
async function resolveProfiles(
  deps: TriggerDeps,
  sandbox: string,
  campaign: CampaignRecord,
  recipients: readonly ResolvedRecipient[],
  now: Date,
): Promise<Map<string, string>> {
  if (recipients.length === 0) return new Map();
  for (let attempt = 1; ; attempt++) {
    const primary = recipients.map((r) => ({ namespace: campaign.identityNamespace, id: r.userId }));
    const extra = campaign.createNewProfiles
      ? recipients.map((r) => channelIdentity(campaign, r)).filter((i): i is Identity => i !== undefined)
      : [];
    const owners = await deps.profiles.findOwners(sandbox, [...primary, ...extra]);
    const profileIds = new Map<string, string>();
    const missing: ResolvedRecipient[] = [];
    for (const r of recipients) {
      const owner = owners.get(identityKey({ namespace: campaign.identityNamespace, id: r.userId }));
      if (owner) profileIds.set(r.userId, owner);
      else missing.push(r);
    }
    if (missing.length === 0) return profileIds;
    if (!campaign.createNewProfiles) throw new UnknownRecipientsError(missing.map((r) => r.rawUserId));
    const at = now.toISOString();
    // Two recipients of one call may carry the same channel address; only the first gets it.
    const claimed = new Set<string>();
    const created: ProfileRecord[] = missing.map((r) => {
      const identities: Identity[] = [{ namespace: campaign.identityNamespace, id: r.userId }];
      const more = channelIdentity(campaign, r);
      if (more && !owners.has(identityKey(more)) && !claimed.has(identityKey(more))) {
        claimed.add(identityKey(more));
        identities.push(more);
      }
      return {
        sandbox,
        profileId: uuidv7(now.getTime()),
        identities,
        attributes: {},
        consent: {},
        dataset: 'interactive-messaging',
        revision: 1,
        createdAt: at,
        modifiedAt: at,
      };
    });
    try {
      await deps.profiles.createMany(created);
      for (const [index, r] of missing.entries())
        profileIds.set(r.userId, (created[index] as ProfileRecord).profileId);
      return profileIds;
    } catch (error) {
      // A concurrent call created some of them first: read again and use theirs.
      if (!(error instanceof ConcurrentUpdateError) || attempt >= 4) throw error;
    }
  }
}
