import { SandboxProvider } from '../channels/sandbox-provider.ts';
import type { HeraldConfig } from '../config.ts';
import { createSqsClient } from '../queue/sqs-client.ts';
import { DynamoDbApiKeyStore } from '../store/dynamodb-api-key-store.ts';
import { DynamoDbAudienceExecutionStore } from '../store/dynamodb-audience-execution-store.ts';
import { DynamoDbAudienceStore } from '../store/dynamodb-audience-store.ts';
import { DynamoDbCampaignStore } from '../store/dynamodb-campaign-store.ts';
import { createDocumentClient } from '../store/dynamodb-client.ts';
import { DynamoDbExecutionLog } from '../store/dynamodb-execution-log.ts';
import { DynamoDbExecutionStore } from '../store/dynamodb-execution-store.ts';
import { DynamoDbProfileStore } from '../store/dynamodb-profile-store.ts';
import { DynamoDbScheduleStore } from '../store/dynamodb-schedule-store.ts';
import { DynamoDbTestSendCounter } from '../store/dynamodb-test-send-counter.ts';
import { DynamoDbClaimStore } from '../store/idempotency.ts';
import type { ExecutionReadDeps } from '../use-cases/executions.ts';
import type { ListExecutionsDeps } from '../use-cases/list-executions.ts';
import { cachedCampaigns } from '../use-cases/read-cache.ts';
import type { ScheduleDeps } from '../use-cases/schedules.ts';
import type { TestSendDeps } from '../use-cases/test-send.ts';
import type { HighThroughputDeps } from '../use-cases/trigger-high-throughput.ts';
import type { TriggerDeps } from '../use-cases/trigger-unitary.ts';
import { apiParts, type Clients, sandboxSettings } from './parts.ts';
import { jobSender } from './queue-parts.ts';

/**
 * The executions function: unitary, high-throughput and audience triggers (their claims queue dispatch and fanout
 * jobs), test sends, schedules, and reading executions and rendered messages. Campaigns are read through the
 * per-container cache: the trigger path never reads the campaign item per call.
 */
export function executionsRoot(config: HeraldConfig, clients: Partial<Clients> = {}) {
  const documents = clients.dynamodb ?? createDocumentClient();
  const sqs = clients.sqs ?? createSqsClient();
  const table = config.TABLE_NAME;
  return {
    ...apiParts(config, new DynamoDbApiKeyStore(documents, table), clients),
    campaigns: cachedCampaigns(
      new DynamoDbCampaignStore(documents, table),
      config.HERALD_CAMPAIGN_CACHE_SECONDS * 1000,
    ),
    // A test send reads the campaign fresh: it sends the edit just saved.
    campaignRecords: new DynamoDbCampaignStore(documents, table),
    testSends: new DynamoDbTestSendCounter(documents, table),
    sandboxSettings: sandboxSettings(config, documents),
    profiles: new DynamoDbProfileStore(documents, table),
    executions: new DynamoDbExecutionStore(documents, table),
    executionLog: new DynamoDbExecutionLog(documents, table),
    claims: new DynamoDbClaimStore(documents, table),
    jobs: jobSender(config, sqs),
    audiences: new DynamoDbAudienceStore(documents, table),
    audienceExecutions: new DynamoDbAudienceExecutionStore(documents, table),
    schedules: new DynamoDbScheduleStore(documents, table),
    provider: new SandboxProvider(documents, table),
  } satisfies TriggerDeps &
    HighThroughputDeps &
    ScheduleDeps &
    ExecutionReadDeps &
    ListExecutionsDeps &
    TestSendDeps;
}

export type ExecutionsDeps = ReturnType<typeof executionsRoot>;
