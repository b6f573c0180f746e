import type { DispatchJob } from '../schemas/dispatch-job.ts';
import type { ExecutionAccepted, MessageStatus, StatusChange } from '../schemas/execution.ts';
import type { StatusEvent } from '../schemas/status-event.ts';
import type { CampaignRecord } from './campaign.ts';
import { CampaignNotTriggerableError } from './errors.ts';
import type { ClaimResult, IdempotencyRecord } from './idempotency.ts';
import type { Page } from './page.ts';
import type { ProfileRecord } from './profile.ts';
import type { ResolvedRecipient } from './recipients.ts';
import type { SmsSegments } from './sms.ts';

/**
 * Whether a campaign can be triggered by a unitary call now: transactional, not high-throughput,
 * live, and inside its schedule window (the scheduler may lag a minute behind the dates; the window
 * is checked here too, so a call never runs outside it).
 */
export function assertUnitaryTriggerable(campaign: CampaignRecord, now: Date): void {
  if (campaign.category !== 'transactional') {
    throw new CampaignNotTriggerableError(
      'not-transactional',
      'Marketing campaigns are sent to their audience with POST /im/executions/audience, not to named recipients.',
    );
  }
  if (campaign.highThroughput) {
    throw new CampaignNotTriggerableError(
      'high-throughput',
      'This campaign is high-throughput; trigger it with POST /im/executions/highthroughput.',
    );
  }
  assertLiveInWindow(campaign, now);
}

/** What a high-throughput call may send: a live transactional campaign marked `highThroughput`. */
export function assertHighThroughputTriggerable(campaign: CampaignRecord, now: Date): void {
  if (campaign.category !== 'transactional') {
    throw new CampaignNotTriggerableError(
      'not-transactional',
      'Marketing campaigns are sent to their audience with POST /im/executions/audience.',
    );
  }
  if (!campaign.highThroughput) {
    throw new CampaignNotTriggerableError(
      'not-high-throughput',
      'This campaign is not high-throughput; trigger it with POST /im/executions/unitary, or set highThroughput: true (its templates may then use only {{context.*}}).',
    );
  }
  assertLiveInWindow(campaign, now);
}

/**
 * Live and inside its schedule window (the scheduler may lag a minute behind the dates; the window
 * is checked here too, so a call never runs outside it).
 */
function assertLiveInWindow(campaign: CampaignRecord, now: Date): void {
  const { startDate, endDate } = campaign.schedule ?? {};
  const outside =
    (startDate !== undefined && Date.parse(startDate) > now.getTime()) ||
    (endDate !== undefined && Date.parse(endDate) <= now.getTime());
  if (campaign.status === 'live' && outside) {
    throw new CampaignNotTriggerableError(
      'outside-schedule',
      `The campaign runs from ${startDate ?? 'now'} to ${endDate ?? 'stopped'}.`,
      {
        schedule: campaign.schedule,
      },
    );
  }
  if (campaign.status !== 'live') {
    const reason = campaign.status === 'scheduled' ? 'outside-schedule' : 'not-live';
    throw new CampaignNotTriggerableError(
      reason,
      `The campaign is ${campaign.status}; only a live campaign can be triggered.`,
      {
        campaignStatus: campaign.status,
      },
    );
  }
}

/** Whether a campaign can be sent to its audience now: marketing, live, inside its window. */
export function assertAudienceTriggerable(campaign: CampaignRecord, now: Date): void {
  if (campaign.category !== 'marketing') {
    throw new CampaignNotTriggerableError(
      'not-marketing',
      'Transactional campaigns are sent to named recipients with POST /im/executions/unitary.',
    );
  }
  assertLiveInWindow(campaign, now);
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
  /** SMS: how the rendered text travels, and in how many parts (recorded with its send). */
  readonly encoding?: SmsSegments['encoding'];
  readonly numberOfMessageParts?: number;
  /** The partition shard of an audience execution's message; absent for unitary executions. */
  readonly shard?: number;
  /**
   * When a dispatcher claimed the message to hand it to a provider that cannot de-duplicate
   * (SMTP, SES); cleared with the status it records. See `claimSend`.
   */
  readonly sendingSince?: string;
  /**
   * The keys of the provider events recorded on the message (provider-status.ts), so an event
   * delivered again is recognised; written only by `recordProviderEvent`, never shown by the API.
   */
  readonly providerEvents?: readonly string[];
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
  /**
   * Whether the campaign published status events when the execution was triggered, for the
   * statuses providers report later (provider events). Absent on executions written before it
   * was kept: the campaign's current setting is used.
   */
  readonly enableWebhooks?: boolean;
  /**
   * A high-throughput call's body hash: a job delivered again with the same one is a repeat (it
   * sends what is still queued); with another, a reused requestId (dropped). Never shown.
   */
  readonly bodyHash?: string;
  /**
   * A test send (`POST /campaigns/{id}/tests`): one message to an address the caller named. It
   * has no entry in the execution log, publishes no status events and counts in no metric.
   */
  readonly test?: true;
}

/** A message sent to a profile, with what its execution says of it (ADR 0029). */
export interface ProfileMessage {
  readonly message: MessageRecord;
  readonly campaignId: string;
  readonly channel: string;
  /** When the message was made: its first status. */
  readonly createdAt: string;
}

/** A profile's messages through the sparse `profileMessages` index, newest first. */
export interface ProfileMessageReader {
  /**
   * A page of the messages whose `profileId` is this profile's, newest first; the messages as they
   * are now (status, history). A message whose item has expired meanwhile is left out.
   */
  messagesOfProfile(
    sandbox: string,
    profileId: string,
    page: { readonly limit: number; readonly cursor?: string | undefined },
  ): Promise<Page<ProfileMessage>>;
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
  ): Promise<ClaimResult>;
  /**
   * Writes the execution and its messages in one transaction unless the execution exists (it is
   * never overwritten); returns the stored execution then, undefined when this call wrote it.
   */
  createOnce(
    execution: ExecutionRecord,
    messages: readonly MessageRecord[],
  ): Promise<ExecutionRecord | undefined>;
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
  /** The execution item alone (no messages); undefined for an audience execution's id. */
  getExecutionRecord(sandbox: string, executionId: string): Promise<ExecutionRecord | undefined>;
  /**
   * A message whose shard is not known: the unitary partition and every audience shard
   * (MEMBER_SHARDS) in one batched read.
   */
  findMessage(sandbox: string, executionId: string, messageId: string): Promise<MessageRecord | undefined>;
  /**
   * Appends a status change a provider reported, unless the message has left `from` or already
   * has the event `key` (kept on the message, never shown): `recorded`, else `seen` (this event
   * was recorded before) or `moved` with the message as it is now (judge the event again).
   */
  recordProviderEvent(
    message: MessageRecord,
    from: MessageStatus,
    change: StatusChange,
    key: string,
  ): Promise<
    | { readonly result: 'recorded' | 'seen' }
    | { readonly result: 'moved'; readonly message: MessageRecord | undefined }
  >;
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
    extra?: MessageExtra,
  ): Promise<boolean>;
  /**
   * Marks the message as being handed to a provider (`sendingSince`) when it is still in `from`
   * and no one else has: `claimed` then. Otherwise what stands in the way, as read: `moved` (its
   * status changed), or `taken` with the other claim's time.
   */
  claimSend(
    message: MessageRecord,
    from: MessageStatus,
    at: string,
  ): Promise<{ readonly claim: 'claimed' | 'moved' } | { readonly claim: 'taken'; readonly since: string }>;
}

/** What every dispatch job and status event of a run says about the run (the schemas' runFields). */
export type RunHeader = Pick<
  DispatchJob,
  'sandbox' | 'executionId' | 'requestId' | 'campaignId' | 'campaignVersion' | 'campaignType' | 'channel'
>;

/** What dispatch records on a message beside its status: where it went, what its data lacked, an SMS's parts. */
export interface MessageExtra {
  readonly address?: string;
  readonly missingVariables?: readonly string[];
  readonly sms?: SmsSegments;
}

/** Everything a run's dispatch jobs carry but their recipients: written once per kind of run. */
export type DispatchRun = Omit<DispatchJob, 'recipients'>;

/** The dispatch run of a unitary call: the campaign as it was when the execution was written. */
export function unitaryRun(
  campaign: Pick<
    CampaignRecord,
    | 'id'
    | 'category'
    | 'channel'
    | 'enableWebhooks'
    | 'content'
    | 'channelConfigurationId'
    | 'unsubscribeLink'
    | 'appId'
    | 'smsMaxParts'
  >,
  execution: Pick<ExecutionRecord, 'sandbox' | 'executionId' | 'requestId' | 'campaignVersion'>,
): DispatchRun {
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
    ...(campaign.channelConfigurationId ? { channelConfigurationId: campaign.channelConfigurationId } : {}),
    ...(campaign.unsubscribeLink ? { unsubscribeLink: true } : {}),
    ...channelOptions(campaign),
  };
}

/** What a run carries of a campaign's push app and SMS part limit. */
export function channelOptions(
  campaign: Pick<CampaignRecord, 'appId' | 'smsMaxParts'>,
): Pick<DispatchRun, 'appId' | 'smsMaxParts'> {
  return {
    ...(campaign.appId !== undefined ? { appId: campaign.appId } : {}),
    ...(campaign.smsMaxParts !== undefined ? { smsMaxParts: campaign.smsMaxParts } : {}),
  };
}

/** The one dispatch-job builder: a run's header, content and context, for some of its recipients. */
export function dispatchJobFor(run: DispatchRun, recipients: DispatchJob['recipients']): DispatchJob {
  return { ...run, recipients };
}

/**
 * The one status-event builder, for every status change of every run: the run's header, the
 * message's recipient, the change, and what the dispatcher knows (the address, an SMS's parts).
 * `seq` is the change's place in the message's history, so one change always has one event id;
 * a change a provider reported is named by its event's key instead (`p-…`, see
 * provider-status.ts), since provider events arrive in any order and more than once.
 */
export function statusEvent(
  run: RunHeader,
  message: Pick<MessageRecord, 'messageId' | 'userId' | 'namespace' | 'profileId'>,
  change: StatusChange,
  seq: number | `p-${string}`,
  sent: { readonly address?: string | undefined; readonly sms?: SmsSegments | undefined } = {},
): StatusEvent {
  const { address, sms } = sent;
  return {
    kind: 'status-event',
    eventId: `${message.messageId}:${seq}`,
    sandbox: run.sandbox,
    executionId: run.executionId,
    requestId: run.requestId,
    campaignId: run.campaignId,
    campaignVersion: run.campaignVersion,
    campaignType: run.campaignType,
    channel: run.channel,
    messageId: message.messageId,
    userId: message.userId,
    namespace: message.namespace,
    status: change.status,
    ...(change.code !== undefined ? { code: change.code } : {}),
    ...(change.reason !== undefined ? { reason: change.reason } : {}),
    timestamp: change.at,
    ...(message.profileId !== undefined ? { profileId: message.profileId } : {}),
    ...(address !== undefined ? { address } : {}),
    ...(sms ? { encoding: sms.encoding, messageParts: sms.parts } : {}),
  };
}

/** What a dispatch job reads before it sends, in one batched read. */
export interface DispatchReader {
  read(
    sandbox: string,
    executionId: string,
    ask: {
      readonly messages: readonly { readonly messageId: string; readonly shard?: number | undefined }[];
      readonly profileIds: readonly string[];
      readonly channel: string;
      /** Addresses known before the profiles are read (the call's channelData): asked of the suppression list at once. */
      readonly addresses: readonly string[];
    },
  ): Promise<{
    messages: Map<string, MessageRecord>;
    profiles: Map<string, ProfileRecord>;
    /** The suppressed ones among `addresses`. */
    suppressed: Set<string>;
  }>;
}

export interface DispatchQueue {
  send(job: DispatchJob): Promise<void>;
  /** Several jobs, each delayed (at most 15 minutes). */
  sendDelayed(jobs: readonly { job: DispatchJob; delaySeconds: number }[]): Promise<void>;
}

/**
 * The execution and messages a high-throughput job stands for, as its dispatcher writes them
 * first: every message `queued` at the call's time.
 */
export function highThroughputRecords(
  job: DispatchJob,
  { createdAt, createdBy, bodyHash }: NonNullable<DispatchJob['highThroughput']>,
): { execution: ExecutionRecord; messages: MessageRecord[] } {
  return {
    execution: {
      sandbox: job.sandbox,
      executionId: job.executionId,
      requestId: job.requestId,
      campaignId: job.campaignId,
      campaignVersion: job.campaignVersion,
      channel: job.channel,
      createdAt,
      createdBy,
      enableWebhooks: job.enableWebhooks,
      bodyHash,
    },
    messages: job.recipients.map((r) => ({
      sandbox: job.sandbox,
      executionId: job.executionId,
      messageId: r.messageId,
      userId: r.userId,
      namespace: r.namespace,
      status: 'queued',
      history: [{ status: 'queued', at: createdAt }],
    })),
  };
}

/** The execution a transactional call writes (unitary) or has written (high-throughput). */
export function transactionalExecution(
  campaign: Pick<CampaignRecord, 'id' | 'version' | 'channel' | 'enableWebhooks'>,
  caller: { readonly sandbox: string; readonly keyId: string },
  ids: { readonly executionId: string; readonly requestId: string },
  at: string,
): ExecutionRecord {
  return {
    sandbox: caller.sandbox,
    executionId: ids.executionId,
    requestId: ids.requestId,
    campaignId: campaign.id,
    campaignVersion: campaign.version,
    channel: campaign.channel,
    createdAt: at,
    createdBy: caller.keyId,
    enableWebhooks: campaign.enableWebhooks,
  };
}

/** The 202 answer of a transactional call. */
export function acceptedAnswer(execution: ExecutionRecord): ExecutionAccepted {
  return {
    executionId: execution.executionId,
    requestId: execution.requestId,
    createdAt: execution.createdAt,
    createdBy: execution.createdBy,
    modifiedAt: execution.createdAt,
    modifiedBy: execution.createdBy,
  };
}

/**
 * A transactional call's one dispatch job (unitary or high-throughput): its recipients as the
 * call gave them, with their message ids and, for unitary, their profile ids.
 */
export function transactionalJob(
  campaign: Parameters<typeof unitaryRun>[0],
  execution: ExecutionRecord,
  recipients: readonly ResolvedRecipient[],
  messageIds: readonly string[],
  profileIdOf: (recipient: ResolvedRecipient) => string | undefined = () => undefined,
): DispatchJob {
  return dispatchJobFor(
    unitaryRun(campaign, execution),
    recipients.map((r, index) => {
      const profileId = profileIdOf(r);
      return {
        messageId: messageIds[index] as string,
        userId: r.userId,
        namespace: r.namespace,
        ...(profileId ? { profileId } : {}),
        ...(r.channelData ? { channelData: r.channelData } : {}),
        ...(r.profile ? { profile: r.profile } : {}),
        ...(r.context ? { context: r.context } : {}),
      };
    }),
  );
}
