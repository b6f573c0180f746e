import type { AudienceExecutionRecord, AudienceExecutionStore, AudienceStore } from '../domain/audience.ts';
import {
  AUDIENCE_CHUNK,
  AUDIENCE_WINDOW_MS,
  audienceRun,
  MEMBER_SHARDS,
  runDelivery,
} from '../domain/audience.ts';
import type { CampaignReader } from '../domain/campaign.ts';
import {
  AudienceNotAllowedError,
  CampaignNotFoundError,
  ContextTooLargeError,
  NotFoundError,
  ReservedContextError,
  TooLargeError,
} from '../domain/errors.ts';
import { assertAudienceTriggerable, channelOptions, dispatchJobFor } from '../domain/execution.ts';
import { audienceRequestKey, requestHash } from '../domain/idempotency.ts';
import { uuidv7 } from '../domain/ids.ts';
import type { DispatchJob } from '../schemas/dispatch-job.ts';
import type {
  AudienceExecutionAccepted,
  AudienceExecutionInput,
  AudienceExecutionStatus,
} from '../schemas/execution.ts';
import type { FanoutJob } from '../schemas/fanout-job.ts';
import { jsonBytes, MAX_CONTEXT_BYTES, MAX_ITEM_BYTES } from '../schemas/limits.ts';
import { acceptOnce, assertJobsFit, type ClaimDeps, claimRecord } from './claims.ts';

export interface AudienceTriggerDeps extends ClaimDeps {
  readonly campaigns: CampaignReader;
  readonly audiences: Pick<AudienceStore, 'get'>;
  readonly audienceExecutions: AudienceExecutionStore;
}

/** The send rate when the campaign sets none: the reference system's maximum. */
const DEFAULT_RATE_PER_SEC = 2_000;

const allShards = (sandbox: string, executionId: string): FanoutJob[] =>
  Array.from({ length: MEMBER_SHARDS }, (_, shard) => ({ kind: 'fanout', sandbox, executionId, shard }));

/**
 * The largest dispatch job a run's fanout can queue: the run's content and context, and a full
 * page of recipients with the longest ids a member can have (escaped as the queue carries them).
 */
function largestDispatchJob(run: AudienceExecutionRecord): DispatchJob {
  const id = '\u0000'.repeat(256);
  return dispatchJobFor(
    audienceRun(run),
    Array.from({ length: AUDIENCE_CHUNK }, () => ({
      messageId: run.executionId,
      userId: id,
      namespace: run.identityNamespace,
      profileId: run.executionId,
      shard: MEMBER_SHARDS,
    })),
  );
}

/**
 * Sends a live marketing campaign to its audience. Primary course: check the campaign, the audience
 * and the shared context, and that the run and its jobs fit where they are kept; write the run with
 * its claim and fanout jobs (one per membership shard, which the fanout workers page through in
 * parallel at the campaign's rate); queue them; answer 202 with the run.
 */
export async function triggerAudience(
  deps: AudienceTriggerDeps,
  caller: { sandbox: string; keyId: string },
  input: AudienceExecutionInput,
): Promise<AudienceExecutionAccepted> {
  const now = deps.clock.now();
  const campaign = await deps.campaigns.get(caller.sandbox, input.campaignId);
  if (!campaign) throw new CampaignNotFoundError(input.campaignId);
  assertAudienceTriggerable(campaign, now);
  const audienceId = await runAudience(deps, caller.sandbox, campaign, input);

  const executionId = uuidv7(now.getTime());
  const at = now.toISOString();
  const accepted: AudienceExecutionAccepted = {
    executionId,
    ...(input.requestId ? { requestId: input.requestId } : {}),
    campaignId: campaign.id,
    audienceId,
    status: 'InProgress',
    createdAt: at,
    createdBy: caller.keyId,
  };
  const run: AudienceExecutionRecord = {
    sandbox: caller.sandbox,
    executionId,
    ...(input.requestId ? { requestId: input.requestId } : {}),
    campaignId: campaign.id,
    campaignVersion: campaign.version,
    audienceId,
    channel: campaign.channel,
    identityNamespace: campaign.identityNamespace,
    content: campaign.content,
    ...(campaign.channelConfigurationId ? { channelConfigurationId: campaign.channelConfigurationId } : {}),
    enableWebhooks: campaign.enableWebhooks,
    ...channelOptions(campaign),
    throttleRatePerSec: campaign.throttleRatePerSec ?? DEFAULT_RATE_PER_SEC,
    ...(input.context ? { context: input.context } : {}),
    status: 'InProgress',
    shardsDone: [],
    windowEndsAt: new Date(now.getTime() + AUDIENCE_WINDOW_MS).toISOString(),
    createdAt: at,
    createdBy: caller.keyId,
  };
  const runBytes = jsonBytes(run);
  if (runBytes > MAX_ITEM_BYTES) throw new TooLargeError('body.context', 'The run', runBytes, MAX_ITEM_BYTES);
  assertJobsFit({ dispatch: [largestDispatchJob(run)] }, 'body.context');

  // A run without a requestId still gets a claim of its own: it is the run's outbox.
  const publicKey = input.requestId ?? executionId;
  const record = claimRecord(
    {
      sandbox: caller.sandbox,
      key: input.requestId ? audienceRequestKey(input.requestId) : `audience-run#${executionId}`,
      bodyHash: requestHash(input),
      executionId,
      response: accepted,
      jobs: { fanout: allShards(caller.sandbox, executionId) },
    },
    now,
  );
  return acceptOnce(
    deps,
    record,
    publicKey,
    () => deps.audienceExecutions.claim(run, record, now.getTime()),
    accepted,
  );
}

/**
 * What an audience run (now or scheduled) sends to: the audience the call names, else the
 * campaign's; a campaign with an audience takes no other. It must exist, and the call's shared
 * context must be allowed.
 */
export async function runAudience(
  deps: Pick<AudienceTriggerDeps, 'audiences'>,
  sandbox: string,
  campaign: { readonly audience?: { readonly id: string } | undefined },
  input: Pick<AudienceExecutionInput, 'audience' | 'context'>,
): Promise<string> {
  const audienceId = input.audience?.id ?? campaign.audience?.id;
  if (!audienceId || (campaign.audience && audienceId !== campaign.audience.id)) {
    throw new AudienceNotAllowedError(audienceId ?? 'none');
  }
  if (!(await deps.audiences.get(sandbox, audienceId))) throw new NotFoundError('Audience', audienceId);
  assertAudienceContext(input.context);
  return audienceId;
}

/** The shared context of an audience run: `system` is reserved; at most 200 KB. */
export function assertAudienceContext(context: Record<string, unknown> | undefined): void {
  if (context && Object.hasOwn(context, 'system')) {
    throw new ReservedContextError([{ path: 'body.context.system', message: 'is reserved' }]);
  }
  const contextBytes = jsonBytes(context);
  if (contextBytes > MAX_CONTEXT_BYTES) {
    throw new ContextTooLargeError(contextBytes, MAX_CONTEXT_BYTES, 'body.context');
  }
}

/** A run's progress, counted from its messages (no counter item is touched per message). */
export async function getAudienceExecution(
  deps: Pick<AudienceTriggerDeps, 'audienceExecutions'>,
  sandbox: string,
  executionId: string,
): Promise<AudienceExecutionStatus> {
  const run = await deps.audienceExecutions.get(sandbox, executionId);
  if (!run) throw new NotFoundError('Execution', executionId);
  const counts = {
    queued: 0,
    sent: 0,
    delivered: 0,
    bounce: 0,
    complaint: 0,
    error: 0,
    delay: 0,
    excluded: {} as Record<string, number>,
  };
  for (const { status, statusCode } of await deps.audienceExecutions.messageStatuses(sandbox, executionId)) {
    if (status === 'exclude') {
      const code = statusCode ?? 'excluded';
      counts.excluded[code] = (counts.excluded[code] ?? 0) + 1;
    } else {
      counts[status]++;
    }
  }
  const targeted =
    counts.queued +
    counts.sent +
    counts.delivered +
    counts.bounce +
    counts.complaint +
    counts.error +
    counts.delay;
  return {
    executionId,
    campaignId: run.campaignId,
    audienceId: run.audienceId,
    status: run.status,
    ...runDelivery(run.status, counts),
    targetedProfileCount: targeted,
    createdAt: run.createdAt,
    counts,
  };
}
