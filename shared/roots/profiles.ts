import type { HeraldConfig } from '../config.ts';
import { DynamoDbApiKeyStore } from '../store/dynamodb-api-key-store.ts';
import { DynamoDbAudienceStore } from '../store/dynamodb-audience-store.ts';
import { createDocumentClient } from '../store/dynamodb-client.ts';
import { DynamoDbExecutionStore } from '../store/dynamodb-execution-store.ts';
import { DynamoDbNamespaceStore } from '../store/dynamodb-namespace-store.ts';
import { DynamoDbProfileStore } from '../store/dynamodb-profile-store.ts';
import { DynamoDbSuppressionStore } from '../store/dynamodb-suppression-store.ts';
import type { ProfileDeps, ProfileMessagesDeps } from '../use-cases/profiles.ts';
import type { SuppressionDeps } from '../use-cases/suppressions.ts';
import { apiParts, type Clients, sandboxSettings } from './parts.ts';

/**
 * The profiles function: profiles and identities (and memberships named on an upsert), the
 * suppression list, and a profile's latest messages.
 */
export function profilesRoot(config: HeraldConfig, clients: Partial<Clients> = {}) {
  const documents = clients.dynamodb ?? createDocumentClient();
  const table = config.TABLE_NAME;
  return {
    ...apiParts(config, new DynamoDbApiKeyStore(documents, table), clients),
    profiles: new DynamoDbProfileStore(documents, table),
    namespaces: new DynamoDbNamespaceStore(documents, table),
    audiences: new DynamoDbAudienceStore(documents, table),
    sandboxSettings: sandboxSettings(config, documents),
    suppressions: new DynamoDbSuppressionStore(documents, table),
    // A profile's messages: the `profileMessages` index, the messages and their executions (reads).
    messages: new DynamoDbExecutionStore(documents, table),
  } satisfies ProfileDeps & SuppressionDeps & ProfileMessagesDeps;
}
