import { AUDIENCE_WINDOW_MS, MEMBER_SHARDS } from '../domain/audience.ts';
import {
  AudienceNotAllowedError,
  CampaignNotFoundError,
  ContextTooLargeError,
  IdempotencyKeyReusedError,
  NotFoundError,
  RequestInProgressError,
  ReservedContextError,
} from '../domain/errors.ts';
import { assertAudienceTriggerable } from '../domain/execution.ts';
import { audienceRequestKey, requestHash } from '../domain/idempotency.ts';
import { uuidv7 } from '../domain/ids.ts';
import {
  type AudienceExecutionRecord,
  type AudienceExecutionStore,
  type AudienceStore,
  type CampaignReader,
  type Clock,
  type ExecutionStore,
  type FanoutJob,
  type FanoutQueue,
  IDEMPOTENCY_WINDOW_SECONDS,
  type IdempotencyRecord,
} from '../ports.ts';
import {
  type AudienceExecutionAccepted,
  type AudienceExecutionInput,
  type AudienceExecutionStatus,
  MAX_CONTEXT_BYTES,
} from '../schemas/execution.ts';

export interface AudienceTriggerDeps {
  readonly campaigns: CampaignReader;
  readonly audiences: Pick<AudienceStore, 'get'>;
  readonly audienceExecutions: AudienceExecutionStore;
  /** The idempotency records are shared with unitary executions. */
  readonly executions: Pick<ExecutionStore, 'complete' | 'relock'>;
  readonly fanoutQueue: FanoutQueue;
  readonly clock: Clock;
}

const LOCK_MS = 30_000;
/** The send rate when the campaign sets none: the reference system's maximum. */
const DEFAULT_RATE_PER_SEC = 2_000;

const allShards = (sandbox: string, executionId: string): FanoutJob[] =>
  Array.from({ length: MEMBER_SHARDS }, (_, shard) => ({ kind: 'fanout', sandbox, executionId, shard }));

/**
 * Sends a live marketing campaign to its audience. Primary course: check the campaign, the audience
 * and the shared context; write the run (and the idempotency record when a requestId is given);
 * queue one fanout job per membership shard, which the fanout workers page through in parallel at
 * the campaign's rate; answer 202 with the run.
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
  const audienceId = input.audience?.id ?? campaign.audience?.id;
  if (!audienceId || (campaign.audience && audienceId !== campaign.audience.id)) {
    throw new AudienceNotAllowedError(audienceId ?? 'none');
  }
  if (!(await deps.audiences.get(caller.sandbox, audienceId)))
    throw new NotFoundError('Audience', audienceId);
  if (input.context && Object.hasOwn(input.context, 'system')) {
    throw new ReservedContextError([{ path: 'body.context.system', message: 'is reserved' }]);
  }
  const contextBytes = input.context ? Buffer.byteLength(JSON.stringify(input.context), 'utf8') : 0;
  if (contextBytes > MAX_CONTEXT_BYTES) throw new ContextTooLargeError(contextBytes, MAX_CONTEXT_BYTES);

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
    enableWebhooks: campaign.enableWebhooks,
    throttleRatePerSec: campaign.throttleRatePerSec ?? DEFAULT_RATE_PER_SEC,
    ...(input.context ? { context: input.context } : {}),
    status: 'InProgress',
    shardsDone: [],
    windowEndsAt: new Date(now.getTime() + AUDIENCE_WINDOW_MS).toISOString(),
    createdAt: at,
    createdBy: caller.keyId,
  };
  const idempotency: IdempotencyRecord | undefined = input.requestId
    ? {
        sandbox: caller.sandbox,
        key: audienceRequestKey(input.requestId),
        bodyHash: requestHash(input),
        state: 'pending',
        lockedUntil: now.getTime() + LOCK_MS,
        executionId,
        response: accepted,
        expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_WINDOW_SECONDS,
      }
    : undefined;

  const claim = await deps.audienceExecutions.claim(run, idempotency, now.getTime());
  if (!claim.claimed && idempotency) {
    const { existing } = claim;
    if (existing.bodyHash !== idempotency.bodyHash)
      throw new IdempotencyKeyReusedError(input.requestId ?? '');
    if (existing.state === 'done') return existing.response as AudienceExecutionAccepted;
    if (existing.lockedUntil > now.getTime()) {
      throw new RequestInProgressError(
        input.requestId ?? '',
        Math.max(1, Math.ceil((existing.lockedUntil - now.getTime()) / 1000)),
      );
    }
    if (!(await deps.executions.relock(existing, now.getTime() + LOCK_MS)))
      throw new RequestInProgressError(input.requestId ?? '', 1);
    // The first request died after writing its run: queue its fanout (pages are idempotent).
    await deps.fanoutQueue.send(allShards(caller.sandbox, existing.executionId));
    await deps.executions.complete(caller.sandbox, existing.key);
    return existing.response as AudienceExecutionAccepted;
  }
  await deps.fanoutQueue.send(allShards(caller.sandbox, executionId));
  if (idempotency) await deps.executions.complete(caller.sandbox, idempotency.key);
  return accepted;
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
    counts.queued + counts.sent + counts.delivered + counts.bounce + counts.complaint + counts.error;
  return {
    executionId,
    campaignId: run.campaignId,
    audienceId: run.audienceId,
    status: run.status,
    targetedProfileCount: targeted,
    createdAt: run.createdAt,
    counts,
  };
}
