import type { HeraldConfig } from '../config.ts';
import type { CampaignStore } from '../domain/campaign.ts';
import { DynamoDbApiKeyStore } from '../store/dynamodb-api-key-store.ts';
import { DynamoDbCampaignStore } from '../store/dynamodb-campaign-store.ts';
import { DynamoDbChannelConfigurationStore } from '../store/dynamodb-channel-configuration-store.ts';
import { createDocumentClient } from '../store/dynamodb-client.ts';
import { DynamoDbProviderHealthStore } from '../store/provider-health-store.ts';
import type { ChannelConfigurationDeps } from '../use-cases/channel-configurations.ts';
import { apiParts, type Clients } from './parts.ts';
import { secretBox } from './secret-parts.ts';
import { targetCheck } from './target-parts.ts';

/** The channels function: channel configurations (it seals SMTP passwords, never opens them). */
export function channelsRoot(config: HeraldConfig, clients: Partial<Clients> = {}) {
  const documents = clients.dynamodb ?? createDocumentClient();
  return {
    ...apiParts(config, new DynamoDbApiKeyStore(documents, config.TABLE_NAME), clients),
    channelConfigurations: new DynamoDbChannelConfigurationStore(documents, config.TABLE_NAME),
    // Read only, to refuse deleting a configuration campaigns still name.
    campaigns: new DynamoDbCampaignStore(documents, config.TABLE_NAME),
    secrets: secretBox(config),
    checkTarget: targetCheck(config),
    health: new DynamoDbProviderHealthStore(documents, config.TABLE_NAME),
  } satisfies ChannelConfigurationDeps & { campaigns: Pick<CampaignStore, 'list'> };
}
