import { SandboxProvider } from './channels/sandbox-provider.ts';
import { loadConfig, requireQueueUrl } from './config.ts';
import { parseAllowlist } from './domain/address-policy.ts';
import { hashApiKey } from './domain/auth.ts';
import { DEFAULT_RETRY_SCHEDULE_SECONDS } from './domain/retry-schedule.ts';
import { systemClock } from './ports.ts';
import { sqsClient } from './queue/sqs-client.ts';
import {
  SqsDeliveryQueue,
  SqsDispatchQueue,
  SqsFanoutQueue,
  SqsStatusEventPublisher,
} from './queue/sqs-queues.ts';
import { DynamoDbApiKeyStore } from './store/dynamodb-api-key-store.ts';
import { DynamoDbAudienceExecutionStore } from './store/dynamodb-audience-execution-store.ts';
import { DynamoDbAudienceStore } from './store/dynamodb-audience-store.ts';
import { DynamoDbCampaignStore } from './store/dynamodb-campaign-store.ts';
import { documentClient } from './store/dynamodb-client.ts';
import { DynamoDbDeliveryStore } from './store/dynamodb-delivery-store.ts';
import { DynamoDbExecutionStore } from './store/dynamodb-execution-store.ts';
import { DynamoDbNamespaceStore } from './store/dynamodb-namespace-store.ts';
import { DynamoDbProfileStore } from './store/dynamodb-profile-store.ts';
import { DynamoDbSandboxStore } from './store/dynamodb-sandbox-store.ts';
import { DynamoDbScheduleStore } from './store/dynamodb-schedule-store.ts';
import { DynamoDbSuppressionStore } from './store/dynamodb-suppression-store.ts';
import { DynamoDbWebhookStore } from './store/dynamodb-webhook-store.ts';
import { DynamoDbClaimStore } from './store/idempotency.ts';
import { createAuthenticator } from './use-cases/authenticate.ts';
import { queueJobSender } from './use-cases/claims.ts';
import { cachedCampaigns, cachedSandboxes } from './use-cases/read-cache.ts';
import { createWebhookSender } from './webhooks/http-sender.ts';

/**
 * The adapters a container needs, built once from the configuration. Handlers call this at their
 * first invocation; tests build their own deps from the same classes.
 */
export function containerDeps() {
  const config = loadConfig();
  const client = documentClient();
  const table = config.TABLE_NAME;
  const apiKeys = new DynamoDbApiKeyStore(client, table);
  const campaigns = new DynamoDbCampaignStore(client, table);
  const sandboxes = new DynamoDbSandboxStore(client, table);
  const isAllowed = parseAllowlist(config.HERALD_WEBHOOK_ALLOWED_ADDRESSES);
  const dispatch = new SqsDispatchQueue(sqsClient(), requireQueueUrl(config, 'DISPATCH_QUEUE_URL'));
  const fanoutQueue = new SqsFanoutQueue(sqsClient(), requireQueueUrl(config, 'FANOUT_QUEUE_URL'));
  return {
    config,
    clock: systemClock,
    sandboxes,
    sandboxSettings: cachedSandboxes(sandboxes, config.HERALD_SANDBOX_CACHE_SECONDS * 1000),
    apiKeys,
    namespaces: new DynamoDbNamespaceStore(client, table),
    campaigns,
    cachedCampaigns: cachedCampaigns(campaigns, config.HERALD_CAMPAIGN_CACHE_SECONDS * 1000),
    profiles: new DynamoDbProfileStore(client, table),
    executions: new DynamoDbExecutionStore(client, table),
    suppressions: new DynamoDbSuppressionStore(client, table),
    provider: new SandboxProvider(client, table),
    dispatch,
    claims: new DynamoDbClaimStore(client, table),
    jobs: queueJobSender({ dispatch, fanoutQueue }),
    events: new SqsStatusEventPublisher(sqsClient(), requireQueueUrl(config, 'FEEDBACK_QUEUE_URL')),
    audiences: new DynamoDbAudienceStore(client, table),
    audienceExecutions: new DynamoDbAudienceExecutionStore(client, table),
    schedules: new DynamoDbScheduleStore(client, table),
    fanoutQueue,
    webhooks: new DynamoDbWebhookStore(client, table),
    deliveries: new DynamoDbDeliveryStore(client, table),
    imsOrg: config.HERALD_IMS_ORG ?? null,
    deliveryQueue: new SqsDeliveryQueue(sqsClient(), requireQueueUrl(config, 'FEEDBACK_QUEUE_URL')),
    sender: createWebhookSender({ isAllowed, allowHttp: config.HERALD_WEBHOOK_ALLOW_HTTP }),
    urlPolicy: { isAllowed, allowHttp: config.HERALD_WEBHOOK_ALLOW_HTTP },
    policy: {
      schedule: config.HERALD_WEBHOOK_RETRY_SCHEDULE ?? DEFAULT_RETRY_SCHEDULE_SECONDS,
      timeoutMs: config.HERALD_WEBHOOK_TIMEOUT_MS,
      disableAfterMs: config.HERALD_WEBHOOK_DISABLE_AFTER_SECONDS * 1000,
    },
    maxBodyBytes: config.HERALD_MAX_BODY_BYTES,
    authenticate: createAuthenticator({
      keys: apiKeys,
      cacheMs: config.HERALD_KEY_CACHE_SECONDS * 1000,
      ...(config.HERALD_ADMIN_KEY ? { adminKeyHash: hashApiKey(config.HERALD_ADMIN_KEY) } : {}),
    }),
  };
}

export type ContainerDeps = ReturnType<typeof containerDeps>;
