import type { Scope } from './domain/auth.ts';
import type { CampaignRecord } from './domain/campaign.ts';
import type { RenderedContent } from './domain/message.ts';
import type { WebhookConfig } from './domain/webhook.ts';
import type { ImportProgress } from './schemas/audience.ts';
import type { CampaignContent, Channel } from './schemas/campaign.ts';
import type {
  ChannelData,
  MessageStatus,
  RenderedMessageView,
  ScheduledExecution,
  StatusChange,
} from './schemas/execution.ts';
import type { Consent, Identity } from './schemas/profile.ts';
import type { StatusEvent } from './schemas/status-event.ts';
import type { AttemptView } from './schemas/webhook.ts';

/**
 * The small interfaces use cases take as arguments. DynamoDB adapters implement them in store/;
 * unit tests pass in-memory ones.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface SandboxRecord {
  readonly name: string;
  readonly createdAt: string;
  /** ISO 3166-1 alpha-2; national phone numbers of the sandbox are read in this country. */
  readonly defaultCountry?: string;
  readonly modifiedAt?: string;
}

/** What the hot paths read of a sandbox (through a per-container cache: one item for every call). */
export interface SandboxReader {
  get(name: string): Promise<SandboxRecord | undefined>;
}

export interface SandboxStore extends SandboxReader {
  /** Throws AlreadyExistsError when the name is taken. */
  create(sandbox: SandboxRecord): Promise<void>;
  list(): Promise<SandboxRecord[]>;
  exists(name: string): Promise<boolean>;
  /** Sets (or with null removes) the default country; undefined when there is no such sandbox. */
  setDefaultCountry(name: string, country: string | null, at: string): Promise<SandboxRecord | undefined>;
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly hash: string;
  /** null for root keys. */
  readonly sandbox: string | null;
  readonly scopes: readonly Scope[];
  readonly name?: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface ApiKeyStore {
  create(record: ApiKeyRecord): Promise<void>;
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  list(sandbox: string | null): Promise<ApiKeyRecord[]>;
  /** Returns false when no such key exists under that owner. */
  delete(sandbox: string | null, id: string): Promise<boolean>;
}

export interface NamespaceRecord {
  readonly sandbox: string;
  readonly code: string;
  readonly name?: string;
  readonly description?: string;
  readonly createdAt: string;
}

export interface NamespaceStore {
  /** Throws AlreadyExistsError when the code is taken. */
  create(record: NamespaceRecord): Promise<void>;
  list(sandbox: string): Promise<NamespaceRecord[]>;
  exists(sandbox: string, code: string): Promise<boolean>;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

export interface CampaignStore {
  create(record: CampaignRecord): Promise<void>;
  get(sandbox: string, id: string): Promise<CampaignRecord | undefined>;
  /** Writes when the stored revision is still `record.revision - 1`; else ConcurrentUpdateError. */
  save(record: CampaignRecord): Promise<void>;
  /** Deletes when the stored revision is still `revision`; else ConcurrentUpdateError. */
  delete(sandbox: string, id: string, revision: number): Promise<void>;
  list(sandbox: string, page: { limit: number; cursor?: string }): Promise<Page<CampaignRecord>>;
  /** Campaigns whose next time-driven transition is at or before `now`. */
  listDue(now: Date, limit: number): Promise<{ sandbox: string; id: string }[]>;
}

export type ProfileDataset = 'profiles' | 'interactive-messaging';

export interface ProfileRecord {
  readonly sandbox: string;
  readonly profileId: string;
  readonly identities: readonly Identity[];
  readonly attributes: Record<string, unknown>;
  readonly consent: Consent;
  readonly dataset: ProfileDataset;
  readonly revision: number;
  readonly createdAt: string;
  readonly modifiedAt: string;
}

export interface ProfileStore {
  /** Owner profile id of each identity that has one, keyed by `namespace:value`. One batched read. */
  findOwners(sandbox: string, identities: readonly Identity[]): Promise<Map<string, string>>;
  get(sandbox: string, profileId: string): Promise<ProfileRecord | undefined>;
  /**
   * Writes the profile and claims its new identities in one transaction. Fails with
   * ConcurrentUpdateError when the profile changed or an identity was claimed meanwhile.
   */
  save(profile: ProfileRecord, newIdentities: readonly Identity[]): Promise<void>;
  /** Deletes the profile and every identity it owns in one transaction. */
  delete(profile: ProfileRecord): Promise<void>;
  /** Several profiles by id, batched; missing ones are absent from the map. */
  getMany(sandbox: string, profileIds: readonly string[]): Promise<Map<string, ProfileRecord>>;
  /**
   * Creates new profiles with all their identities in one transaction; ConcurrentUpdateError when
   * any identity was claimed meanwhile (nothing is written then).
   */
  createMany(profiles: readonly ProfileRecord[]): Promise<void>;
}

export function identityKey(identity: Identity): string {
  return `${identity.namespace}:${identity.id}`;
}

/** How long an idempotency record answers repeats (the reference peers' 24-hour window). */
export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600;

export interface IdempotencyRecord {
  readonly sandbox: string;
  readonly key: string;
  readonly bodyHash: string;
  readonly state: 'pending' | 'done';
  /** Until when a pending record belongs to the request that wrote it (ms since epoch). */
  readonly lockedUntil: number;
  readonly executionId: string;
  readonly response: unknown;
  /** Epoch seconds after which the record no longer counts. */
  readonly expiresAt: number;
  /**
   * The outbox: the jobs the request queues, written in the same transaction as its execution and
   * dropped once they are sent. A retry of the request, or the scheduler's sweep of claims whose
   * lock lapsed, sends them, so accepted work is never stranded.
   */
  readonly jobs?: PendingJobs;
}

/** Jobs a claim still has to queue. */
export interface PendingJobs {
  readonly dispatch?: readonly DispatchJob[];
  readonly fanout?: readonly FanoutJob[];
}

/** Sends a claim's pending jobs to their queues (each queue's own adapter). */
export interface JobSender {
  send(jobs: PendingJobs): Promise<void>;
}

/** The idempotency records (claims) every idempotent call shares, after their claim transaction. */
export interface ClaimStore {
  get(sandbox: string, key: string): Promise<IdempotencyRecord | undefined>;
  /** Marks a pending record done and drops its jobs (no-op if another request already did). */
  complete(sandbox: string, key: string): Promise<void>;
  /** Takes over a pending record whose lock has lapsed; false if someone else did first. */
  relock(record: IdempotencyRecord, lockedUntil: number): Promise<boolean>;
  /** Pending records whose lock lapsed at or before `now` (the sweeper's work list). */
  listStale(now: Date, limit: number): Promise<{ sandbox: string; key: string }[]>;
}

export interface MessageRecord {
  readonly sandbox: string;
  readonly executionId: string;
  readonly messageId: string;
  readonly userId: string;
  readonly namespace: string;
  readonly profileId?: string;
  readonly status: MessageStatus;
  readonly statusCode?: string;
  readonly history: readonly StatusChange[];
  readonly missingVariables?: readonly string[];
  readonly address?: string;
  /** The partition shard of an audience execution's message; absent for unitary executions. */
  readonly shard?: number;
}

export interface ExecutionRecord {
  readonly sandbox: string;
  readonly executionId: string;
  readonly requestId: string;
  readonly campaignId: string;
  readonly campaignVersion: number;
  readonly channel: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface ExecutionStore {
  /**
   * Writes the idempotency record, the execution and its messages in one transaction, unless a
   * live record holds the key; returns that record instead of writing.
   */
  claim(
    idempotency: IdempotencyRecord,
    execution: ExecutionRecord,
    messages: readonly MessageRecord[],
    nowMs: number,
  ): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord }>;
  getExecution(
    sandbox: string,
    executionId: string,
  ): Promise<{ execution: ExecutionRecord; messages: MessageRecord[] } | undefined>;
  getMessage(
    sandbox: string,
    executionId: string,
    messageId: string,
    shard?: number,
  ): Promise<MessageRecord | undefined>;
  /** Several messages of one execution in one batched read, by message id; missing ones are absent. */
  getMessages(
    sandbox: string,
    executionId: string,
    refs: readonly { readonly messageId: string; readonly shard?: number }[],
  ): Promise<Map<string, MessageRecord>>;
  /** Writes each message unless it exists; returns the ones that already existed, as stored. */
  createMessages(messages: readonly MessageRecord[]): Promise<MessageRecord[]>;
  /**
   * Appends status changes when the message is still in `from`; false when it is not (another
   * delivery of the job got there first).
   */
  transition(
    message: MessageRecord,
    from: MessageStatus,
    changes: readonly StatusChange[],
    extra?: { address?: string; missingVariables?: readonly string[] },
  ): Promise<boolean>;
}

export interface SuppressionStore {
  /** Which of these addresses are suppressed on the channel (one batched read). */
  suppressedAmong(sandbox: string, channel: string, addresses: readonly string[]): Promise<Set<string>>;
  suppress(
    sandbox: string,
    channel: string,
    address: string,
    reason: { code: string; messageId: string; at: string },
  ): Promise<void>;
}

/** A job for the dispatch worker: one execution's recipients (a unitary call is one job). */
export interface DispatchJob {
  readonly kind: 'unitary' | 'audience';
  readonly sandbox: string;
  readonly executionId: string;
  readonly requestId: string;
  readonly campaignId: string;
  readonly campaignVersion: number;
  readonly campaignType: 'transactional' | 'marketing';
  readonly channel: Channel;
  readonly enableWebhooks: boolean;
  readonly content: CampaignContent;
  /** Context shared by every recipient (audience executions); a recipient's own context wins. */
  readonly context?: Record<string, unknown>;
  readonly recipients: readonly {
    readonly messageId: string;
    readonly userId: string;
    readonly namespace: string;
    readonly profileId?: string;
    readonly shard?: number;
    readonly channelData?: ChannelData;
    readonly profile?: Record<string, unknown>;
    readonly context?: Record<string, unknown>;
  }[];
}

export interface DispatchQueue {
  send(job: DispatchJob): Promise<void>;
  /** Several jobs, each delayed (at most 15 minutes). */
  sendDelayed(jobs: readonly { job: DispatchJob; delaySeconds: number }[]): Promise<void>;
}

/** A page of an audience run for the fanout worker: one shard, from a cursor. */
export interface FanoutJob {
  readonly kind: 'fanout';
  readonly sandbox: string;
  readonly executionId: string;
  readonly shard: number;
  readonly cursor?: string;
}

export interface FanoutQueue {
  send(jobs: readonly FanoutJob[], delaySeconds?: number): Promise<void>;
}

export interface StatusEventPublisher {
  publish(events: readonly StatusEvent[]): Promise<void>;
}

/** What a provider reports after accepting a message (the sandbox provider reports at once). */
export interface ProviderOutcome {
  readonly providerMessageId: string;
  /** Status changes after `sent`, in order: delivered, or bounce/complaint/error with a code. */
  readonly events: readonly {
    status: 'delivered' | 'bounce' | 'complaint' | 'error';
    code?: string;
    reason?: string;
  }[];
}

export interface OutgoingMessage {
  readonly sandbox: string;
  readonly executionId: string;
  /** Also the idempotency key: a provider given the same id twice sends once. */
  readonly messageId: string;
  readonly channel: Channel;
  readonly to: string;
  readonly content: RenderedContent;
}

export interface ChannelProvider {
  readonly name: string;
  /** Throws on a transient failure (the job is retried); reports permanent ones as events. */
  send(message: OutgoingMessage, now: Date): Promise<ProviderOutcome>;
  /** The rendered copy, for providers that keep one (the sandbox provider). */
  rendered?(sandbox: string, messageId: string): Promise<RenderedMessageView | undefined>;
}

export interface CampaignReader {
  get(sandbox: string, id: string): Promise<CampaignRecord | undefined>;
}

export interface WebhookStore {
  create(webhook: WebhookConfig): Promise<void>;
  get(sandbox: string, id: string): Promise<WebhookConfig | undefined>;
  list(sandbox: string): Promise<WebhookConfig[]>;
  /** Writes when the stored revision is still `webhook.revision - 1`; else ConcurrentUpdateError. */
  save(webhook: WebhookConfig): Promise<void>;
  delete(sandbox: string, id: string): Promise<boolean>;
  /** Notes the start of a run of failures (kept if already set). */
  markFailing(sandbox: string, id: string, since: string): Promise<void>;
  /** Ends a run of failures after a success. */
  clearFailing(sandbox: string, id: string): Promise<void>;
  /** Stops deliveries to the webhook, saying why; the sandbox sees the reason on the webhook. */
  disable(sandbox: string, id: string, reason: string, at: string): Promise<void>;
}

export interface DeliveryRecord {
  readonly sandbox: string;
  readonly webhookId: string;
  readonly eventId: string;
  readonly channel: Channel;
  /** The exact body every attempt sends (the signature covers it). */
  readonly payload: string;
  readonly state: 'pending' | 'delivered' | 'failed';
  readonly attempts: number;
  readonly createdAt: string;
  readonly lastAttemptAt?: string;
}

export interface DeliveryStore {
  /** Creates the record unless it exists (a redelivered status event); true when created. */
  create(record: DeliveryRecord): Promise<boolean>;
  get(sandbox: string, webhookId: string, eventId: string): Promise<DeliveryRecord | undefined>;
  /** Records the outcome of an attempt and the attempt itself (the log expires by TTL). */
  recordAttempt(record: DeliveryRecord, attempt: AttemptView, state: DeliveryRecord['state']): Promise<void>;
  listAttempts(
    sandbox: string,
    webhookId: string,
    page: { limit: number; cursor?: string },
  ): Promise<Page<AttemptView>>;
  /** Event ids of deliveries that exhausted their retries in [since, until). */
  listFailed(sandbox: string, webhookId: string, since: string, until: string): Promise<string[]>;
}

/** A delivery of one event to one webhook, on the feedback queue. */
export interface DeliveryJob {
  readonly kind: 'delivery';
  readonly sandbox: string;
  readonly webhookId: string;
  readonly eventId: string;
  /** The delivery's attempt number (1 for its first try); an attempt already logged is not repeated. */
  readonly attempt: number;
  /** Position in the retry schedule (1-based); a resend or recovery starts the schedule again. */
  readonly step: number;
  /** A manual resend or recovery: delivered again even if it was delivered before. */
  readonly resend?: boolean;
  /** Not before this time (ms since epoch); SQS delays are at most 15 minutes, so long waits chain. */
  readonly notBefore: number;
}

export interface DeliveryQueue {
  send(jobs: readonly DeliveryJob[], now: Date): Promise<void>;
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
  countMembers(sandbox: string, audienceId: string): Promise<number>;
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
  readonly enableWebhooks: boolean;
  readonly throttleRatePerSec: number;
  /** Shared personalization context, kept for the run (at most 200 KB) and expired with it. */
  readonly context?: Record<string, unknown>;
  readonly status: 'InProgress' | 'Succeeded' | 'Failed';
  readonly shardsDone: readonly number[];
  readonly windowEndsAt: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface AudienceExecutionStore {
  /** Writes the execution, with its idempotency record when there is one, unless the key is taken. */
  claim(
    execution: AudienceExecutionRecord,
    idempotency: IdempotencyRecord | undefined,
    nowMs: number,
  ): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord }>;
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

export interface ScheduleRecord extends ScheduledExecution {
  readonly sandbox: string;
  /** Shared context for the run, kept until it starts. */
  readonly context?: Record<string, unknown>;
}

export interface ScheduleStore {
  /** Writes the schedule (with its idempotency record when there is one) unless the key is taken. */
  create(
    schedule: ScheduleRecord,
    idempotency: IdempotencyRecord | undefined,
    nowMs: number,
  ): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord }>;
  get(sandbox: string, scheduleId: string): Promise<ScheduleRecord | undefined>;
  /** Moves the status when it is still `from`; false otherwise. */
  transition(
    schedule: ScheduleRecord,
    from: ScheduleRecord['scheduleStatus'],
    to: ScheduleRecord['scheduleStatus'],
    extra?: { executionId?: string; failure?: string },
  ): Promise<boolean>;
  /** Schedules whose time has come and that are not finished (Scheduled or Triggering). */
  listDue(now: Date, limit: number): Promise<{ sandbox: string; scheduleId: string }[]>;
}
