import type { HeraldConfig } from '../config.ts';
import { systemClock } from '../domain/clock.ts';
import { createSqsClient } from '../queue/sqs-client.ts';
import { DynamoDbAudienceExecutionStore } from '../store/dynamodb-audience-execution-store.ts';
import { DynamoDbAudienceStore } from '../store/dynamodb-audience-store.ts';
import { DynamoDbCampaignStore } from '../store/dynamodb-campaign-store.ts';
import { createDocumentClient } from '../store/dynamodb-client.ts';
import { DynamoDbScheduleStore } from '../store/dynamodb-schedule-store.ts';
import { DynamoDbClaimStore } from '../store/idempotency.ts';
import type { CampaignDeps } from '../use-cases/campaigns.ts';
import type { ScheduleDeps } from '../use-cases/schedules.ts';
import type { Clients } from './parts.ts';
import { jobSender } from './queue-parts.ts';

/**
 * The scheduler: campaign transitions, due schedules (which start audience runs) and the re-drive
 * of stale claims (which queues their dispatch and fanout jobs), all found on the `due` index.
 */
export function schedulerRoot(config: HeraldConfig, clients: Partial<Clients> = {}) {
  const documents = clients.dynamodb ?? createDocumentClient();
  const sqs = clients.sqs ?? createSqsClient();
  const table = config.TABLE_NAME;
  return {
    clock: systemClock,
    campaigns: new DynamoDbCampaignStore(documents, table),
    audiences: new DynamoDbAudienceStore(documents, table),
    audienceExecutions: new DynamoDbAudienceExecutionStore(documents, table),
    schedules: new DynamoDbScheduleStore(documents, table),
    claims: new DynamoDbClaimStore(documents, table),
    jobs: jobSender(config, sqs),
  } satisfies Pick<CampaignDeps, 'campaigns' | 'clock'> & ScheduleDeps;
}
