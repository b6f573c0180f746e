import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { HeraldConfig } from '../../shared/config.ts';
import { logger } from '../../shared/logger.ts';
import { dispatchRoot } from '../../shared/roots/dispatch.ts';
import type { Clients } from '../../shared/roots/parts.ts';
import { dispatchJobSchema } from '../../shared/schemas/dispatch-job.ts';
import { dispatchJob } from '../../shared/use-cases/dispatch.ts';

/** SQS dispatch queue → render and send each job's messages; failed jobs are reported for retry. */
export function createHandler(config: HeraldConfig, clients?: Partial<Clients>) {
  const deps = dispatchRoot(config, clients);
  const processor = new BatchProcessor(EventType.SQS);
  async function processRecord(record: SQSRecord): Promise<void> {
    const job = dispatchJobSchema.parse(JSON.parse(record.body));
    await dispatchJob(deps, job);
  }

  return async (event: SQSEvent, context: Context) => {
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
}
