import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type HeraldConfig, requireQueueUrl } from '../config.ts';
import { parseAllowlist, type UrlPolicy } from '../domain/address-policy.ts';
import { systemClock } from '../domain/clock.ts';
import { DEFAULT_RETRY_SCHEDULE_SECONDS } from '../domain/retry-schedule.ts';
import { SqsDeliveryQueue } from '../queue/sqs-queues.ts';
import { DynamoDbDeliveryStore } from '../store/dynamodb-delivery-store.ts';
import { DynamoDbWebhookStore } from '../store/dynamodb-webhook-store.ts';
import type { DeliveryDeps } from '../use-cases/deliver.ts';
import { createWebhookSender } from '../webhooks/http-sender.ts';

/** Where webhooks may point (HERALD_WEBHOOK_ALLOW_HTTP, HERALD_WEBHOOK_ALLOWED_ADDRESSES). */
export function webhookUrlPolicy(config: HeraldConfig): UrlPolicy {
  return {
    isAllowed: parseAllowlist(config.HERALD_WEBHOOK_ALLOWED_ADDRESSES),
    allowHttp: config.HERALD_WEBHOOK_ALLOW_HTTP,
  };
}

/**
 * Webhook delivery: the stores, the signing HTTP sender under the URL policy, the retry policy and
 * the feedback queue retries go back on. The feedback worker and the webhooks API (test, resend,
 * recover) deliver with the same parts.
 */
export function deliveryParts(
  config: HeraldConfig,
  documents: DynamoDBDocumentClient,
  sqs: SQSClient,
  urlPolicy: UrlPolicy = webhookUrlPolicy(config),
): DeliveryDeps {
  const table = config.TABLE_NAME;
  const webhooks = new DynamoDbWebhookStore(documents, table);
  return {
    clock: systemClock,
    webhooks,
    subscribers: (sandbox) => webhooks.list(sandbox),
    deliveries: new DynamoDbDeliveryStore(documents, table),
    deliveryQueue: new SqsDeliveryQueue(sqs, requireQueueUrl(config, 'FEEDBACK_QUEUE_URL')),
    sender: createWebhookSender(urlPolicy),
    policy: {
      schedule: config.HERALD_WEBHOOK_RETRY_SCHEDULE ?? DEFAULT_RETRY_SCHEDULE_SECONDS,
      timeoutMs: config.HERALD_WEBHOOK_TIMEOUT_MS,
      disableAfterMs: config.HERALD_WEBHOOK_DISABLE_AFTER_SECONDS * 1000,
    },
    imsOrg: config.HERALD_IMS_ORG ?? null,
  };
}
