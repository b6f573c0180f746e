import type { HeraldConfig } from '../config.ts';
import { createSqsClient } from '../queue/sqs-client.ts';
import { DynamoDbApiKeyStore } from '../store/dynamodb-api-key-store.ts';
import { createDocumentClient } from '../store/dynamodb-client.ts';
import type { WebhookAdminDeps } from '../use-cases/webhooks.ts';
import { dnsHostResolver } from '../webhooks/dns-resolver.ts';
import { deliveryParts, webhookUrlPolicy } from './delivery-parts.ts';
import { apiParts, type Clients } from './parts.ts';

/**
 * The webhooks function: configuration (URLs checked against the policy, names resolved by DNS), the attempt log, and
 * delivery for `test` (sent at once) and `resend`/`recover` (queued on feedback).
 */
export function webhooksRoot(config: HeraldConfig, clients: Partial<Clients> = {}) {
  const documents = clients.dynamodb ?? createDocumentClient();
  const sqs = clients.sqs ?? createSqsClient();
  const urlPolicy = webhookUrlPolicy(config);
  return {
    ...deliveryParts(config, documents, sqs, urlPolicy),
    ...apiParts(config, new DynamoDbApiKeyStore(documents, config.TABLE_NAME), clients),
    urlPolicy,
    hostResolver: dnsHostResolver(),
  } satisfies WebhookAdminDeps;
}
