import { SandboxProvider } from './channels/sandbox-provider.ts';
import { loadConfig, requireQueueUrl } from './config.ts';
import { hashApiKey } from './domain/auth.ts';
import { systemClock } from './ports.ts';
import { sqsClient } from './queue/sqs-client.ts';
import { SqsDispatchQueue, SqsStatusEventPublisher } from './queue/sqs-queues.ts';
import { DynamoDbApiKeyStore } from './store/dynamodb-api-key-store.ts';
import { DynamoDbCampaignStore } from './store/dynamodb-campaign-store.ts';
import { documentClient } from './store/dynamodb-client.ts';
import { DynamoDbExecutionStore } from './store/dynamodb-execution-store.ts';
import { DynamoDbNamespaceStore } from './store/dynamodb-namespace-store.ts';
import { DynamoDbProfileStore } from './store/dynamodb-profile-store.ts';
import { DynamoDbSandboxStore } from './store/dynamodb-sandbox-store.ts';
import { DynamoDbSuppressionStore } from './store/dynamodb-suppression-store.ts';
import { createAuthenticator } from './use-cases/authenticate.ts';
import { cachedCampaigns } from './use-cases/campaign-cache.ts';

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
  return {
    config,
    clock: systemClock,
    sandboxes: new DynamoDbSandboxStore(client, table),
    apiKeys,
    namespaces: new DynamoDbNamespaceStore(client, table),
    campaigns,
    cachedCampaigns: cachedCampaigns(campaigns, config.HERALD_CAMPAIGN_CACHE_SECONDS * 1000),
    profiles: new DynamoDbProfileStore(client, table),
    executions: new DynamoDbExecutionStore(client, table),
    suppressions: new DynamoDbSuppressionStore(client, table),
    provider: new SandboxProvider(client, table),
    dispatch: new SqsDispatchQueue(sqsClient(), requireQueueUrl(config, 'DISPATCH_QUEUE_URL')),
    events: new SqsStatusEventPublisher(sqsClient(), requireQueueUrl(config, 'FEEDBACK_QUEUE_URL')),
    maxBodyBytes: config.HERALD_MAX_BODY_BYTES,
    authenticate: createAuthenticator({
      keys: apiKeys,
      cacheMs: config.HERALD_KEY_CACHE_SECONDS * 1000,
      ...(config.HERALD_ADMIN_KEY ? { adminKeyHash: hashApiKey(config.HERALD_ADMIN_KEY) } : {}),
    }),
  };
}

export type ContainerDeps = ReturnType<typeof containerDeps>;
