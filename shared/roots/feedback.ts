import type { HeraldConfig } from '../config.ts';
import { createSqsClient } from '../queue/sqs-client.ts';
import { createDocumentClient } from '../store/dynamodb-client.ts';
import { deliveryParts } from './delivery-parts.ts';
import type { Clients } from './parts.ts';

/** The feedback worker: status events fanned out to webhooks, and their deliveries. */
export function feedbackRoot(config: HeraldConfig, clients: Partial<Clients> = {}) {
  const documents = clients.dynamodb ?? createDocumentClient();
  const sqs = clients.sqs ?? createSqsClient();
  return deliveryParts(config, documents, sqs);
}
