import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { HeraldConfig } from '../../shared/config.ts';
import { logger } from '../../shared/logger.ts';
import { feedbackRoot } from '../../shared/roots/feedback.ts';
import type { Clients } from '../../shared/roots/parts.ts';
import { feedbackMessageSchema } from '../../shared/schemas/feedback-message.ts';
import { deliverJob, fanOutStatusEvent } from '../../shared/use-cases/deliver.ts';

/** SQS feedback queue → fan status events out to webhooks, and deliver (sign, POST, retry) each one. */
export function createHandler(config: HeraldConfig, clients?: Partial<Clients>) {
  const deps = feedbackRoot(config, clients);
  const processor = new BatchProcessor(EventType.SQS);
  async function processRecord(record: SQSRecord): Promise<void> {
    const message = feedbackMessageSchema.parse(JSON.parse(record.body));
    if (message.kind === 'status-event') await fanOutStatusEvent(deps, message);
    else await deliverJob(deps, message);
  }

  return async (event: SQSEvent, context: Context) => {
    const response = await processPartialResponse(event, processRecord, processor, {
      context,
      throwOnFullBatchFailure: false,
    });
    if (response.batchItemFailures.length > 0) {
      logger.warn('feedback messages failed and will be retried', {
        failed: response.batchItemFailures.length,
      });
    }
    return response;
  };
}
