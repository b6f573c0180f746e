import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../../shared/logger.ts';
import { feedbackMessageSchema } from '../../shared/schemas/feedback-message.ts';
import { deliverJob, fanOutStatusEvent } from '../../shared/use-cases/deliver.ts';
import { containerDeps } from '../../shared/wiring.ts';

const processor = new BatchProcessor(EventType.SQS);
let deps: ReturnType<typeof containerDeps> | undefined;

async function processRecord(record: SQSRecord): Promise<void> {
  deps ??= containerDeps();
  const message = feedbackMessageSchema.parse(JSON.parse(record.body));
  if (message.kind === 'status-event') await fanOutStatusEvent(deps, message);
  else await deliverJob(deps, message);
}

/** SQS feedback queue → fan status events out to webhooks, and deliver (sign, POST, retry) each one. */
export const handler = async (event: SQSEvent, context: Context) => {
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
