import { loadConfig } from './config.ts';
import { hashApiKey } from './domain/auth.ts';
import { systemClock } from './ports.ts';
import { DynamoDbApiKeyStore } from './store/dynamodb-api-key-store.ts';
import { DynamoDbCampaignStore } from './store/dynamodb-campaign-store.ts';
import { documentClient } from './store/dynamodb-client.ts';
import { DynamoDbNamespaceStore } from './store/dynamodb-namespace-store.ts';
import { DynamoDbProfileStore } from './store/dynamodb-profile-store.ts';
import { DynamoDbSandboxStore } from './store/dynamodb-sandbox-store.ts';
import { createAuthenticator } from './use-cases/authenticate.ts';

/**
 * The adapters a container needs, built once from the configuration. Handlers call this at their
 * first invocation; tests build their own deps from the same classes.
 */
export function containerDeps() {
  const config = loadConfig();
  const client = documentClient();
  const table = config.TABLE_NAME;
  const apiKeys = new DynamoDbApiKeyStore(client, table);
  return {
    config,
    clock: systemClock,
    sandboxes: new DynamoDbSandboxStore(client, table),
    apiKeys,
    namespaces: new DynamoDbNamespaceStore(client, table),
    campaigns: new DynamoDbCampaignStore(client, table),
    profiles: new DynamoDbProfileStore(client, table),
    maxBodyBytes: config.HERALD_MAX_BODY_BYTES,
    authenticate: createAuthenticator({
      keys: apiKeys,
      cacheMs: config.HERALD_KEY_CACHE_SECONDS * 1000,
      ...(config.HERALD_ADMIN_KEY ? { adminKeyHash: hashApiKey(config.HERALD_ADMIN_KEY) } : {}),
    }),
  };
}

export type ContainerDeps = ReturnType<typeof containerDeps>;
