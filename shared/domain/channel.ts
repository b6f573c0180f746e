import type { Channel } from '../schemas/campaign.ts';
import type { RenderedMessageView } from '../schemas/execution.ts';
import type { RenderedContent } from './message.ts';

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

/** Bounces and complaints put the address on the sandbox's suppression list. */
export function suppresses(status: ProviderOutcome['events'][number]['status']): boolean {
  return status === 'bounce' || status === 'complaint';
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
