import type {
  AudienceExecutionRecord,
  AudienceExecutionStore,
  AudienceStore,
  FanoutQueue,
} from '../domain/audience.ts';
import { AUDIENCE_CHUNK, audienceMessageId, audienceRun, planChunks } from '../domain/audience.ts';
import type { SuppressionStore } from '../domain/channel.ts';
import type { Clock } from '../domain/clock.ts';
import type { DispatchQueue, ExecutionStore, MessageRecord } from '../domain/execution.ts';
import { dispatchJobFor, statusEvent } from '../domain/execution.ts';
import { chooseAddress } from '../domain/message.ts';
import type { ProfileRecord, ProfileStore } from '../domain/profile.ts';
import type { StatusEventPublisher } from '../domain/webhook.ts';
import { addCorrelation } from '../logger.ts';
import { recordMetric } from '../metrics.ts';
import type { DispatchJob } from '../schemas/dispatch-job.ts';
import type { FanoutJob } from '../schemas/fanout-job.ts';
import { logStatusChanges } from './status-log.ts';

export interface FanoutDeps {
  readonly audienceExecutions: AudienceExecutionStore;
  readonly audiences: Pick<AudienceStore, 'membersPage'>;
  readonly profiles: Pick<ProfileStore, 'getMany'>;
  readonly suppressions: SuppressionStore;
  readonly executions: Pick<ExecutionStore, 'createMessages'>;
  readonly dispatch: DispatchQueue;
  readonly fanoutQueue: FanoutQueue;
  readonly events: StatusEventPublisher;
  readonly clock: Clock;
}

/** Members read per fanout step. */
export const FANOUT_PAGE = 100;
/** A step whose first send slot is further off than this waits (SQS delays stop at 15 minutes). */
const HORIZON_MS = 14 * 60 * 1000;

/** Exclusion codes of audience runs (in addition to the address codes of message.ts). */
export const AUDIENCE_EXCLUSIONS = {
  missingProfile: 'missing-profile',
  missingIdentity: 'missing-identity',
  noConsent: 'no-consent',
  denylist: 'denylist',
  windowExpired: 'window-expired',
} as const;

type Decision =
  | {
      readonly profileId: string;
      readonly include: true;
      readonly userId: string;
      readonly address: string;
    }
  | {
      readonly profileId: string;
      readonly include: false;
      readonly userId: string;
      readonly code: string;
      readonly reason: string;
    };

/**
 * Who of a page may be sent to, and why the others are not, before the suppression list is read.
 * Consent means an explicit `y`.
 */
function decide(
  run: AudienceExecutionRecord,
  profileId: string,
  profile: ProfileRecord | undefined,
): Decision {
  const exclude = (userId: string, code: string, reason: string): Decision => ({
    profileId,
    include: false,
    userId,
    code,
    reason,
  });
  if (!profile)
    return exclude(
      profileId,
      AUDIENCE_EXCLUSIONS.missingProfile,
      'The profile was deleted after it joined the audience.',
    );
  const identity = profile.identities.find((i) => i.namespace === run.identityNamespace);
  if (!identity) {
    return exclude(
      profileId,
      AUDIENCE_EXCLUSIONS.missingIdentity,
      `The profile has no '${run.identityNamespace}' identity.`,
    );
  }
  if (profile.consent.marketing?.[run.channel] !== 'y') {
    return exclude(
      identity.id,
      AUDIENCE_EXCLUSIONS.noConsent,
      `No marketing consent ('y') for ${run.channel}.`,
    );
  }
  const address = chooseAddress(run.channel, undefined, profile);
  if (!address.ok) return exclude(identity.id, address.code, address.reason);
  return { profileId, include: true, userId: identity.id, address: address.address };
}

/** The page's decisions with suppressed addresses excluded (one batched read of the list). */
async function withoutSuppressed(
  deps: FanoutDeps,
  run: AudienceExecutionRecord,
  decisions: readonly Decision[],
): Promise<Decision[]> {
  const addresses = decisions.flatMap((d) => (d.include ? [d.address] : []));
  if (addresses.length === 0) return [...decisions];
  const suppressed = await deps.suppressions.suppressedAmong(run.sandbox, run.channel, addresses);
  return decisions.map((d) =>
    d.include && suppressed.has(d.address)
      ? {
          profileId: d.profileId,
          include: false,
          userId: d.userId,
          code: AUDIENCE_EXCLUSIONS.denylist,
          reason: 'The address is on the suppression list.',
        }
      : d,
  );
}

/**
 * One fanout step: a page of one shard's members. Primary course: wait if the run's send slots are
 * booked beyond SQS's delay horizon; decide each member; reserve send slots for the included at the
 * campaign's rate (shared by all workers of the run) and exclude those whose slot falls after the
 * 12-hour window; write one message per member (deterministic ids: a replayed page writes none
 * twice); queue dispatch jobs delayed to their slots; queue the next page or mark the shard done.
 */
export async function fanOutPage(deps: FanoutDeps, job: FanoutJob): Promise<void> {
  const run = await deps.audienceExecutions.get(job.sandbox, job.executionId);
  if (!run) return;
  addCorrelation({ requestId: run.requestId ?? run.executionId, campaignId: run.campaignId });
  const now = deps.clock.now();
  const nextSlot = await deps.audienceExecutions.nextSlot(job.sandbox, job.executionId);
  if (nextSlot !== undefined && nextSlot - now.getTime() > HORIZON_MS) {
    await deps.fanoutQueue.send([job], 900);
    return;
  }
  const page = await deps.audiences.membersPage(job.sandbox, run.audienceId, job.shard, {
    limit: FANOUT_PAGE,
    ...(job.cursor ? { cursor: job.cursor } : {}),
  });
  const profiles = await deps.profiles.getMany(job.sandbox, page.profileIds);
  recordMetric('FanoutMembers', page.profileIds.length);
  const decisions = await withoutSuppressed(
    deps,
    run,
    page.profileIds.map((id) => decide(run, id, profiles.get(id))),
  );
  const included = decisions.filter((d) => d.include);
  const windowEnds = Date.parse(run.windowEndsAt);
  const sendAt = new Map<string, number>();
  if (included.length > 0) {
    const start = await deps.audienceExecutions.reserveSlots(
      job.sandbox,
      job.executionId,
      included.length,
      run.throttleRatePerSec,
      now.getTime(),
    );
    for (const chunk of planChunks(included.length, run.throttleRatePerSec, start)) {
      for (const d of included.slice(chunk.offset, chunk.offset + chunk.size))
        sendAt.set(d.profileId, chunk.atMs);
    }
  }
  const at = now.toISOString();
  const messages: MessageRecord[] = decisions.map((d) => {
    const base = {
      sandbox: job.sandbox,
      executionId: job.executionId,
      messageId: audienceMessageId(job.executionId, d.profileId),
      userId: d.userId,
      namespace: run.identityNamespace,
      profileId: d.profileId,
      shard: job.shard,
    };
    const slot = sendAt.get(d.profileId);
    if (d.include && slot !== undefined && slot <= windowEnds) {
      return { ...base, status: 'queued', history: [{ status: 'queued', at }] };
    }
    const [code, reason] = d.include
      ? [AUDIENCE_EXCLUSIONS.windowExpired, 'Not reached within the 12-hour window at the campaign’s rate.']
      : [d.code, d.reason];
    return {
      ...base,
      status: 'exclude',
      statusCode: code,
      history: [{ status: 'exclude', at, code, reason }],
    };
  });
  const existing = new Map((await deps.executions.createMessages(messages)).map((m) => [m.messageId, m]));
  for (const m of messages)
    if (m.status === 'exclude' && !existing.has(m.messageId))
      logStatusChanges(m.messageId, run.channel, m.history);
  // A replayed page: what exists stays as it is; queued ones are queued again (dispatch skips sent ones).
  const current = messages.map((m) => existing.get(m.messageId) ?? m);

  const dispatchRun = audienceRun(run);
  const toSend = current.filter((m) => m.status === 'queued');
  const jobs: { job: DispatchJob; delaySeconds: number }[] = [];
  for (let start = 0; start < toSend.length; start += AUDIENCE_CHUNK) {
    const chunk = toSend.slice(start, start + AUDIENCE_CHUNK);
    const slot = Math.min(...chunk.map((m) => sendAt.get(m.profileId ?? '') ?? now.getTime()));
    jobs.push({
      delaySeconds: Math.max(0, (slot - now.getTime()) / 1000),
      job: dispatchJobFor(
        dispatchRun,
        chunk.map((m) => ({
          messageId: m.messageId,
          userId: m.userId,
          namespace: m.namespace,
          shard: job.shard,
          ...(m.profileId ? { profileId: m.profileId } : {}),
        })),
      ),
    });
  }
  if (run.enableWebhooks) {
    const newExclusions = messages.filter((m) => m.status === 'exclude' && !existing.has(m.messageId));
    // A new message's history is its exclusion alone: one event, numbered 0.
    const events = newExclusions.flatMap((m) =>
      m.history.map((change, seq) => statusEvent(dispatchRun, m, change, seq)),
    );
    if (events.length > 0) await deps.events.publish(events);
  }
  await deps.dispatch.sendDelayed(jobs);
  if (page.nextCursor) await deps.fanoutQueue.send([{ ...job, cursor: page.nextCursor }]);
  else await deps.audienceExecutions.shardDone(job.sandbox, job.executionId, job.shard);
}
