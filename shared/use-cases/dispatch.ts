import { type ChannelProvider, type SuppressionStore, suppresses } from '../domain/channel.ts';
import type { Clock } from '../domain/clock.ts';
import { type ExecutionStore, type MessageRecord, statusEvent } from '../domain/execution.ts';
import { chooseAddress, EXCLUSION_CODES, renderContent } from '../domain/message.ts';
import type { ProfileRecord, ProfileStore } from '../domain/profile.ts';
import { mergeAttributes } from '../domain/profile.ts';
import { type SmsSegments, smsSegments } from '../domain/sms.ts';
import { RenderBudgetError } from '../domain/template.ts';
import type { StatusEventPublisher } from '../domain/webhook.ts';
import type { DispatchJob } from '../schemas/dispatch-job.ts';
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
  /** For the status events only: where it went (or would have), and an SMS's parts. */
  readonly address?: string;
  readonly sms?: SmsSegments;
}

/** A recipient whose message is still queued, with what was read for it. */
interface Pending {
  readonly recipient: Recipient;
  readonly message: MessageRecord;
  readonly profile: ProfileRecord | undefined;
  readonly address: ReturnType<typeof chooseAddress>;
}

/**
 * Sends one dispatch job. Messages, profiles and suppressions are read in one batch each, and the
 * recipients are then sent to side by side. Each recipient is handled on its own and only while its
 * message is still `queued`, so a redelivered job (SQS delivers at least once) never records a
 * message twice. The status events are published before the statuses are recorded: a crash in
 * between repeats the (idempotent) provider call and republishes events with the same ids, never
 * loses one. Any failure throws, and the retried job skips what was recorded.
 */
export async function dispatchJob(deps: DispatchDeps, job: DispatchJob): Promise<void> {
  const messages = await deps.executions.getMessages(job.sandbox, job.executionId, job.recipients);
  const queued = job.recipients.flatMap((recipient) => {
    const message = messages.get(recipient.messageId);
    return message?.status === 'queued' ? [{ recipient, message }] : [];
  });
  if (queued.length === 0) return;
  const profileIds = queued.flatMap(({ recipient }) => (recipient.profileId ? [recipient.profileId] : []));
  const profiles =
    profileIds.length > 0
      ? await deps.profiles.getMany(job.sandbox, profileIds)
      : new Map<string, ProfileRecord>();
  const pending: Pending[] = queued.map(({ recipient, message }) => {
    const profile = recipient.profileId ? profiles.get(recipient.profileId) : undefined;
    return {
      recipient,
      message,
      profile,
      address: chooseAddress(job.channel, recipient.channelData, profile),
    };
  });
  const addresses = pending.flatMap((p) => (p.address.ok ? [p.address.address] : []));
  const suppressed =
    addresses.length > 0
      ? await deps.suppressions.suppressedAmong(job.sandbox, job.channel, addresses)
      : new Set<string>();

  const sent = await Promise.allSettled(pending.map((p) => dispatchOne(deps, job, p, suppressed)));
  const outcomes = sent.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  if (job.enableWebhooks) {
    const events = outcomes.flatMap((outcome) => statusEvents(job, outcome));
    if (events.length > 0) await deps.events.publish(events);
  }
  const recorded = await Promise.allSettled(
    outcomes.map((outcome) =>
      deps.executions.transition(outcome.message, 'queued', outcome.changes, outcome.extra),
    ),
  );
  const failure = [...sent, ...recorded].find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
}

/**
 * Primary course for one recipient whose message is queued: exclude it if its address is missing,
 * malformed or suppressed; otherwise render, send through the provider with the message id as
 * idempotency key, and suppress the address on a bounce or complaint. Returns the status changes
 * to record.
 */
async function dispatchOne(
  deps: DispatchDeps,
  job: DispatchJob,
  { recipient, message, profile, address }: Pending,
  suppressed: ReadonlySet<string>,
): Promise<Outcome> {
  const at = () => deps.clock.now().toISOString();
  if (!address.ok) {
    return {
      message,
      changes: [{ status: 'exclude', at: at(), code: address.code, reason: address.reason }],
    };
  }
  if (suppressed.has(address.address)) {
    const reason = 'The address is on the sandbox suppression list after a bounce or complaint.';
    return {
      message,
      changes: [{ status: 'exclude', at: at(), code: EXCLUSION_CODES.suppressedAddress, reason }],
      address: address.address,
    };
  }

  const scope = {
    profile: mergeAttributes(profile?.attributes ?? {}, recipient.profile ?? {}),
    context: recipient.context ?? job.context ?? {},
  };
  let output: ReturnType<typeof renderContent>;
  try {
    output = renderContent(job.content, scope);
  } catch (error) {
    if (!(error instanceof RenderBudgetError)) throw error;
    const reason = `The rendered message is larger than ${error.maxLength} bytes; no provider would take it.`;
    return {
      message,
      changes: [{ status: 'exclude', at: at(), code: EXCLUSION_CODES.contentTooLarge, reason }],
      extra: { address: address.address },
    };
  }
  const { rendered, missing } = output;
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
  return {
    message,
    changes,
    extra: { address: address.address, missingVariables: missing },
    address: address.address,
    ...(job.channel === 'sms' ? { sms: smsSegments(rendered.body ?? '') } : {}),
  };
}

/** Event ids count the message's history, so the same change always has the same id. */
function statusEvents(job: DispatchJob, { message, changes, address, sms }: Outcome): StatusEvent[] {
  const seq = message.history.length;
  return changes.map((change, index) => statusEvent(job, message, change, seq + index, { address, sms }));
}
