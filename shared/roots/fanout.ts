import type { HeraldConfig } from '../config.ts';
import { systemClock } from '../domain/clock.ts';
import { createSqsClient } from '../queue/sqs-client.ts';
import { DynamoDbAudienceExecutionStore } from '../store/dynamodb-audience-execution-store.ts';
import { DynamoDbAudienceStore } from '../store/dynamodb-audience-store.ts';
import { createDocumentClient } from '../store/dynamodb-client.ts';
import { DynamoDbExecutionStore } from '../store/dynamodb-execution-store.ts';
import { DynamoDbProfileStore } from '../store/dynamodb-profile-store.ts';
import { DynamoDbSuppressionStore } from '../store/dynamodb-suppression-store.ts';
import type { FanoutDeps } from '../use-cases/fanout.ts';
import type { Clients } from './parts.ts';
import { dispatchQueue, fanoutQueue, statusEvents } from './queue-parts.ts';

/** The fanout worker: one page of an audience run, its dispatch jobs, the next page, exclusions. */
export function fanoutRoot(config: HeraldConfig, clients: Partial<Clients> = {}) {
  const documents = clients.dynamodb ?? createDocumentClient();
  const sqs = clients.sqs ?? createSqsClient();
  const table = config.TABLE_NAME;
  return {
    clock: systemClock,
    audienceExecutions: new DynamoDbAudienceExecutionStore(documents, table),
    audiences: new DynamoDbAudienceStore(documents, table),
    profiles: new DynamoDbProfileStore(documents, table),
    suppressions: new DynamoDbSuppressionStore(documents, table),
    executions: new DynamoDbExecutionStore(documents, table),
    dispatch: dispatchQueue(config, sqs),
    fanoutQueue: fanoutQueue(config, sqs),
    events: statusEvents(config, sqs),
  } satisfies FanoutDeps;
}
