import type { CampaignReader, CampaignRecord } from '../domain/campaign.ts';
import { CampaignNotFoundError, ConcurrentUpdateError, UnknownRecipientsError } from '../domain/errors.ts';
import type { ExecutionStore, MessageRecord } from '../domain/execution.ts';
import {
  acceptedAnswer,
  assertUnitaryTriggerable,
  transactionalExecution,
  transactionalJob,
} from '../domain/execution.ts';
import { type IdempotencyRecord, requestHash } from '../domain/idempotency.ts';
import { CHANNEL_DEFAULT_NAMESPACE, identityKey, normalizeEmail } from '../domain/identity.ts';
import { uuidv7 } from '../domain/ids.ts';
import { normalizePhone } from '../domain/phone.ts';
import type { ProfileRecord, ProfileStore } from '../domain/profile.ts';
import { checkUnitaryRecipients, phoneValues, type ResolvedRecipient } from '../domain/recipients.ts';
import type { SandboxReader } from '../domain/sandbox.ts';
import type { ExecutionAccepted, UnitaryExecutionInput } from '../schemas/execution.ts';
import type { Identity } from '../schemas/profile.ts';
import { acceptOnce, answerRepeat, assertJobsFit, type ClaimDeps, claimRecord } from './claims.ts';
import { identityOptions } from './sandbox-settings.ts';

export interface TriggerDeps extends ClaimDeps {
  readonly campaigns: CampaignReader;
  /** Cached per container: every call of a sandbox would read the same item. */
  readonly sandboxSettings: SandboxReader;
  readonly profiles: ProfileStore;
  readonly executions: ExecutionStore;
}

export interface TriggerCaller {
  readonly sandbox: string;
  readonly keyId: string;
  /** The `Idempotency-Key` header, when sent; else the body's requestId is the key. */
  readonly idempotencyKey?: string;
}

/**
 * A unitary (transactional) trigger. Primary course: check the campaign, the recipients and the
 * size of the job they make (every check before the first write); resolve every `aep` recipient's
 * profile with one batched read (creating missing ones when the campaign says so, else failing the
 * whole call) — `external` recipients have none and are addressed by the call alone; write the
 * claim with its job, the execution and one message per recipient in one transaction; queue the
 * job; mark the claim done; answer 202.
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

  const publicKey = caller.idempotencyKey ?? input.requestId;
  const key = `unitary#${publicKey}`;
  const executionId = uuidv7(now.getTime());
  const at = now.toISOString();
  const messageIds = recipients.map(() => uuidv7(now.getTime()));
  const execution = transactionalExecution(campaign, caller, { executionId, requestId: input.requestId }, at);
  // Measured with every recipient holding a profile id (all ids have one length): the largest the
  // job can be, known before any profile is created.
  const placeholder = uuidv7(now.getTime());
  assertJobsFit(
    { dispatch: [transactionalJob(campaign, execution, recipients, messageIds, () => placeholder)] },
    'body.recipients',
  );
  const bodyHash = requestHash(input);
  const profileRecipients = recipients.filter((r) => r.type === 'aep');
  const profileIds = await resolveProfiles(
    deps,
    caller.sandbox,
    campaign,
    profileRecipients,
    now,
    async () => {
      // Creating profiles is a write: a key already taken is answered first.
      const existing = await deps.claims.get(caller.sandbox, key);
      return existing && existing.expiresAt >= Math.floor(now.getTime() / 1000) ? existing : undefined;
    },
  );
  if (!(profileIds instanceof Map)) return answerRepeat(deps, { bodyHash }, profileIds.existing, publicKey);

  const accepted = acceptedAnswer(execution);
  const messages: MessageRecord[] = recipients.map((r, index) => {
    const profileId = profileIds.get(r.userId);
    return {
      sandbox: caller.sandbox,
      executionId,
      messageId: messageIds[index] as string,
      userId: r.userId,
      namespace: r.namespace,
      ...(profileId ? { profileId } : {}),
      status: 'queued',
      history: [{ status: 'queued', at }],
    };
  });
  const record = claimRecord(
    {
      sandbox: caller.sandbox,
      key,
      bodyHash,
      executionId,
      response: accepted,
      jobs: {
        dispatch: [
          transactionalJob(campaign, execution, recipients, messageIds, (r) => profileIds.get(r.userId)),
        ],
      },
    },
    now,
  );
  return acceptOnce(
    deps,
    record,
    publicKey,
    () => deps.executions.claim(record, execution, messages, now.getTime()),
    accepted,
  );
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
  /** Asked before the first profile is created; a claim it returns is answered instead. */
  claimHolder: () => Promise<IdempotencyRecord | undefined>,
): Promise<Map<string, string> | { existing: IdempotencyRecord }> {
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
    const existing = await claimHolder();
    if (existing) return { existing };
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
