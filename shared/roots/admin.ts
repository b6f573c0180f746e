import type { HeraldConfig } from '../config.ts';
import { DynamoDbApiKeyStore } from '../store/dynamodb-api-key-store.ts';
import { createDocumentClient } from '../store/dynamodb-client.ts';
import { DynamoDbNamespaceStore } from '../store/dynamodb-namespace-store.ts';
import { DynamoDbSandboxStore } from '../store/dynamodb-sandbox-store.ts';
import type { AdminDeps } from '../use-cases/admin.ts';
import { apiParts, type Clients } from './parts.ts';

/** The admin function: sandboxes, API keys, namespaces. */
export function adminRoot(config: HeraldConfig, clients: Partial<Clients> = {}) {
  const documents = clients.dynamodb ?? createDocumentClient();
  const table = config.TABLE_NAME;
  const apiKeys = new DynamoDbApiKeyStore(documents, table);
  return {
    ...apiParts(config, apiKeys, clients),
    apiKeys,
    sandboxes: new DynamoDbSandboxStore(documents, table),
    namespaces: new DynamoDbNamespaceStore(documents, table),
  } satisfies AdminDeps;
}
