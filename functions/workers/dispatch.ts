import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../../shared/logger.ts';
import { dispatchJobSchema } from '../../shared/schemas/dispatch-job.ts';
import { dispatchJob } from '../../shared/use-cases/dispatch.ts';
import { containerDeps } from '../../shared/wiring.ts';

const processor = new BatchProcessor(EventType.SQS);
let deps: ReturnType<typeof containerDeps> | undefined;

async function processRecord(record: SQSRecord): Promise<void> {
  deps ??= containerDeps();
  const job = dispatchJobSchema.parse(JSON.parse(record.body));
  await dispatchJob(deps, job);
}

/** SQS dispatch queue → render and send each job's messages; failed jobs are reported for retry. */
export const handler = async (event: SQSEvent, context: Context) => {
  // A batch whose every job failed is reported like any other, not thrown: the same retry, less noise.
  const response = await processPartialResponse(event, processRecord, processor, {
    context,
    throwOnFullBatchFailure: false,
  });
  if (response.batchItemFailures.length > 0) {
    logger.warn('dispatch jobs failed and will be retried', { failed: response.batchItemFailures.length });
  }
  return response;
};
