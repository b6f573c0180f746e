import type {
  ChannelProvider,
  OutgoingMessage,
  ProviderDirectory,
  ResolvedProvider,
  SendLedger,
  SendOutcome,
  SendRetryLater,
  SuppressionStore,
} from '../domain/channel.ts';
import type { Clock } from '../domain/clock.ts';
import {
  type DispatchQueue,
  type DispatchReader,
  dispatchJobFor,
  type ExecutionStore,
  highThroughputRecords,
  type MessageExtra,
  type MessageRecord,
  statusEvent,
} from '../domain/execution.ts';
import { chooseAddress, EXCLUSION_CODES, renderContent } from '../domain/message.ts';
import type { ProfileRecord } from '../domain/profile.ts';
import { mergeAttributes } from '../domain/profile.ts';
import { HealthTally, type ProviderHealthRecorder } from '../domain/provider-health.ts';
import {
  awaitingSend,
  claimIsStale,
  failsOver,
  SEND_FAILURE_CODES,
  SEND_LEASE_MS,
  SEND_RETRY_SCHEDULE_SECONDS,
  sendDecision,
} from '../domain/sending.ts';
import { type SmsSegments, smsSegments } from '../domain/sms.ts';
import { fitting, slotTimes } from '../domain/sms-rate.ts';
import { RenderBudgetError } from '../domain/template.ts';
import { listUnsubscribeHeaders, type UnsubscribeClaims } from '../domain/unsubscribe-token.ts';
import type { StatusEventPublisher } from '../domain/webhook.ts';
import { logger } from '../logger.ts';
import { recordMetric } from '../metrics.ts';
import type { DispatchJob } from '../schemas/dispatch-job.ts';
import type { StatusChange } from '../schemas/execution.ts';
import type { StatusEvent } from '../schemas/status-event.ts';
import { type SmsConsentDeps, withdrawSmsConsent } from './sms-consent.ts';
import { logStatusChanges } from './status-log.ts';

export interface DispatchDeps {
  readonly executions: ExecutionStore;
  /** A job's messages, profiles and known addresses' suppressions, in one batched read. */
  readonly reads: DispatchReader;
  readonly suppressions: SuppressionStore;
  readonly providers: ProviderDirectory;
  readonly events: StatusEventPublisher;
  /** Where recipients a provider said "not now" to are queued again, delayed. */
  readonly retries: Pick<DispatchQueue, 'sendDelayed'>;
  /** The signed unsubscribe URL of a profile on a channel (marketing email carries it). */
  readonly unsubscribeUrl: (claims: Omit<UnsubscribeClaims, 'expiresAt'>) => string;
  readonly clock: Clock;
  /** The send slots of configurations with a `rateLimitPerSec`. */
  readonly ledger: SendLedger;
  /** Waits until a message's send slot; setTimeout unless a test says. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Seconds before each new try after "not now"; SEND_RETRY_SCHEDULE_SECONDS unless a test says. */
  readonly retrySchedule?: readonly number[];
  /** The profiles whose marketing consent for SMS a provider's opt-out refusal withdraws (ADR 0028). */
  readonly profiles: SmsConsentDeps['profiles'];
  /** Where the configurations' provider health goes (one write per configuration a job failed on). */
  readonly health: Pick<ProviderHealthRecorder, 'record'>;
}

type Recipient = DispatchJob['recipients'][number];

/** A message's next status changes, decided and sent but not yet recorded. */
interface Outcome {
  readonly message: MessageRecord;
  readonly changes: StatusChange[];
  readonly extra?: MessageExtra;
  /** For the status events only: where it went (or would have), and an SMS's parts. */
  readonly address?: string;
  readonly sms?: SmsSegments;
  /** The provider said "not now": send this recipient again after so many seconds. */
  readonly retry?: { readonly recipient: Recipient; readonly inSeconds: number };
  /** Another dispatcher holds the message's send claim: leave it, retry the job later. */
  readonly busy?: true;
}

/** A recipient whose message is still queued, with what was read for it. */
interface Pending {
  readonly recipient: Recipient;
  readonly message: MessageRecord;
  readonly profile: ProfileRecord | undefined;
  readonly address: ReturnType<typeof chooseAddress>;
}

/** The identity namespace whose ids are addresses of a channel (the profile's address comes from it). */
const ADDRESS_NAMESPACE: Readonly<Record<DispatchJob['channel'], string | undefined>> = {
  email: 'email',
  sms: 'phone',
  push: undefined,
};

/** A recipient's userId read as an address of the channel (undefined for push). */
function guessedAddress(channel: DispatchJob['channel'], userId: string) {
  if (channel === 'email') return chooseAddress(channel, { emailAddress: userId }, undefined);
  if (channel === 'sms') return chooseAddress(channel, { mobilePhoneNumber: userId }, undefined);
  return undefined;
}

/**
 * Sends one dispatch job. Messages, profiles and suppressions are read in one batch (a second one
 * for the suppressions of addresses only the profiles gave), the
 * provider is chosen once (the campaign's channel configuration, else the sandbox's default, else
 * the sandbox provider), and the recipients are then sent to side by side. Each recipient is
 * handled on its own and only while its message still awaits its send, so a redelivered job (SQS
 * delivers at least once) never records a message twice; a provider that cannot de-duplicate is
 * handed a message only after the dispatcher's claim on it (see domain/sending.ts). The status
 * events are published before the statuses are recorded: a crash in between republishes events
 * with the same ids, never loses one. Recipients a provider said "not now" to are queued again,
 * delayed, before their `delay` is recorded. Any failure throws, and the retried job skips what
 * was recorded.
 */
export async function dispatchJob(deps: DispatchDeps, job: DispatchJob): Promise<void> {
  if (job.highThroughput && !(await writeHighThroughputRun(deps, job, job.highThroughput))) return;
  // One batched read: the messages, the profiles, and the suppression list for the addresses the
  // call gave (channelData wins over the profile, so those are final) and, for a recipient known
  // by an identity of the channel's own namespace (an email address for email), that identity:
  // nearly always the address the profile gives, so the second read below is rarely needed.
  const known = job.recipients.flatMap((r) => {
    const guess =
      r.namespace === ADDRESS_NAMESPACE[job.channel] ? guessedAddress(job.channel, r.userId) : undefined;
    const address = r.channelData ? chooseAddress(job.channel, r.channelData, undefined) : guess;
    return address?.ok ? [address.address] : [];
  });
  const read = await deps.reads.read(job.sandbox, job.executionId, {
    messages: job.recipients,
    profileIds: job.recipients.flatMap((r) => (r.profileId ? [r.profileId] : [])),
    channel: job.channel,
    addresses: known,
  });
  const queued = job.recipients.flatMap((recipient) => {
    const message = read.messages.get(recipient.messageId);
    return message && awaitingSend(message) ? [{ recipient, message }] : [];
  });
  if (queued.length === 0) return;
  const pending: Pending[] = queued.map(({ recipient, message }) => {
    const profile = recipient.profileId ? read.profiles.get(recipient.profileId) : undefined;
    return {
      recipient,
      message,
      profile,
      address: chooseAddress(job.channel, recipient.channelData, profile),
    };
  });
  const addresses = pending.flatMap((p) => (p.address.ok ? [p.address.address] : []));
  // Addresses taken from profiles are asked of the suppression list now (a second read, only then).
  const asked = new Set(known);
  const fromProfiles = [...new Set(addresses.filter((a) => !asked.has(a)))];
  const suppressed =
    fromProfiles.length > 0
      ? new Set([
          ...read.suppressed,
          ...(await deps.suppressions.suppressedAmong(job.sandbox, job.channel, fromProfiles)),
        ])
      : read.suppressed;
  const provider = addresses.some((a) => !suppressed.has(a))
    ? await deps.providers.resolve(job.sandbox, job.channel, job.channelConfigurationId)
    : undefined;

  const renders = new Map<string, Rendering>();
  const rendering = (p: Pending) => {
    let found = renders.get(p.message.messageId);
    if (!found) {
      found = renderFor(deps, job, p);
      renders.set(p.message.messageId, found);
    }
    return found;
  };
  // What will reach the provider, each with the slots it takes: an SMS's parts, else one.
  const sendable = pending.flatMap((p) => {
    if (!p.address.ok || suppressed.has(p.address.address)) return [];
    let rendered: Rendering;
    try {
      rendered = rendering(p);
    } catch {
      return []; // dispatchOne renders it again and fails that recipient's send alone
    }
    if (!rendered.ok) return [];
    if (rendered.sms && job.smsMaxParts !== undefined && rendered.sms.parts > job.smsMaxParts) return [];
    return [{ ...p, weight: rendered.sms?.parts ?? 1 }];
  });
  const pace = provider
    ? await paceSends(deps, job, provider, sendable)
    : { slots: new Map<string, number>(), later: [] };
  if (pace.later.length > 0) {
    const later = new Set(pace.later.map((p) => p.message.messageId));
    pending.splice(0, pending.length, ...pending.filter((p) => !later.has(p.message.messageId)));
  }

  const tally = new HealthTally();
  const sent = await Promise.allSettled(
    pending.map((p) =>
      dispatchOne(deps, job, p, rendering, suppressed, provider, pace.slots.get(p.message.messageId), tally),
    ),
  );
  await recordHealth(deps, job.sandbox, tally);
  const outcomes = sent.flatMap((result) =>
    result.status === 'fulfilled' && !result.value.busy ? [result.value] : [],
  );
  if (job.enableWebhooks) {
    const events = outcomes.flatMap((outcome) => statusEvents(job, outcome));
    if (events.length > 0) await deps.events.publish(events);
  }
  const retries = outcomes.flatMap((outcome) => (outcome.retry ? [outcome.retry] : []));
  if (retries.length > 0) {
    const attempt = (job.attempt ?? 0) + 1;
    await deps.retries.sendDelayed(
      [...groupBy(retries, (r) => r.inSeconds)].map(([delaySeconds, group]) => ({
        job: {
          ...dispatchJobFor(
            job,
            group.map((r) => r.recipient),
          ),
          attempt,
        },
        delaySeconds,
      })),
    );
  }
  const recorded = await Promise.allSettled(
    outcomes.map((outcome) =>
      deps.executions.transition(outcome.message, outcome.message.status, outcome.changes, outcome.extra),
    ),
  );
  recorded.forEach((result, index) => {
    const outcome = outcomes[index];
    if (result.status === 'fulfilled' && result.value && outcome)
      logStatusChanges(outcome.message.messageId, job.channel, outcome.changes, { test: job.test === true });
  });
  const failure = [...sent, ...recorded].find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
  if (sent.some((result) => result.status === 'fulfilled' && result.value.busy))
    throw new SendInProgressError(job.executionId);
}

/**
 * A high-throughput job's execution and messages, written before its first send (the call itself
 * wrote nothing). False when the execution exists from another body — a requestId reused for a
 * different call, which is dropped, logged (ADR 0018: no 422 in this mode); a repeat of the same
 * call or job goes on and sends only what is still queued.
 */
async function writeHighThroughputRun(
  deps: DispatchDeps,
  job: DispatchJob,
  accepted: NonNullable<DispatchJob['highThroughput']>,
): Promise<boolean> {
  const { execution, messages } = highThroughputRecords(job, accepted);
  const stored = await deps.executions.createOnce(execution, messages);
  if (stored === undefined || stored.bodyHash === accepted.bodyHash) return true;
  logger.warn('high-throughput requestId reused with another body; the later call is dropped', {
    sandbox: job.sandbox,
    requestId: job.requestId,
    executionId: job.executionId,
  });
  return false;
}

/** A paced job books its send slots at most this far ahead; the rest is queued again for later. */
export const PACE_WINDOW_MS = 15_000;

/**
 * Books send slots for a configuration's `rateLimitPerSec` (shared by every dispatcher through
 * the ledger): one slot per message, or per part for SMS (the limits of SMS origination
 * identities count parts, ADR 0028). As many recipients as fit in the next PACE_WINDOW_MS get
 * their slots; the others are queued again, delayed to when the booked slots end, and stay
 * `queued` meanwhile.
 */
async function paceSends(
  deps: DispatchDeps,
  job: DispatchJob,
  provider: ResolvedProvider,
  sendable: readonly (Pending & { readonly weight: number })[],
): Promise<{ slots: Map<string, number>; later: readonly Pending[] }> {
  const rate = provider.rateLimitPerSec;
  const id = provider.configurationId;
  if (rate === undefined || id === undefined || sendable.length === 0) return { slots: new Map(), later: [] };
  const now = deps.clock.now().getTime();
  const booked = Math.max((await deps.ledger.next(job.sandbox, id)) ?? now, now);
  const capacity = Math.floor(((now + PACE_WINDOW_MS - booked) * rate) / 1000);
  const count = fitting(
    sendable.map((p) => p.weight),
    capacity,
  );
  const later = sendable.slice(count);
  const slots = new Map<string, number>();
  let ends = booked;
  if (count > 0) {
    const weights = sendable.slice(0, count).map((p) => p.weight);
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    const start = await deps.ledger.reserve(job.sandbox, id, total, rate, now);
    const times = slotTimes(start, weights, rate);
    sendable.slice(0, count).forEach((p, i) => {
      slots.set(p.message.messageId, times[i] ?? start);
    });
    ends = start + Math.round((total * 1000) / rate);
  }
  if (later.length > 0) {
    const delaySeconds = Math.min(900, Math.max(1, Math.ceil((ends - now) / 1000) - 1));
    await deps.retries.sendDelayed([
      {
        job: dispatchJobFor(
          job,
          later.map((p) => p.recipient),
        ),
        delaySeconds,
      },
    ]);
  }
  return { slots, later };
}

/** A recipient's message rendered (once per job: pacing weighs an SMS by its parts), or too large to send. */
type Rendering =
  | {
      readonly ok: true;
      readonly output: ReturnType<typeof renderContent>;
      readonly sms?: SmsSegments;
      readonly unsubscribeUrl?: string;
    }
  | { readonly ok: false; readonly maxLength: number };

/** Renders a recipient's message, with the unsubscribe link for marketing email, and an SMS's parts. */
function renderFor(deps: DispatchDeps, job: DispatchJob, { recipient, profile }: Pending): Rendering {
  const unsubscribeUrl =
    (job.campaignType === 'marketing' || job.unsubscribeLink) &&
    job.channel === 'email' &&
    recipient.profileId
      ? deps.unsubscribeUrl({ sandbox: job.sandbox, profileId: recipient.profileId, channel: job.channel })
      : undefined;
  const scope = {
    profile: mergeAttributes(profile?.attributes ?? {}, recipient.profile ?? {}),
    context: recipient.context ?? job.context ?? {},
    ...(unsubscribeUrl ? { unsubscribeUrl } : {}),
  };
  let output: ReturnType<typeof renderContent>;
  try {
    output = renderContent(job.content, scope);
  } catch (error) {
    if (!(error instanceof RenderBudgetError)) throw error;
    return { ok: false, maxLength: error.maxLength };
  }
  const sms = job.channel === 'sms' ? smsSegments(output.rendered.body ?? '') : undefined;
  return { ok: true, output, ...(sms ? { sms } : {}), ...(unsubscribeUrl ? { unsubscribeUrl } : {}) };
}

/** Another dispatcher is sending some of the job's messages: the job comes back after its visibility timeout. */
export class SendInProgressError extends Error {
  constructor(executionId: string) {
    super(`messages of execution ${executionId} are being sent by another dispatcher; retrying later`);
    this.name = 'SendInProgressError';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/**
 * Primary course for one recipient whose message awaits its send: exclude it if its address is
 * missing, malformed or suppressed; otherwise render (with the unsubscribe link for marketing
 * email), claim the message when the provider cannot de-duplicate, send, and suppress the address
 * on a bounce or complaint. Returns the status changes to record.
 */
async function dispatchOne(
  deps: DispatchDeps,
  job: DispatchJob,
  { recipient, message, profile, address }: Pending,
  rendering: (pending: Pending) => Rendering,
  suppressed: ReadonlySet<string>,
  resolved: ResolvedProvider | undefined,
  slot: number | undefined,
  tally: HealthTally,
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
  if (!resolved) {
    const reason = `The campaign's channel configuration ${job.channelConfigurationId ?? ''} no longer exists for the ${job.channel} channel.`;
    return {
      message,
      changes: [{ status: 'error', at: at(), code: SEND_FAILURE_CODES.configurationMissing, reason }],
      extra: { address: address.address },
      address: address.address,
    };
  }

  const rendered = rendering({ recipient, message, profile, address });
  if (!rendered.ok) {
    const reason = `The rendered message is larger than ${rendered.maxLength} bytes; no provider would take it.`;
    return {
      message,
      changes: [{ status: 'exclude', at: at(), code: EXCLUSION_CODES.contentTooLarge, reason }],
      extra: { address: address.address },
    };
  }
  const { unsubscribeUrl, sms } = rendered;
  const { rendered: content, missing } = rendered.output;
  if (sms && job.smsMaxParts !== undefined && sms.parts > job.smsMaxParts) {
    const reason = `The rendered SMS needs ${sms.parts} parts (${sms.encoding}); the campaign allows ${job.smsMaxParts}.`;
    return {
      message,
      changes: [{ status: 'exclude', at: at(), code: EXCLUSION_CODES.smsTooManyParts, reason }],
      extra: { address: address.address, sms },
      address: address.address,
      sms,
    };
  }
  const { provider } = resolved;
  const wait = slot === undefined ? 0 : slot - deps.clock.now().getTime();
  if (wait > 0) await (deps.sleep ?? sleep)(wait);
  // One claim covers the primary and its fallback: the message is handed to at most one of them.
  if (!provider.idempotent || (resolved.fallback && !resolved.fallback.provider.idempotent)) {
    const claimed = await deps.executions.claimSend(message, message.status, at());
    if (claimed.claim === 'moved') return { message, changes: [], busy: true };
    if (claimed.claim === 'taken') {
      if (!claimIsStale(claimed.since, deps.clock.now(), SEND_LEASE_MS))
        return { message, changes: [], busy: true };
      const reason = `A dispatcher handed the message to the provider at ${claimed.since} and stopped before recording the answer; it is not sent again, so it is never sent twice.`;
      return {
        message,
        changes: [{ status: 'error', at: at(), code: SEND_FAILURE_CODES.interrupted, reason }],
        extra: { address: address.address },
        address: address.address,
      };
    }
  }
  const outgoing: OutgoingMessage = {
    sandbox: job.sandbox,
    executionId: job.executionId,
    messageId: message.messageId,
    ...(message.shard !== undefined ? { shard: message.shard } : {}),
    channel: job.channel,
    campaignType: job.campaignType,
    to: address.address,
    content,
    ...(job.channel === 'push' && job.appId !== undefined
      ? {
          push: {
            appId: job.appId,
            ...(recipient.channelData?.pushInfo?.platform
              ? { platform: recipient.channelData.pushInfo.platform }
              : {}),
          },
        }
      : {}),
    ...(unsubscribeUrl
      ? { headers: listUnsubscribeHeaders(unsubscribeUrl, resolved.unsubscribeMailto) }
      : {}),
  };
  const attempt = (job.attempt ?? 0) + 1;
  /**
   * One provider call, its latency recorded per provider (the primary and a fallback apart), its
   * answer tallied for the configuration's health.
   */
  const sendThrough = async (through: ChannelProvider, configurationId: string | undefined) => {
    const sendStarted = performance.now();
    const answer = await through.send(outgoing, deps.clock.now());
    recordMetric('ProviderLatency', performance.now() - sendStarted, {
      channel: job.channel,
      provider: through.name,
    });
    tally.add(configurationId, answer, at());
    return answer;
  };
  const first = await sendThrough(provider, resolved.configurationId);
  // The primary is down and took nothing: the fallback gets the message (never both, ADR 0021),
  // at the fallback's own rate (ADR 0028); a fallback booked past the pacing window leaves it
  // waiting, `delay`ed with the primary's answer, and the next try starts with the primary again.
  const down = failsOver(first, attempt) ? first : undefined;
  const wanted = down && resolved.fallback ? resolved.fallback : undefined;
  const fallbackWait = wanted ? await fallbackSlot(deps, job, wanted, sms?.parts ?? 1) : undefined;
  const moved = down && wanted && fallbackWait !== undefined ? { from: down, to: wanted } : undefined;
  if (moved && fallbackWait !== undefined && fallbackWait > 0) await (deps.sleep ?? sleep)(fallbackWait);
  const outcome: SendOutcome = moved
    ? await sendThrough(moved.to.provider, moved.to.configurationId)
    : down && wanted
      ? {
          ...down,
          reason: `${down.reason}; its fallback ${wanted.configurationId} is at its rate limit (${wanted.rateLimitPerSec ?? 0}/s)`,
        }
      : first;
  const decided = sendDecision(outcome, at(), attempt, deps.retrySchedule ?? SEND_RETRY_SCHEDULE_SECONDS);
  const decision = moved
    ? {
        ...decided,
        changes: decided.changes.map((change, index) =>
          index === 0 ? failoverChange(change, resolved.configurationId, moved) : change,
        ),
      }
    : decided;
  if (outcome.kind === 'failed' && outcome.optedOut && job.channel === 'sms')
    await withdrawOnOptOut(deps, job.sandbox, address.address, recipient.profileId);
  if (decision.suppress !== undefined) {
    await deps.suppressions.suppress(job.sandbox, job.channel, address.address, {
      code: decision.suppress,
      messageId: message.messageId,
      at: at(),
    });
  }
  return {
    message,
    changes: decision.changes,
    extra: { address: address.address, missingVariables: missing, ...(sms ? { sms } : {}) },
    address: address.address,
    ...(sms ? { sms } : {}),
    ...(decision.retryInSeconds !== undefined
      ? { retry: { recipient, inSeconds: decision.retryInSeconds } }
      : {}),
  };
}

/**
 * Writes what the job's provider calls said of each configuration's health. Health is a view, not
 * a record the send depends on: a failed write is logged, and the job goes on.
 */
async function recordHealth(deps: DispatchDeps, sandbox: string, tally: HealthTally): Promise<void> {
  try {
    await deps.health.record(sandbox, tally, deps.clock.now().getTime());
  } catch (error) {
    logger.warn('provider health not recorded', {
      sandbox,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/**
 * The provider refused the number as opted out: the same consent change a STOP makes
 * (use-cases/sms-consent.ts), for the recipient's profile, else the number's owner. A failed write
 * is logged, not thrown: the message's exclusion is still recorded, and the next send to the
 * number, refused again, tries again.
 */
async function withdrawOnOptOut(
  deps: DispatchDeps,
  sandbox: string,
  phone: string,
  profileId: string | undefined,
): Promise<void> {
  try {
    await withdrawSmsConsent(deps, sandbox, { phone, profileId }, 'sms-opted-out');
  } catch (error) {
    logger.warn('marketing consent not withdrawn after an opt-out refusal', {
      sandbox,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/**
 * Books a moved message's slots (an SMS's parts, else one) on the fallback's own ledger: how long
 * to wait before calling it, 0 when it has no limit, undefined when its ledger is booked past
 * PACE_WINDOW_MS (nothing is booked then). Only failing-over messages get here: no store call on
 * the happy path.
 */
async function fallbackSlot(
  deps: DispatchDeps,
  job: DispatchJob,
  fallback: NonNullable<ResolvedProvider['fallback']>,
  weight: number,
): Promise<number | undefined> {
  const rate = fallback.rateLimitPerSec;
  if (rate === undefined) return 0;
  const now = deps.clock.now().getTime();
  const booked = (await deps.ledger.next(job.sandbox, fallback.configurationId)) ?? now;
  if (booked - now > PACE_WINDOW_MS) return undefined;
  const start = await deps.ledger.reserve(job.sandbox, fallback.configurationId, weight, rate, now);
  return Math.max(0, start - now);
}

/**
 * The first change of a message the fallback answered: which configuration and provider sent it
 * (or said what), and why it moved. A `sent` says `failover`; a fallback's own refusal or "not
 * now" keeps its code, with the move in its reason.
 */
function failoverChange(
  change: StatusChange,
  primaryId: string | undefined,
  moved: { from: SendRetryLater; to: NonNullable<ResolvedProvider['fallback']> },
): StatusChange {
  const why = `moved from configuration ${primaryId ?? '(default)'} (${moved.from.code}: ${moved.from.reason}) to its fallback ${moved.to.configurationId} (${moved.to.provider.name})`;
  return change.status === 'sent'
    ? { ...change, code: SEND_FAILURE_CODES.failover, reason: `Sent by the fallback: ${why}.` }
    : { ...change, reason: `${change.reason ?? change.status}; ${why}.` };
}

/** Event ids count the message's history, so the same change always has the same id. */
function statusEvents(job: DispatchJob, { message, changes, address, sms }: Outcome): StatusEvent[] {
  const seq = message.history.length;
  return changes.map((change, index) => statusEvent(job, message, change, seq + index, { address, sms }));
}
