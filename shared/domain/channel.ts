import { createHash } from 'node:crypto';
import type { Category, Channel } from '../schemas/campaign.ts';
import type { PushInfo, RenderedMessageView } from '../schemas/execution.ts';
import { clipReason } from './email.ts';
import { EXCLUSION_CODES, type RenderedContent } from './message.ts';
import type { Page } from './page.ts';

/**
 * Channels: what a provider is given and reports, and the suppression list every send checks.
 * Providers implement `ChannelProvider` in channels/; the suppression list is a DynamoDB store.
 */

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

/** One address on a sandbox's suppression list, and why it is there. */
export interface SuppressionRecord {
  readonly channel: string;
  readonly address: string;
  /** The status code that suppressed it (`hard-bounce`, `abuse`, `smtp-550`, …). */
  readonly code: string;
  /** The message whose bounce or complaint suppressed it. */
  readonly messageId: string;
  readonly at: string;
}

/** Partitions a sandbox's suppression listing of one channel is spread over (ADR 0024). */
export const SUPPRESSION_SHARDS = 8;

/**
 * Where an address sits in the suppression listing: its shard (stable, and even over addresses)
 * and its SHA-256 as the sort key, since a push token (up to 4,096 characters) is longer than a
 * sort key may be (1,024 bytes) and a cursor holding it would be too.
 */
export function suppressionSlot(address: string): { shard: number; hash: string } {
  const digest = createHash('sha256').update(address).digest();
  return { shard: (digest[0] ?? 0) % SUPPRESSION_SHARDS, hash: digest.toString('hex') };
}

/** The suppression list as people manage it: read it, look one address up, take one off. */
export interface SuppressionList {
  /** A page of the channel's suppressed addresses (by listing shard, then by the address's hash: no useful order). */
  list(
    sandbox: string,
    channel: string,
    page: { readonly limit: number; readonly cursor?: string | undefined },
  ): Promise<Page<SuppressionRecord>>;
  get(sandbox: string, channel: string, address: string): Promise<SuppressionRecord | undefined>;
  /** Takes the address off the list; false when it was not on it. */
  remove(sandbox: string, channel: string, address: string): Promise<boolean>;
}

/**
 * What a provider answers for one message:
 *
 * - `accepted`: the provider took the message (`sent`); `events` are any statuses it already knows
 *   (the sandbox provider's simulated ones; real providers report later, through provider events).
 * - `retry-later`: nothing was sent, or the provider said "not now" (SMTP 4xx, SES throttling, a
 *   dropped connection). The message is `delay`ed and sent again with backoff, never excluded;
 *   `throttled` says the provider asked to slow down.
 * - `failed`: the provider refused this message for good: `bounce` (the mailbox does not exist or
 *   cannot take mail: the address is suppressed), `error` (policy, content, configuration,
 *   account: the address stays usable) or `exclude` with `optedOut` (the number is on the
 *   provider's opt-out list: a recipient's reason, never a failover; ADR 0028).
 */
export type SendOutcome = SendAccepted | SendRetryLater | SendFailed;

export interface ProviderEvent {
  readonly status: 'delivered' | 'bounce' | 'complaint' | 'error';
  readonly code?: string;
  readonly reason?: string;
}

export interface SendAccepted {
  readonly kind: 'accepted';
  readonly providerMessageId: string;
  /** Status changes after `sent`, in order: delivered, or bounce/complaint/error with a code. */
  readonly events: readonly ProviderEvent[];
}

export interface SendRetryLater {
  readonly kind: 'retry-later';
  /** Herald's code for the answer: `smtp-451`, `ses-TooManyRequestsException`, `smtp-ECONNECTION`… */
  readonly code: string;
  /** The provider's own words (SMTP reply text, SES error message), cut to a readable length. */
  readonly reason: string;
  /** The provider asked to slow down (SMTP 421/450/451/452/454, SES throttling). */
  readonly throttled: boolean;
  /** The SMTP reply code when there was one. */
  readonly smtpCode?: number;
  /**
   * The provider is down for everyone and took nothing: no connection could be made, or it
   * answered with its own failure (5xx). Such a message may go through the configuration's
   * fallback at once (a timeout is not this: the provider may have taken the message).
   */
  readonly providerDown?: boolean;
}

/** Connection errors that mean the request never reached the provider (nothing can have been sent). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Whether an error of a provider call says the request never reached the provider. */
export function neverReached(error: unknown): boolean {
  const code = (value: unknown) =>
    typeof value === 'object' && value !== null && 'code' in value ? String(value.code) : undefined;
  const cause = typeof error === 'object' && error !== null && 'cause' in error ? error.cause : undefined;
  return UNREACHABLE.has(code(error) ?? '') || UNREACHABLE.has(code(cause) ?? '');
}

/**
 * What a provider call that got no answer from its service means (network, timeout, credentials):
 * nothing is known to be sent, so the message waits and is sent again; `providerDown` when the
 * request never reached the service (a fallback may take it).
 */
export function unanswered(prefix: string, error: unknown): SendRetryLater {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return {
    kind: 'retry-later',
    code: `${prefix}-${name}`,
    reason: clipReason(message || name),
    throttled: false,
    ...(neverReached(error) ? { providerDown: true } : {}),
  };
}

export interface SendFailed {
  readonly kind: 'failed';
  readonly status: 'bounce' | 'error' | 'exclude';
  readonly code: string;
  readonly reason: string;
  readonly smtpCode?: number;
  /** RFC 3463 enhanced status code (`5.1.1`) when the server gave one. */
  readonly enhancedCode?: string;
  /** The destination opted out with the provider (STOP): its marketing consent for SMS is withdrawn. */
  readonly optedOut?: true;
}

/**
 * The provider refused an SMS because the number is on its opt-out list: the message is excluded
 * `opted-out` (the provider's code and words in the reason), and dispatch withdraws the profile's
 * marketing consent for SMS as a STOP does.
 */
export function optedOut(providerCode: string, words: string): SendFailed {
  return {
    kind: 'failed',
    status: 'exclude',
    code: EXCLUSION_CODES.optedOut,
    reason: clipReason(`The number opted out with the provider (${providerCode}: ${words})`),
    optedOut: true,
  };
}

/** Bounces and complaints put the address on the sandbox's suppression list. */
export function suppresses(status: ProviderEvent['status']): boolean {
  return status === 'bounce' || status === 'complaint';
}

export interface OutgoingMessage {
  readonly sandbox: string;
  readonly executionId: string;
  readonly messageId: string;
  /** The message's partition shard (audience executions): SES tags its mail with it (`herald-shard`). */
  readonly shard?: number;
  readonly channel: Channel;
  /** The campaign's category: SMS providers send marketing as promotional, the rest as transactional. */
  readonly campaignType: Category;
  readonly to: string;
  readonly content: RenderedContent;
  /** Push: the app the campaign names, and the device's platform when the call gave it. */
  readonly push?: { readonly appId: string; readonly platform?: PushInfo['platform'] };
  /** Extra headers (email: List-Unsubscribe, List-Unsubscribe-Post), checked by the provider. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ChannelProvider {
  readonly name: string;
  /**
   * The provider keeps one copy per message id (the sandbox provider), so sending the same message
   * again is harmless. Providers without such a key (SMTP, SES) are sent to only after Herald has
   * claimed the message, so a redelivered job never sends it twice.
   */
  readonly idempotent: boolean;
  send(message: OutgoingMessage, now: Date): Promise<SendOutcome>;
  /** The rendered copy, for providers that keep one (the sandbox provider). */
  rendered?(sandbox: string, messageId: string): Promise<RenderedMessageView | undefined>;
  /** Releases pooled connections or clients (SMTP); absent for stateless providers. */
  close?(): Promise<void>;
}

/** The provider chosen for a message, and the channel configuration it came from (none: the sandbox's built-in provider). */
export interface ResolvedProvider {
  readonly provider: ChannelProvider;
  readonly configurationId?: string;
  /** Sends (SMS: parts) per second across all dispatchers: the configuration's, or its origination type's default. */
  readonly rateLimitPerSec?: number;
  /** A mailto for List-Unsubscribe, where the configuration has one. */
  readonly unsubscribeMailto?: string;
  /** The configuration's fallback, resolved: where a message goes when this provider is down (ADR 0021). */
  readonly fallback?: {
    readonly provider: ChannelProvider;
    readonly configurationId: string;
    /** The fallback's own limit: moved messages book its ledger (ADR 0028). */
    readonly rateLimitPerSec?: number;
  };
}

/**
 * Which provider carries a sandbox's messages on a channel: the configuration the campaign names,
 * else the sandbox's default for the channel, else the built-in sandbox provider. Undefined when
 * the named configuration is gone or of another channel (the message fails with a clear code).
 */
export interface ProviderDirectory {
  resolve(sandbox: string, channel: Channel, configurationId?: string): Promise<ResolvedProvider | undefined>;
}

/**
 * The send slots of a channel configuration with a `rateLimitPerSec`, shared by every dispatch
 * worker (one conditionally updated item), so the rate holds across them.
 */
export interface SendLedger {
  /** The next free slot (epoch ms), if any was ever reserved. */
  next(sandbox: string, configurationId: string): Promise<number | undefined>;
  /** Reserves `count` slots after the last reservation (or now); returns when the first may go. */
  reserve(
    sandbox: string,
    configurationId: string,
    count: number,
    ratePerSec: number,
    nowMs: number,
  ): Promise<number>;
}
