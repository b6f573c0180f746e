import { SandboxProvider } from '../channels/sandbox-provider.ts';
import type { HeraldConfig } from '../config.ts';
import { systemClock } from '../domain/clock.ts';
import { createSqsClient } from '../queue/sqs-client.ts';
import { createDocumentClient } from '../store/dynamodb-client.ts';
import { DynamoDbExecutionStore } from '../store/dynamodb-execution-store.ts';
import { DynamoDbProfileStore } from '../store/dynamodb-profile-store.ts';
import { DynamoDbSuppressionStore } from '../store/dynamodb-suppression-store.ts';
import type { DispatchDeps } from '../use-cases/dispatch.ts';
import type { Clients } from './parts.ts';
import { statusEvents } from './queue-parts.ts';

/** The dispatch worker: render, send through the channel provider, record, publish status events. */
export function dispatchRoot(config: HeraldConfig, clients: Partial<Clients> = {}) {
  const documents = clients.dynamodb ?? createDocumentClient();
  const sqs = clients.sqs ?? createSqsClient();
  const table = config.TABLE_NAME;
  return {
    clock: systemClock,
    executions: new DynamoDbExecutionStore(documents, table),
    profiles: new DynamoDbProfileStore(documents, table),
    suppressions: new DynamoDbSuppressionStore(documents, table),
    provider: new SandboxProvider(documents, table),
    events: statusEvents(config, sqs),
  } satisfies DispatchDeps;
}
