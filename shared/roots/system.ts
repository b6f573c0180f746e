import type { HeraldConfig } from '../config.ts';
import { DynamoDbApiKeyStore } from '../store/dynamodb-api-key-store.ts';
import { createDocumentClient } from '../store/dynamodb-client.ts';
import { apiParts, type Clients } from './parts.ts';

/** The system function (health, OpenAPI, the `$default` 404/405): it only reads API keys. */
export function systemRoot(config: HeraldConfig, clients: Partial<Clients> = {}) {
  const documents = clients.dynamodb ?? createDocumentClient();
  return apiParts(config, new DynamoDbApiKeyStore(documents, config.TABLE_NAME), clients);
}

export type SystemDeps = ReturnType<typeof systemRoot>;
