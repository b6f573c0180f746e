import { checkUrlPolicy, parseAddress, refusal, type UrlPolicy } from '../domain/address-policy.ts';
import type { Clock } from '../domain/clock.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { uuidv7 } from '../domain/ids.ts';
import type { Page } from '../domain/page.ts';
import {
  type DeliveryRecord,
  feedbackPayload,
  generateSigningSecret,
  type HostResolver,
  rotateSecrets,
  WEBHOOK_LOG_SHARDS,
  type WebhookConfig,
} from '../domain/webhook.ts';
import { CHANNELS } from '../schemas/campaign.ts';
import type { AttemptView, CreateWebhookInput, PatchWebhookInput, WebhookView } from '../schemas/webhook.ts';
import { attemptDelivery, type DeliveryDeps, resendDeliveries } from './deliver.ts';

export interface WebhookAdminDeps extends DeliveryDeps {
  readonly urlPolicy: UrlPolicy;
  /** Resolves a webhook's host when it is saved (the URL policy judges every address). */
  readonly hostResolver: HostResolver;
  readonly clock: Clock;
}

export function toWebhookView(webhook: WebhookConfig): WebhookView {
  return {
    id: webhook.id,
    name: webhook.name,
    url: webhook.url,
    channels: [...webhook.channels],
    enabled: webhook.enabled,
    auth: { type: webhook.auth.type },
    headers: Object.keys(webhook.headers),
    createdAt: webhook.createdAt,
    modifiedAt: webhook.modifiedAt,
    ...(webhook.disabledReason ? { disabledReason: webhook.disabledReason } : {}),
    ...(webhook.disabledAt ? { disabledAt: webhook.disabledAt } : {}),
    ...(webhook.failingSince ? { failingSince: webhook.failingSince } : {}),
  };
}

/**
 * The URL check at configuration time: the scheme, then every address the host resolves to now.
 * The delivery client checks again at connect time (a later answer may differ).
 */
export async function checkWebhookUrl(url: string, policy: UrlPolicy, resolver: HostResolver): Promise<void> {
  const refuse = (message: string) => new ValidationError([{ path: 'body.url', message }]);
  const verdict = checkUrlPolicy(new URL(url), policy, { refuseCredentials: true });
  if ('rule' in verdict) {
    switch (verdict.rule) {
      case 'scheme':
        throw refuse('must be https (the operator has not allowed http)');
      case 'credentials':
        throw refuse('must not carry credentials; use auth');
      case 'port':
        throw refuse(`refused: ${verdict.reason}`);
      case 'address':
        throw refuse(`${verdict.error.message} (not allowed by the operator)`);
    }
  }
  if (verdict.literal) return;
  const refused = await resolvedHostRefusal(verdict.host, policy.isAllowed, resolver);
  if (refused) throw refuse(refused);
}

/**
 * What the SSRF policy says of a host name by what it resolves to now: why it is refused (it does
 * not resolve, or an address is private, loopback, metadata… and not allowed), or undefined. The
 * webhook URL check and the SMTP host check (channel configurations) both ask it.
 */
export async function resolvedHostRefusal(
  host: string,
  isAllowed: (address: string) => boolean,
  resolver: HostResolver,
): Promise<string | undefined> {
  const addresses = parseAddress(host) ? [host] : await resolver.addresses(host);
  if (addresses.length === 0) return `host '${host}' does not resolve`;
  for (const address of addresses) {
    const refused = refusal(host, address, isAllowed);
    if (refused) return `${refused.message} (not allowed by the operator)`;
  }
  return undefined;
}

async function load(deps: Pick<WebhookAdminDeps, 'webhooks'>, sandbox: string, id: string) {
  const webhook = await deps.webhooks.get(sandbox, id);
  if (!webhook) throw new NotFoundError('Webhook', id);
  return webhook;
}

export async function createWebhook(deps: WebhookAdminDeps, sandbox: string, input: CreateWebhookInput) {
  await checkWebhookUrl(input.url, deps.urlPolicy, deps.hostResolver);
  const now = deps.clock.now().toISOString();
  const secret = generateSigningSecret();
  const webhook: WebhookConfig = {
    sandbox,
    id: uuidv7(),
    name: input.name,
    url: input.url,
    channels: input.channels ?? [...CHANNELS],
    enabled: input.enabled ?? true,
    auth: input.auth ?? { type: 'none' },
    headers: input.headers ?? {},
    secrets: [{ secret, createdAt: now }],
    // Its attempt log's layout, for its lifetime (ADR 0033).
    logShards: WEBHOOK_LOG_SHARDS,
    createdAt: now,
    modifiedAt: now,
    revision: 0,
  };
  await deps.webhooks.create(webhook);
  return { ...toWebhookView(webhook), secret };
}

export async function listWebhooks(deps: Pick<WebhookAdminDeps, 'webhooks'>, sandbox: string) {
  return (await deps.webhooks.list(sandbox)).map(toWebhookView);
}

export async function getWebhook(deps: Pick<WebhookAdminDeps, 'webhooks'>, sandbox: string, id: string) {
  return toWebhookView(await load(deps, sandbox, id));
}

/** Re-enabling a disabled webhook clears its reason and its run of failures. */
export async function patchWebhook(
  deps: WebhookAdminDeps,
  sandbox: string,
  id: string,
  patch: PatchWebhookInput,
) {
  const webhook = await load(deps, sandbox, id);
  if (patch.url !== undefined) await checkWebhookUrl(patch.url, deps.urlPolicy, deps.hostResolver);
  const reEnabled = patch.enabled === true && !webhook.enabled;
  const { disabledReason: _reason, disabledAt: _at, failingSince: _since, ...rest } = webhook;
  const next: WebhookConfig = {
    ...(reEnabled ? rest : webhook),
    ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
    modifiedAt: deps.clock.now().toISOString(),
    revision: webhook.revision + 1,
  };
  await deps.webhooks.save(next);
  return toWebhookView(next);
}

export async function deleteWebhook(deps: Pick<WebhookAdminDeps, 'webhooks'>, sandbox: string, id: string) {
  if (!(await deps.webhooks.delete(sandbox, id))) throw new NotFoundError('Webhook', id);
}

/** A new secret; the previous one keeps signing (a second signature) for 24 hours. */
export async function rotateWebhookSecret(deps: WebhookAdminDeps, sandbox: string, id: string) {
  const webhook = await load(deps, sandbox, id);
  const now = deps.clock.now();
  const rotated = rotateSecrets(webhook.secrets, now);
  await deps.webhooks.save({
    ...webhook,
    secrets: rotated.secrets,
    modifiedAt: now.toISOString(),
    revision: webhook.revision + 1,
  });
  return { secret: rotated.secret, previousSecretExpiresAt: rotated.previousExpiresAt };
}

/** Sends a test event now, once, and returns the attempt (it is also in the attempt log). */
export async function testWebhook(deps: WebhookAdminDeps, sandbox: string, id: string): Promise<AttemptView> {
  const webhook = await load(deps, sandbox, id);
  const now = deps.clock.now().toISOString();
  const eventId = `test_${uuidv7()}`;
  const channel = webhook.channels[0] ?? 'email';
  const record: DeliveryRecord = {
    sandbox,
    webhookId: id,
    eventId,
    channel,
    payload: JSON.stringify(
      feedbackPayload(
        {
          kind: 'status-event',
          eventId,
          sandbox,
          executionId: 'test',
          requestId: 'test',
          campaignId: 'test',
          campaignVersion: 0,
          campaignType: 'transactional',
          channel,
          messageId: eventId,
          userId: 'test',
          namespace: 'email',
          status: 'delivered',
          timestamp: now,
        },
        { imsOrg: deps.imsOrg },
      ),
    ),
    state: 'pending',
    attempts: 0,
    createdAt: now,
    ...(webhook.logShards !== undefined ? { logShards: webhook.logShards } : {}),
  };
  await deps.deliveries.create(record);
  const { attempt, delivered } = await attemptDelivery(deps, webhook, record, 1);
  await deps.deliveries.recordAttempt(record, attempt, delivered ? 'delivered' : 'failed');
  return attempt;
}

export async function listAttempts(
  deps: WebhookAdminDeps,
  sandbox: string,
  id: string,
  page: { limit: number; cursor?: string },
): Promise<Page<AttemptView>> {
  return deps.deliveries.listAttempts(await load(deps, sandbox, id), page);
}

export async function resendEvent(deps: WebhookAdminDeps, sandbox: string, id: string, eventId: string) {
  const webhook = await load(deps, sandbox, id);
  const record = await deps.deliveries.get(sandbox, id, eventId);
  if (!record) throw new NotFoundError('Event', eventId);
  await resendDeliveries(deps, webhook, [record]);
  return { queued: 1 };
}

/** Re-sends every delivery that exhausted its retries in [since, until), each with a fresh schedule. */
export async function recoverWebhook(
  deps: WebhookAdminDeps,
  sandbox: string,
  id: string,
  window: { since: string; until?: string },
) {
  const webhook = await load(deps, sandbox, id);
  const since = new Date(window.since).toISOString();
  const until = new Date(window.until ?? deps.clock.now()).toISOString();
  if (since >= until) throw new ValidationError([{ path: 'body.until', message: 'must be after since' }]);
  const eventIds = await deps.deliveries.listFailed(webhook, since, until);
  const records = (
    await Promise.all(eventIds.map((eventId) => deps.deliveries.get(sandbox, id, eventId)))
  ).filter((r): r is DeliveryRecord => r !== undefined && r.state === 'failed');
  return { queued: await resendDeliveries(deps, webhook, records) };
}
