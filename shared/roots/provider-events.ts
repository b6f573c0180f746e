import type { HeraldConfig } from '../config.ts';
import { systemClock } from '../domain/clock.ts';
import { createSqsClient } from '../queue/sqs-client.ts';
import { DynamoDbAudienceExecutionStore } from '../store/dynamodb-audience-execution-store.ts';
import { DynamoDbCampaignStore } from '../store/dynamodb-campaign-store.ts';
import { DynamoDbChannelConfigurationStore } from '../store/dynamodb-channel-configuration-store.ts';
import { createDocumentClient } from '../store/dynamodb-client.ts';
import { DynamoDbExecutionStore } from '../store/dynamodb-execution-store.ts';
import { DynamoDbProfileStore } from '../store/dynamodb-profile-store.ts';
import { DynamoDbSuppressionStore } from '../store/dynamodb-suppression-store.ts';
import type { ProviderEventsDeps } from '../use-cases/provider-events.ts';
import type { Clients } from './parts.ts';
import { statusEvents } from './queue-parts.ts';

/**
 * The provider-events worker: the messages and runs the events name, the suppression list, and
 * the feedback queue its status events go to; the profiles whose SMS consent a STOP withdraws.
 * No provider, no secrets, no other queue.
 */
export function providerEventsRoot(config: HeraldConfig, clients: Partial<Clients> = {}) {
  const documents = clients.dynamodb ?? createDocumentClient();
  const sqs = clients.sqs ?? createSqsClient();
  const table = config.TABLE_NAME;
  return {
    clock: systemClock,
    executions: new DynamoDbExecutionStore(documents, table),
    audienceExecutions: new DynamoDbAudienceExecutionStore(documents, table),
    campaigns: new DynamoDbCampaignStore(documents, table),
    suppressions: new DynamoDbSuppressionStore(documents, table),
    events: statusEvents(config, sqs),
    // The origination index (read only): where a STOP texted to a number applies.
    origins: new DynamoDbChannelConfigurationStore(documents, table),
    profiles: new DynamoDbProfileStore(documents, table),
  } satisfies ProviderEventsDeps;
}
