import type { HeraldConfig } from '../config.ts';
import { createSqsClient } from '../queue/sqs-client.ts';
import { createDocumentClient } from '../store/dynamodb-client.ts';
import { cachedReads } from '../use-cases/read-cache.ts';
import { deliveryParts } from './delivery-parts.ts';
import type { Clients } from './parts.ts';

/** The feedback worker: status events fanned out to webhooks, and their deliveries. */
export function feedbackRoot(config: HeraldConfig, clients: Partial<Clients> = {}) {
  const documents = clients.dynamodb ?? createDocumentClient();
  const sqs = clients.sqs ?? createSqsClient();
  const parts = deliveryParts(config, documents, sqs);
  // Every status event of a sandbox would read the same webhook list: the fan-out caches it.
  return {
    ...parts,
    subscribers: cachedReads(parts.subscribers, config.HERALD_WEBHOOK_CACHE_SECONDS * 1000),
  };
}
