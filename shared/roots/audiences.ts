import type { HeraldConfig } from '../config.ts';
import { DynamoDbApiKeyStore } from '../store/dynamodb-api-key-store.ts';
import { DynamoDbAudienceStore } from '../store/dynamodb-audience-store.ts';
import { createDocumentClient } from '../store/dynamodb-client.ts';
import { DynamoDbNamespaceStore } from '../store/dynamodb-namespace-store.ts';
import { DynamoDbProfileStore } from '../store/dynamodb-profile-store.ts';
import type { AudienceDeps } from '../use-cases/audiences.ts';
import { apiParts, type Clients, sandboxSettings } from './parts.ts';

/** The audiences function: audiences, memberships and imports. */
export function audiencesRoot(config: HeraldConfig, clients: Partial<Clients> = {}) {
  const documents = clients.dynamodb ?? createDocumentClient();
  const table = config.TABLE_NAME;
  return {
    ...apiParts(config, new DynamoDbApiKeyStore(documents, table), clients),
    audiences: new DynamoDbAudienceStore(documents, table),
    profiles: new DynamoDbProfileStore(documents, table),
    namespaces: new DynamoDbNamespaceStore(documents, table),
    sandboxSettings: sandboxSettings(config, documents),
  } satisfies AudienceDeps;
}
