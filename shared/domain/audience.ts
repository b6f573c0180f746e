import { createHash } from 'node:crypto';
import type { ImportProgress } from '../schemas/audience.ts';
import type { CampaignContent, Channel } from '../schemas/campaign.ts';
import type { MessageStatus } from '../schemas/execution.ts';
import type { FanoutJob } from '../schemas/fanout-job.ts';
import { channelOptions, type DispatchRun } from './execution.ts';
import type { ClaimResult, IdempotencyRecord } from './idempotency.ts';
import type { Page } from './page.ts';

/** Partitions one audience's members (and an audience execution's messages) are spread over. */
export const MEMBER_SHARDS = 16;

/** The shard of a profile: stable, and even over profile ids. */
export function memberShard(profileId: string): number {
  return (createHash('sha256').update(profileId).digest()[0] ?? 0) % MEMBER_SHARDS;
}

/** How long an audience run may take; members not reached by then are excluded (reference: 12 h). */
export const AUDIENCE_WINDOW_MS = 12 * 3600 * 1000;

/** Messages per dispatch job of an audience run. */
export const AUDIENCE_CHUNK = 20;

/**
 * Send times for `count` messages at `ratePerSec`, from `startMs`, in chunks: chunk i goes when the
 * messages before it have used their share of the rate. Spreading by scheduling, never by sleeping.
 */
export function planChunks(count: number, ratePerSec: number, startMs: number, chunk = AUDIENCE_CHUNK) {
  const plan: { offset: number; size: number; atMs: number }[] = [];
  for (let offset = 0; offset < count; offset += chunk) {
    plan.push({
      offset,
      size: Math.min(chunk, count - offset),
      atMs: startMs + Math.round((offset / ratePerSec) * 1000),
    });
  }
  return plan;
}

/** A deterministic message id for a member of a run, so a replayed page never creates a second one. */
export function audienceMessageId(executionId: string, profileId: string): string {
  const hex = createHash('sha256').update(`${executionId}:${profileId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface FanoutQueue {
  send(jobs: readonly FanoutJob[], delaySeconds?: number): Promise<void>;
}

export interface AudienceRecord {
  readonly sandbox: string;
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly createdAt: string;
  readonly modifiedAt: string;
  readonly revision: number;
}

export interface AudienceStore {
  create(audience: AudienceRecord): Promise<void>;
  get(sandbox: string, id: string): Promise<AudienceRecord | undefined>;
  list(sandbox: string): Promise<AudienceRecord[]>;
  /** Writes when the stored revision is still `audience.revision - 1`; else ConcurrentUpdateError. */
  save(audience: AudienceRecord): Promise<void>;
  /** Deletes the audience and its memberships. */
  delete(sandbox: string, id: string): Promise<void>;
  /** Idempotent: a profile added twice is one member. */
  addMembers(sandbox: string, audienceId: string, profileIds: readonly string[], at: string): Promise<void>;
  /** Returns how many of the profiles were members. */
  removeMembers(sandbox: string, audienceId: string, profileIds: readonly string[]): Promise<number>;
  /** One page of a shard's members (profile ids), for the fanout. */
  membersPage(
    sandbox: string,
    audienceId: string,
    shard: number,
    page: { limit: number; cursor?: string },
  ): Promise<{ profileIds: string[]; nextCursor?: string }>;
  /** A page of the audience's members (profile ids), shard by shard, behind an opaque cursor. */
  listMembers(
    sandbox: string,
    audienceId: string,
    page: { readonly limit: number; readonly cursor?: string | undefined },
  ): Promise<Page<string>>;
  countMembers(sandbox: string, audienceId: string): Promise<number>;
  /** Which of these audiences the profile is a member of (one batched read of their member items). */
  membershipsOf(sandbox: string, profileId: string, audienceIds: readonly string[]): Promise<Set<string>>;
  getImport(sandbox: string, importId: string): Promise<(ImportProgress & { revision: number }) | undefined>;
  /** Writes when the stored revision is still `progress.revision - 1` (0 creates). */
  saveImport(sandbox: string, progress: ImportProgress & { revision: number }): Promise<void>;
}

export interface AudienceExecutionRecord {
  readonly sandbox: string;
  readonly executionId: string;
  readonly requestId?: string;
  readonly campaignId: string;
  readonly campaignVersion: number;
  readonly audienceId: string;
  readonly channel: Channel;
  readonly identityNamespace: string;
  readonly content: CampaignContent;
  /** The campaign's channel configuration when the run started; absent: the sandbox's default. */
  readonly channelConfigurationId?: string;
  readonly enableWebhooks: boolean;
  readonly throttleRatePerSec: number;
  /** Push: the campaign's app; SMS: its part limit (as the run started). */
  readonly appId?: string;
  readonly smsMaxParts?: number;
  /** Shared personalization context, kept for the run (at most 200 KB) and expired with it. */
  readonly context?: Record<string, unknown>;
  readonly status: 'InProgress' | 'Succeeded' | 'Failed';
  readonly shardsDone: readonly number[];
  readonly windowEndsAt: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

/**
 * The dispatch run of an audience run: the campaign as the run kept it, the shared context, and
 * the run's own id as its requestId when the call gave none. Its header also names the run's
 * exclusion events.
 */
export function audienceRun(run: AudienceExecutionRecord): DispatchRun {
  return {
    kind: 'audience',
    sandbox: run.sandbox,
    executionId: run.executionId,
    requestId: run.requestId ?? run.executionId,
    campaignId: run.campaignId,
    campaignVersion: run.campaignVersion,
    campaignType: 'marketing',
    channel: run.channel,
    enableWebhooks: run.enableWebhooks,
    content: run.content,
    ...(run.context ? { context: run.context } : {}),
    ...(run.channelConfigurationId ? { channelConfigurationId: run.channelConfigurationId } : {}),
    ...channelOptions(run),
  };
}

export interface AudienceExecutionStore {
  /** Writes the execution, with its idempotency record when there is one, unless the key is taken. */
  claim(
    execution: AudienceExecutionRecord,
    idempotency: IdempotencyRecord | undefined,
    nowMs: number,
  ): Promise<ClaimResult>;
  get(sandbox: string, executionId: string): Promise<AudienceExecutionRecord | undefined>;
  /**
   * Reserves `count` send slots at `ratePerSec` after the execution's last reservation (or now);
   * returns when the first may go. Shared by every fanout worker, so the rate holds across them.
   */
  reserveSlots(
    sandbox: string,
    executionId: string,
    count: number,
    ratePerSec: number,
    nowMs: number,
  ): Promise<number>;
  /** The next free slot, without reserving. */
  nextSlot(sandbox: string, executionId: string): Promise<number | undefined>;
  /** Marks a shard's members all queued or excluded; the run is Succeeded after the last shard. */
  shardDone(sandbox: string, executionId: string, shard: number): Promise<void>;
  /** Each message's status (and exclusion code) over every shard. */
  messageStatuses(
    sandbox: string,
    executionId: string,
  ): Promise<{ status: MessageStatus; statusCode?: string }[]>;
}

/**
 * Whether a run's sending is over, apart from its fan-out: the reference system's `status` says
 * Succeeded when every member is queued or excluded, while hundreds of messages may still wait
 * for their send slot. Finished once the fan-out is over (Succeeded or Failed) and no message is
 * queued or delayed.
 */
export function runDelivery(
  status: AudienceExecutionRecord['status'],
  counts: { readonly queued: number; readonly delay: number },
): { delivery: 'InProgress' | 'Finished'; pendingMessageCount: number } {
  const pendingMessageCount = counts.queued + counts.delay;
  return {
    delivery: status !== 'InProgress' && pendingMessageCount === 0 ? 'Finished' : 'InProgress',
    pendingMessageCount,
  };
}
