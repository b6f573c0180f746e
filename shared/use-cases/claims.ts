import type { FanoutQueue } from '../domain/audience.ts';
import type { Clock } from '../domain/clock.ts';
import { IdempotencyKeyReusedError, RequestInProgressError, TooLargeError } from '../domain/errors.ts';
import type { DispatchQueue } from '../domain/execution.ts';
import {
  type ClaimResult,
  type ClaimStore,
  IDEMPOTENCY_WINDOW_SECONDS,
  type IdempotencyRecord,
  type JobSender,
} from '../domain/idempotency.ts';
import { logger } from '../logger.ts';
import type { PendingJobs } from '../schemas/fanout-job.ts';
import { jsonBytes, MAX_ITEM_BYTES, MAX_QUEUE_MESSAGE_BYTES } from '../schemas/limits.ts';
import { queueBodyBytes } from '../schemas/queue-body.ts';

/**
 * The idempotent-claim protocol, written once for every call that accepts work (unitary runs,
 * audience runs): the request's claim, its records and its jobs (the outbox) are written in one
 * transaction; then the jobs are queued and the claim is marked done. Whoever finds a claim still
 * pending after its lock lapsed — a retry of the request, or the scheduler's sweep — queues the
 * same jobs again (every consumer is idempotent), so accepted work always reaches the queue.
 */
export interface ClaimDeps {
  readonly claims: ClaimStore;
  readonly jobs: JobSender;
  readonly clock: Clock;
}

/** How long a request owns its claim before a retry or the sweeper may finish its work. */
export const LOCK_MS = 30_000;

/**
 * The claim a request writes with its work: `pending` with the jobs it queues (its outbox) and a
 * lock for LOCK_MS, or `done` when there is nothing to queue (a schedule); answers repeats for the
 * idempotency window.
 */
export function claimRecord(
  fields: Pick<IdempotencyRecord, 'sandbox' | 'key' | 'bodyHash' | 'executionId' | 'response'> & {
    readonly jobs?: PendingJobs;
  },
  now: Date,
): IdempotencyRecord {
  const { jobs, ...rest } = fields;
  return {
    ...rest,
    state: jobs ? 'pending' : 'done',
    lockedUntil: now.getTime() + (jobs ? LOCK_MS : 0),
    expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_WINDOW_SECONDS,
    ...(jobs ? { jobs } : {}),
  };
}

/**
 * The one accept-once course: write the claim with the work (`write`, one transaction); a key
 * already taken is answered as a repeat; otherwise queue the claim's jobs and answer `answer`.
 */
export async function acceptOnce<T>(
  deps: ClaimDeps,
  record: IdempotencyRecord,
  publicKey: string,
  write: () => Promise<ClaimResult>,
  answer: T,
): Promise<T> {
  const claim = await write();
  if (!claim.claimed) return answerRepeat<T>(deps, record, claim.existing, publicKey);
  if (record.state === 'pending') await finishClaim(deps, record);
  return answer;
}

/**
 * Queues a claim's jobs and marks it done. Never throws: once the claim is written the work is
 * accepted, and if queueing fails now the claim stays pending, so the sweeper (or a retry) queues
 * it after its lock lapses. Returns whether it finished.
 */
export async function finishClaim(deps: ClaimDeps, record: IdempotencyRecord): Promise<boolean> {
  try {
    if (record.jobs) await deps.jobs.send(record.jobs);
    else logger.warn('claim without jobs', { sandbox: record.sandbox, key: record.key });
    await deps.claims.complete(record.sandbox, record.key);
    return true;
  } catch (error) {
    logger.error('queueing an accepted request failed; the sweeper will queue it', {
      sandbox: record.sandbox,
      key: record.key,
      executionId: record.executionId,
      error: error as Error,
    });
    return false;
  }
}

/**
 * A request whose key is already taken: a different body is refused; a finished one gets the first
 * answer; one still running gets 409 until its lock lapses, after which this request finishes the
 * first one's work and gets its answer.
 */
export async function answerRepeat<T>(
  deps: ClaimDeps,
  mine: Pick<IdempotencyRecord, 'bodyHash'>,
  existing: IdempotencyRecord,
  publicKey: string,
): Promise<T> {
  if (existing.bodyHash !== mine.bodyHash) throw new IdempotencyKeyReusedError(publicKey);
  if (existing.state === 'done') return existing.response as T;
  const nowMs = deps.clock.now().getTime();
  if (existing.lockedUntil > nowMs) {
    throw new RequestInProgressError(
      publicKey,
      Math.max(1, Math.ceil((existing.lockedUntil - nowMs) / 1000)),
    );
  }
  if (!(await deps.claims.relock(existing, nowMs + LOCK_MS))) throw new RequestInProgressError(publicKey, 1);
  await finishClaim(deps, existing);
  return existing.response as T;
}

/**
 * The sweeper (the scheduler runs it every minute): finishes every claim left pending past its
 * lock — its request died, or failed to queue, between the claim and the queue. Returns how many
 * it finished.
 */
export async function redriveStaleClaims(deps: ClaimDeps, limit = 50): Promise<number> {
  const now = deps.clock.now();
  let finished = 0;
  for (const { sandbox, key } of await deps.claims.listStale(now, limit)) {
    const record = await deps.claims.get(sandbox, key);
    if (record?.state !== 'pending' || record.lockedUntil > now.getTime()) continue;
    if (!(await deps.claims.relock(record, now.getTime() + LOCK_MS))) continue;
    if (!(await finishClaim(deps, record))) continue;
    logger.info('claim re-driven', { sandbox, key, executionId: record.executionId });
    finished++;
  }
  return finished;
}

/** Sends pending jobs through the queues' own ports. */
export function queueJobSender(queues: {
  readonly dispatch: Pick<DispatchQueue, 'send'>;
  readonly fanoutQueue: FanoutQueue;
}): JobSender {
  return {
    async send(jobs) {
      for (const job of jobs.dispatch ?? []) await queues.dispatch.send(job);
      if (jobs.fanout && jobs.fanout.length > 0) await queues.fanoutQueue.send(jobs.fanout);
    },
  };
}

/**
 * Refuses, before anything is written, jobs that could not be queued (SQS's message limit, as
 * encoded) or kept in their claim until queued (DynamoDB's item limit).
 */
export function assertJobsFit(jobs: PendingJobs, path: string): void {
  for (const job of [...(jobs.dispatch ?? []), ...(jobs.fanout ?? [])]) {
    const bytes = queueBodyBytes(job);
    if (bytes > MAX_QUEUE_MESSAGE_BYTES) {
      throw new TooLargeError(path, 'The queued job', bytes, MAX_QUEUE_MESSAGE_BYTES);
    }
  }
  const stored = jsonBytes(jobs);
  if (stored > MAX_ITEM_BYTES)
    throw new TooLargeError(path, "The call's pending jobs", stored, MAX_ITEM_BYTES);
}
