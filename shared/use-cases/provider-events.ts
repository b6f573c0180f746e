import { type AudienceExecutionStore, audienceRun } from '../domain/audience.ts';
import type { CampaignRecord } from '../domain/campaign.ts';
import type { SuppressionStore } from '../domain/channel.ts';
import type { Clock } from '../domain/clock.ts';
import { type ExecutionStore, type MessageRecord, type RunHeader, statusEvent } from '../domain/execution.ts';
import type { ProfileStore } from '../domain/profile.ts';
import { providerChange, providerEventDecision, providerEventKey } from '../domain/provider-status.ts';
import { mapSesEvent, type ProviderStatusEvent } from '../domain/ses-events.ts';
import { mapSmsVoiceEvent } from '../domain/sms-events.ts';
import { type InboundSmsResult, mapInboundSms } from '../domain/sms-inbound.ts';
import type { StatusEventPublisher } from '../domain/webhook.ts';
import { addCorrelation } from '../logger.ts';
import { CHANNELS, type Channel } from '../schemas/campaign.ts';
import type { MessageStatus, StatusChange } from '../schemas/execution.ts';
import { withdrawSmsConsent } from './sms-consent.ts';
import { logStatusChanges } from './status-log.ts';

export interface ProviderEventsDeps {
  readonly executions: Pick<
    ExecutionStore,
    'getMessage' | 'findMessage' | 'getExecutionRecord' | 'recordProviderEvent'
  >;
  readonly audienceExecutions: Pick<AudienceExecutionStore, 'get'>;
  /** For unitary executions written before they kept enableWebhooks: the campaign's setting. */
  readonly campaigns: {
    get(sandbox: string, id: string): Promise<Pick<CampaignRecord, 'enableWebhooks'> | undefined>;
  };
  /** The suppression list dispatch checks before every send. */
  readonly suppressions: Pick<SuppressionStore, 'suppress'>;
  readonly events: StatusEventPublisher;
  readonly clock: Clock;
  /** The SMS configurations, in any sandbox, sending from a number (a STOP texted to it applies there). */
  readonly origins: { sendingFrom(number: string): Promise<readonly { sandbox: string; id: string }[]> };
  /** The profiles whose marketing consent a STOP withdraws. */
  readonly profiles: Pick<ProfileStore, 'findOwners' | 'get' | 'save'>;
}

/**
 * What became of one provider event. `dropped` and `ignored` succeed (the record is deleted):
 * retrying could not change them. Only a message still `queued` is retried, by throwing
 * {@link ProviderEventTooEarlyError}.
 */
export type ProviderEventOutcome =
  | { readonly outcome: 'recorded'; readonly status: MessageStatus }
  /** Recorded before (SQS or SES delivered it again); its status event is published again, same id. */
  | { readonly outcome: 'repeat' }
  /** A Herald message, but the order rules leave it as it is (provider-status.ts). */
  | { readonly outcome: 'ignored'; readonly reason: string }
  /** Not about a Herald message Herald can find: counted and dropped by the worker. */
  | { readonly outcome: 'dropped'; readonly reason: string }
  /** A STOP texted to a sending number: these profiles no longer consent to marketing SMS. */
  | { readonly outcome: 'opted-out'; readonly profiles: number };

/** The event is about a message Herald has not recorded as sent yet: SQS delivers it again later. */
export class ProviderEventTooEarlyError extends Error {
  override readonly name = 'ProviderEventTooEarlyError';
  constructor(messageId: string) {
    super(`message ${messageId} is still queued in Herald's store; the provider event is retried`);
  }
}

/** How often a record is judged again when another event moved the message in between. */
const MAX_TRIES = 3;

const isChannel = (value: string): value is Channel => (CHANNELS as readonly string[]).includes(value);

/** One provider-events record body (SNS-wrapped, raw or EventBridge SES event JSON), mapped and applied. */
export async function receiveProviderEvent(
  deps: ProviderEventsDeps,
  body: string,
): Promise<ProviderEventOutcome> {
  const inbound = mapInboundSms(body);
  if (inbound.kind === 'inbound') return applyInboundSms(deps, inbound);
  const mapped = mapSmsVoiceEvent(body) ?? mapSesEvent(body);
  switch (mapped.kind) {
    case 'unknown':
      return { outcome: 'dropped', reason: mapped.reason };
    case 'ignored':
      return { outcome: 'ignored', reason: `${mapped.eventType} events are not statuses` };
    case 'status':
      return applyProviderEvent(deps, mapped);
  }
}

/**
 * Primary course: find the message the tags name (its shard from the tag, else every shard),
 * and the run it belongs to; judge the event against the message's status (order rules); put the
 * addresses on the suppression list on a permanent bounce or complaint; append the change with
 * the provider's code, reason and time, on condition that the message is still in the status it
 * was judged in and has not recorded this event (its key); then publish the status event, with an
 * id made of the event's key, when the run enables webhooks. The record is written before the
 * event is published, and an event found recorded is published again (the feedback worker keeps
 * one delivery per event id): a crash in between neither loses nor invents a status event.
 */
export async function applyProviderEvent(
  deps: ProviderEventsDeps,
  event: ProviderStatusEvent,
): Promise<ProviderEventOutcome> {
  const { sandbox, executionId, messageId, shard } = event.message;
  // One GetItem: the shard the tag names, else the unitary partition; then every shard (audience
  // mail sent before the tag existed).
  let message =
    (await deps.executions.getMessage(sandbox, executionId, messageId, shard)) ??
    (await deps.executions.findMessage(sandbox, executionId, messageId));
  if (!message) return { outcome: 'dropped', reason: 'no such message' };
  // A message still queued is retried before anything else is read.
  if (message.status === 'queued') throw new ProviderEventTooEarlyError(messageId);
  const run = await runOf(deps, message);
  if (!run) return { outcome: 'dropped', reason: 'no such execution' };
  addCorrelation({
    sandbox,
    executionId,
    messageId,
    requestId: run.header.requestId,
    campaignId: run.header.campaignId,
  });
  const key = providerEventKey(event);
  const publish = async (recorded: MessageRecord, change: StatusChange) => {
    if (!run.enableWebhooks) return;
    const { encoding, numberOfMessageParts: parts } = recorded;
    await deps.events.publish([
      statusEvent(run.header, recorded, change, key, {
        address: recorded.address,
        // An SMS's parts, as dispatch recorded them, go with its later statuses too.
        sms: encoding !== undefined && parts !== undefined ? { encoding, parts } : undefined,
      }),
    ]);
  };

  for (let attempt = 1; attempt <= MAX_TRIES; attempt += 1) {
    if (message.providerEvents?.includes(key)) {
      // Recorded by an earlier delivery, which may have stopped before publishing: publish again.
      await publish(message, providerChange(event, deps.clock.now()));
      return { outcome: 'repeat' };
    }
    const decision = providerEventDecision(message, event, deps.clock.now());
    if (decision.kind === 'too-early') throw new ProviderEventTooEarlyError(messageId);
    if (decision.kind === 'ignore' && decision.reason === 'not-sent')
      return { outcome: 'dropped', reason: 'the message was never sent (excluded)' };
    // The address bounced or complained whatever the message's status says now; suppressing
    // twice is harmless, so it comes before the record (a retry suppresses again).
    if (event.suppress && attempt === 1) await suppress(deps, run.header.channel, message, event);
    if (decision.kind === 'ignore') return { outcome: 'ignored', reason: decision.reason };

    const recorded = await deps.executions.recordProviderEvent(message, message.status, decision.change, key);
    if (recorded.result === 'moved') {
      if (!recorded.message) return { outcome: 'dropped', reason: 'the message is gone' };
      message = recorded.message;
      continue;
    }
    if (recorded.result === 'recorded')
      logStatusChanges(message.messageId, run.header.channel, [decision.change], { test: run.test });
    await publish(message, decision.change);
    return recorded.result === 'seen'
      ? { outcome: 'repeat' }
      : { outcome: 'recorded', status: decision.change.status };
  }
  throw new Error(`message ${messageId} kept changing while a provider event was applied; retrying`);
}

/**
 * Primary course for a text a person sent to a sending number: only an opt-out keyword matters
 * (other texts are ignored). In each sandbox with an SMS configuration sending from that number,
 * the profile that owns the person's number (`phone` identity) gets marketing consent `n` for
 * `sms`, recorded as `sms-stop`: marketing campaigns exclude them `no-consent` from then on.
 * Transactional SMS is not Herald's to stop — the provider keeps its own opt-out list and refuses
 * or drops messages to the number (ADR 0020). A repeat STOP changes nothing.
 */
async function applyInboundSms(
  deps: ProviderEventsDeps,
  inbound: Extract<InboundSmsResult, { kind: 'inbound' }>,
): Promise<ProviderEventOutcome> {
  if (!inbound.optOut) return { outcome: 'ignored', reason: 'an inbound SMS that is not an opt-out' };
  const sandboxes = [...new Set((await deps.origins.sendingFrom(inbound.to)).map((o) => o.sandbox))];
  if (sandboxes.length === 0)
    return { outcome: 'dropped', reason: 'an opt-out to a number no sandbox sends from' };
  let changed = 0;
  for (const sandbox of sandboxes)
    if (await withdrawSmsConsent(deps, sandbox, { phone: inbound.from }, 'sms-stop')) changed++;
  return { outcome: 'opted-out', profiles: changed };
}

async function suppress(
  deps: ProviderEventsDeps,
  channel: Channel,
  message: MessageRecord,
  event: ProviderStatusEvent,
): Promise<void> {
  // Herald sends each message to one address, the one it recorded; the event's list is the
  // fallback for a message that has none.
  const addresses = message.address !== undefined ? [message.address] : event.addresses;
  const at = event.at ?? deps.clock.now().toISOString();
  await Promise.all(
    addresses.map((address) =>
      deps.suppressions.suppress(message.sandbox, channel, address, {
        code: event.code,
        messageId: message.messageId,
        at,
      }),
    ),
  );
}

/** The run a message belongs to: its header for status events, and whether it publishes them. */
async function runOf(
  deps: ProviderEventsDeps,
  message: MessageRecord,
): Promise<{ header: RunHeader; enableWebhooks: boolean; test: boolean } | undefined> {
  if (message.shard !== undefined) {
    const run = await deps.audienceExecutions.get(message.sandbox, message.executionId);
    return run ? { header: audienceRun(run), enableWebhooks: run.enableWebhooks, test: false } : undefined;
  }
  const execution = await deps.executions.getExecutionRecord(message.sandbox, message.executionId);
  if (!execution || !isChannel(execution.channel)) return undefined;
  const enableWebhooks =
    execution.enableWebhooks ??
    (await deps.campaigns.get(execution.sandbox, execution.campaignId))?.enableWebhooks ??
    false;
  return {
    header: {
      sandbox: execution.sandbox,
      executionId: execution.executionId,
      requestId: execution.requestId,
      campaignId: execution.campaignId,
      campaignVersion: execution.campaignVersion,
      // Only transactional campaigns are triggered for named recipients (assertUnitaryTriggerable).
      campaignType: 'transactional',
      channel: execution.channel,
    },
    enableWebhooks,
    test: execution.test === true,
  };
}
