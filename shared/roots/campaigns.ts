import type { HeraldConfig } from '../config.ts';
import { DynamoDbApiKeyStore } from '../store/dynamodb-api-key-store.ts';
import { DynamoDbAudienceStore } from '../store/dynamodb-audience-store.ts';
import { DynamoDbCampaignStore } from '../store/dynamodb-campaign-store.ts';
import { DynamoDbChannelConfigurationStore } from '../store/dynamodb-channel-configuration-store.ts';
import { createDocumentClient } from '../store/dynamodb-client.ts';
import { DynamoDbNamespaceStore } from '../store/dynamodb-namespace-store.ts';
import type { CampaignDeps } from '../use-cases/campaigns.ts';
import { apiParts, type Clients } from './parts.ts';

/** The campaigns function: campaigns and their lifecycle. */
export function campaignsRoot(config: HeraldConfig, clients: Partial<Clients> = {}) {
  const documents = clients.dynamodb ?? createDocumentClient();
  const table = config.TABLE_NAME;
  return {
    ...apiParts(config, new DynamoDbApiKeyStore(documents, table), clients),
    campaigns: new DynamoDbCampaignStore(documents, table),
    namespaces: new DynamoDbNamespaceStore(documents, table),
    audiences: new DynamoDbAudienceStore(documents, table),
    channelConfigurations: new DynamoDbChannelConfigurationStore(documents, table),
  } satisfies CampaignDeps;
}
