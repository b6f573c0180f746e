import { suppresses } from '../channels/sandbox-simulator.ts';
import { chooseAddress, EXCLUSION_CODES, renderContent } from '../domain/message.ts';
import { mergeAttributes } from '../domain/profile.ts';
import type {
  ChannelProvider,
  Clock,
  DispatchJob,
  ExecutionStore,
  MessageRecord,
  ProfileStore,
  StatusEventPublisher,
  SuppressionStore,
} from '../ports.ts';
import type { StatusChange } from '../schemas/execution.ts';
import type { StatusEvent } from '../schemas/status-event.ts';

export interface DispatchDeps {
  readonly executions: ExecutionStore;
  readonly profiles: ProfileStore;
  readonly suppressions: SuppressionStore;
  readonly provider: ChannelProvider;
  readonly events: StatusEventPublisher;
  readonly clock: Clock;
}

type Recipient = DispatchJob['recipients'][number];

/** A message's next status changes, decided and sent but not yet recorded. */
interface Outcome {
  readonly message: MessageRecord;
  readonly changes: StatusChange[];
  readonly extra?: { address?: string; missingVariables?: readonly string[] };
}

/**
 * Sends one dispatch job. Each recipient is handled on its own and only while its message is still
 * `queued`, so a redelivered job (SQS delivers at least once) never records a message twice. The
 * status events are published before the statuses are recorded: a crash in between repeats the
 * (idempotent) provider call and republishes events with the same ids, never loses one. Any
 * failure throws, and the retried job skips what was recorded.
 */
export async function dispatchJob(deps: DispatchDeps, job: DispatchJob): Promise<void> {
  const outcomes: Outcome[] = [];
  let firstError: unknown;
  for (const recipient of job.recipients) {
    try {
      const outcome = await dispatchOne(deps, job, recipient);
      if (outcome) outcomes.push(outcome);
    } catch (error) {
      firstError ??= error;
    }
  }
  if (job.enableWebhooks) {
    const events = outcomes.flatMap((outcome) => statusEvents(job, outcome));
    if (events.length > 0) await deps.events.publish(events);
  }
  for (const outcome of outcomes) {
    await deps.executions.transition(outcome.message, 'queued', outcome.changes, outcome.extra);
  }
  if (firstError !== undefined) throw firstError;
}

/**
 * Primary course for one recipient: load its message (skip unless queued), load the profile,
 * render, choose the address (exclude if missing, malformed or suppressed), send through the
 * provider with the message id as idempotency key, record sent and what followed, suppress the
 * address on a bounce or complaint. Returns the status events to publish.
 */
async function dispatchOne(
  deps: DispatchDeps,
  job: DispatchJob,
  recipient: Recipient,
): Promise<Outcome | undefined> {
  const message = await deps.executions.getMessage(
    job.sandbox,
    job.executionId,
    recipient.messageId,
    recipient.shard,
  );
  if (message?.status !== 'queued') return undefined;
  const profile = recipient.profileId ? await deps.profiles.get(job.sandbox, recipient.profileId) : undefined;
  const at = () => deps.clock.now().toISOString();

  const address = chooseAddress(job.channel, recipient.channelData, profile);
  if (!address.ok) {
    return {
      message,
      changes: [{ status: 'exclude', at: at(), code: address.code, reason: address.reason }],
    };
  }
  if (await deps.suppressions.isSuppressed(job.sandbox, job.channel, address.address)) {
    const reason = 'The address is on the sandbox suppression list after a bounce or complaint.';
    return {
      message,
      changes: [{ status: 'exclude', at: at(), code: EXCLUSION_CODES.suppressedAddress, reason }],
    };
  }

  const scope = {
    profile: mergeAttributes(profile?.attributes ?? {}, recipient.profile ?? {}),
    context: recipient.context ?? job.context ?? {},
  };
  const { rendered, missing } = renderContent(job.content, scope);
  const outcome = await deps.provider.send(
    {
      sandbox: job.sandbox,
      executionId: job.executionId,
      messageId: message.messageId,
      channel: job.channel,
      to: address.address,
      content: rendered,
    },
    deps.clock.now(),
  );
  const changes: StatusChange[] = [{ status: 'sent', at: at() }];
  for (const event of outcome.events) {
    changes.push({
      status: event.status,
      at: at(),
      ...(event.code !== undefined ? { code: event.code } : {}),
      ...(event.reason !== undefined ? { reason: event.reason } : {}),
    });
    if (suppresses(event.status)) {
      await deps.suppressions.suppress(job.sandbox, job.channel, address.address, {
        code: event.code ?? event.status,
        messageId: message.messageId,
        at: at(),
      });
    }
  }
  return { message, changes, extra: { address: address.address, missingVariables: missing } };
}

/** Event ids count the message's history, so the same change always has the same id. */
function statusEvents(job: DispatchJob, { message, changes }: Outcome): StatusEvent[] {
  const seq = message.history.length;
  return changes.map((change, index) => ({
    kind: 'status-event' as const,
    eventId: `${message.messageId}:${seq + index}`,
    sandbox: job.sandbox,
    executionId: job.executionId,
    requestId: job.requestId,
    campaignId: job.campaignId,
    campaignVersion: job.campaignVersion,
    campaignType: job.campaignType,
    channel: job.channel,
    messageId: message.messageId,
    userId: message.userId,
    namespace: message.namespace,
    status: change.status,
    ...(change.code !== undefined ? { code: change.code } : {}),
    ...(change.reason !== undefined ? { reason: change.reason } : {}),
    timestamp: change.at,
  }));
}
