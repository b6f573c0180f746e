import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../../shared/logger.ts';
import { fanoutJobSchema } from '../../shared/schemas/fanout-job.ts';
import { fanOutPage } from '../../shared/use-cases/fanout.ts';
import { containerDeps } from '../../shared/wiring.ts';

const processor = new BatchProcessor(EventType.SQS);
let deps: ReturnType<typeof containerDeps> | undefined;

async function processRecord(record: SQSRecord): Promise<void> {
  deps ??= containerDeps();
  await fanOutPage(deps, fanoutJobSchema.parse(JSON.parse(record.body)));
}

/** SQS fanout queue → one page of an audience run per job: decide, reserve send slots, queue dispatch. */
export const handler = async (event: SQSEvent, context: Context) => {
  const response = await processPartialResponse(event, processRecord, processor, {
    context,
    throwOnFullBatchFailure: false,
  });
  if (response.batchItemFailures.length > 0) {
    logger.warn('fanout pages failed and will be retried', { failed: response.batchItemFailures.length });
  }
  return response;
};
