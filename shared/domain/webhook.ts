import { createHmac, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import type { Channel } from '../schemas/campaign.ts';
import type { DeliveryJob } from '../schemas/feedback-message.ts';
import type { StatusEvent } from '../schemas/status-event.ts';
import type { AttemptView, FeedbackPayload, WebhookAuth } from '../schemas/webhook.ts';
import type { Page } from './page.ts';

/** A signing secret that still signs deliveries; the previous one keeps signing until `expiresAt`. */
export interface SigningSecret {
  readonly secret: string;
  readonly createdAt: string;
  readonly expiresAt?: string;
}

/** How long the previous secret keeps signing after a rotation. */
export const ROTATION_GRACE_SECONDS = 24 * 3600;

/**
 * Partitions the attempt log and failed list of a webhook created now are spread over (ADR 0033):
 * an attempt of ≤ 1 KB is one write unit in a batch write (ADR 0030), so 32 partitions of 1,000
 * units/s take ~32,000 attempts/s for one webhook (~16,000 when answers fill the log's 1 KB), ~9×
 * what the whole feedback event source delivers (docs/cost.md), and a first page of its log is 32
 * queries. The count is stored on each webhook (`logShards`) and on its delivery records, so a
 * change applies to webhooks created after it and every older log stays readable in its layout.
 */
export const WEBHOOK_LOG_SHARDS = 32;

/**
 * The layout of a webhook created before ADR 0033 (no `logShards`): 512 partitions (ADR 0022)
 * and the unsharded partition before them, written and read as before.
 */
export const LEGACY_WEBHOOK_LOG_SHARDS = 512;

export interface WebhookConfig {
  readonly sandbox: string;
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly channels: readonly Channel[];
  readonly enabled: boolean;
  readonly auth: WebhookAuth;
  readonly headers: Readonly<Record<string, string>>;
  readonly secrets: readonly SigningSecret[];
  readonly disabledReason?: string;
  readonly disabledAt?: string;
  readonly failingSince?: string;
  /**
   * Partitions of its attempt log and failed index (ADR 0033): WEBHOOK_LOG_SHARDS for a webhook
   * created since; absent for an older one, which keeps the layout it was created with
   * (LEGACY_WEBHOOK_LOG_SHARDS and the unsharded partition before them, ADR 0022).
   */
  readonly logShards?: number;
  readonly createdAt: string;
  readonly modifiedAt: string;
  readonly revision: number;
}

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * Signing keys by secret, decoded once per container (a webhook has one or two secrets), as key
 * objects: an HMAC under a KeyObject is ~4× cheaper than under the same bytes in a Buffer.
 */
const signingKeys = new Map<string, KeyObject>();

/**
 * A Standard Webhooks signature (`v1,` and the base64 HMAC-SHA256 of `<id>.<timestamp>.<body>`
 * under the secret's bytes): what `standardwebhooks`' `Webhook#sign` computes, with Node's native
 * HMAC and the key decoded once instead of per delivery (ADR 0033; test/unit/webhook.test.ts
 * checks the two agree).
 */
export function sign(secret: string, messageId: string, now: Date, body: string): string {
  let key = signingKeys.get(secret);
  if (!key) {
    const bytes = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
    if (bytes.length === 0) throw new Error("Secret can't be empty.");
    key = createSecretKey(bytes);
    if (signingKeys.size >= 1_000) signingKeys.clear();
    signingKeys.set(secret, key);
  }
  const hmac = createHmac('sha256', key).update(`${messageId}.${Math.floor(now.getTime() / 1000)}.${body}`);
  return `v1,${hmac.digest('base64')}`;
}

/** The secrets that sign at `now`: the current one, and the previous one within its grace period. */
export function activeSecrets(secrets: readonly SigningSecret[], now: Date): SigningSecret[] {
  return secrets.filter((s) => s.expiresAt === undefined || Date.parse(s.expiresAt) > now.getTime());
}

/** Rotation: a new current secret; the old ones keep signing for the grace period. */
export function rotateSecrets(
  secrets: readonly SigningSecret[],
  now: Date,
): { secrets: SigningSecret[]; secret: string; previousExpiresAt: string } {
  const previousExpiresAt = new Date(now.getTime() + ROTATION_GRACE_SECONDS * 1000).toISOString();
  const secret = generateSigningSecret();
  return {
    secret,
    previousExpiresAt,
    secrets: [
      { secret, createdAt: now.toISOString() },
      ...activeSecrets(secrets, now).map((s) => ({ ...s, expiresAt: s.expiresAt ?? previousExpiresAt })),
    ],
  };
}

/** Whether a status event goes to this webhook. */
export function webhookWants(
  webhook: Pick<WebhookConfig, 'enabled' | 'channels'>,
  channel: Channel,
): boolean {
  return webhook.enabled && webhook.channels.includes(channel);
}

/**
 * The request headers of one delivery: the webhook's custom headers, its authentication, and the
 * Standard Webhooks `webhook-id` (stable across retries), `webhook-timestamp` and
 * `webhook-signature` (one `v1,…` per active secret, space-separated).
 */
export function deliveryHeaders(
  webhook: Pick<WebhookConfig, 'headers' | 'auth' | 'secrets'>,
  messageId: string,
  body: string,
  now: Date,
): Record<string, string> {
  const signatures = activeSecrets(webhook.secrets, now).map((s) => sign(s.secret, messageId, now, body));
  const headers: Record<string, string> = {
    ...webhook.headers,
    'content-type': 'application/json',
    'user-agent': 'Herald-Webhooks/0.1',
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
  if (webhook.auth.type === 'bearer') headers.authorization = `Bearer ${webhook.auth.token}`;
  if (webhook.auth.type === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${webhook.auth.username}:${webhook.auth.password}`).toString('base64')}`;
  }
  return headers;
}

const FAILURE: Partial<Record<StatusEvent['status'], { category: string; type: string }>> = {
  bounce: { category: 'async', type: 'Hard' },
  complaint: { category: 'async', type: 'Complaint' },
  error: { category: 'sync', type: 'Soft' },
  delay: { category: 'async', type: 'Soft' },
};

/** Statuses the channel provider reports (so they have a delivery timestamp); the others are Herald's. */
const FROM_PROVIDER: ReadonlySet<StatusEvent['status']> = new Set([
  'sent',
  'delivered',
  'bounce',
  'complaint',
  'error',
  'delay',
]);

/** What the deployment adds to every feedback event. */
export interface FeedbackSettings {
  /** AJO's organisation id (HERALD_IMS_ORG); null when Herald is given none. */
  readonly imsOrg: string | null;
}

/**
 * The reference system's `message.feedback` payload for one status change, in the form its
 * documentation gives: `channel` a string, `campaignType` `ApiTriggered`, every documented field
 * present with `null` when it has no value, `channelContext` and the SMS fields for SMS, and
 * Herald's own `executionId`, `userId` and `timestamp` after them.
 */
export function feedbackPayload(event: StatusEvent, settings: FeedbackSettings): FeedbackPayload {
  const failure = FAILURE[event.status];
  const sms = event.channel === 'sms';
  return {
    requestId: event.requestId,
    imsOrg: settings.imsOrg,
    sandbox: { id: event.sandbox, name: event.sandbox },
    channel: event.channel,
    eventType: 'message.feedback',
    ...(sms ? { channelContext: { profileAddress: null, profileNumber: event.address ?? null } } : {}),
    messageExecution: {
      messageExecutionID: event.executionId,
      messageType: event.campaignType,
      campaignID: event.campaignId,
      campaignVersionID: String(event.campaignVersion),
      messageID: event.messageId,
      messageProfileID: event.profileId ?? null,
      campaignType: 'ApiTriggered',
    },
    messageDeliveryFeedback: {
      feedbackStatus: { value: event.status },
      offers: null,
      messageExclusion:
        event.status === 'exclude' ? { code: event.code ?? 'excluded', reason: event.reason ?? null } : null,
      messageFailure: failure
        ? { ...failure, code: event.code ?? event.status, reason: event.reason ?? null }
        : null,
      retryCount: 0,
      encoding: sms ? (event.encoding ?? null) : null,
      numberOfMessageParts: sms && event.messageParts !== undefined ? String(event.messageParts) : null,
      deliveryTimestamp: FROM_PROVIDER.has(event.status) ? event.timestamp : null,
    },
    identityMap: { [event.namespace]: [{ id: event.userId, primary: true }] },
    executionId: event.executionId,
    userId: event.userId,
    timestamp: event.timestamp,
  };
}

/** What one POST of a delivery came to: the receiver's answer, or why there was none. */
export interface SendResult {
  readonly statusCode?: number;
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
  readonly body?: string;
  readonly error?: string;
  readonly durationMs: number;
}

/** POSTs deliveries to receivers (webhooks/http-sender.ts: signed, guarded, timed out). */
export interface WebhookSender {
  post(
    url: string,
    headers: Readonly<Record<string, string>>,
    body: string,
    timeoutMs: number,
  ): Promise<SendResult>;
  close(): void;
}

/**
 * Name resolution for the URL check at configuration time (webhooks/dns-resolver.ts over
 * `dns.lookup`): every address the host has now, or none when it does not resolve.
 */
export interface HostResolver {
  addresses(host: string): Promise<string[]>;
}

export interface StatusEventPublisher {
  publish(events: readonly StatusEvent[]): Promise<void>;
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
  /** Its webhook's `logShards` when it was made: where its attempts are logged (ADR 0033). */
  readonly logShards?: number;
}

export interface DeliveryStore {
  /** Creates the record unless it exists (a redelivered status event); true when created. */
  create(record: DeliveryRecord): Promise<boolean>;
  get(sandbox: string, webhookId: string, eventId: string): Promise<DeliveryRecord | undefined>;
  /**
   * The same strongly consistent read, in a BatchGetItem shared with the other reads asked in the
   * same turn (the fan-out's check for a redelivered status event, ADR 0033).
   */
  find(sandbox: string, webhookId: string, eventId: string): Promise<DeliveryRecord | undefined>;
  /** Records the outcome of an attempt and the attempt itself (the log expires by TTL). */
  recordAttempt(record: DeliveryRecord, attempt: AttemptView, state: DeliveryRecord['state']): Promise<void>;
  /** The webhook's attempt log, newest first, over the partitions of its layout (`logShards`). */
  listAttempts(
    webhook: Pick<WebhookConfig, 'sandbox' | 'id' | 'logShards'>,
    page: { limit: number; cursor?: string },
  ): Promise<Page<AttemptView>>;
  /** Event ids of deliveries that exhausted their retries in [since, until). */
  listFailed(
    webhook: Pick<WebhookConfig, 'sandbox' | 'id' | 'logShards'>,
    since: string,
    until: string,
  ): Promise<string[]>;
}

export interface DeliveryQueue {
  send(jobs: readonly DeliveryJob[], now: Date): Promise<void>;
}
