import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { HeraldConfig } from '../../shared/config.ts';
import { logger } from '../../shared/logger.ts';
import { fanoutRoot } from '../../shared/roots/fanout.ts';
import type { Clients } from '../../shared/roots/parts.ts';
import { fanoutJobSchema } from '../../shared/schemas/fanout-job.ts';
import { fanOutPage } from '../../shared/use-cases/fanout.ts';

/** SQS fanout queue → one page of an audience run per job: decide, reserve send slots, queue dispatch. */
export function createHandler(config: HeraldConfig, clients?: Partial<Clients>) {
  const deps = fanoutRoot(config, clients);
  const processor = new BatchProcessor(EventType.SQS);
  async function processRecord(record: SQSRecord): Promise<void> {
    await fanOutPage(deps, fanoutJobSchema.parse(JSON.parse(record.body)));
  }

  return async (event: SQSEvent, context: Context) => {
    const response = await processPartialResponse(event, processRecord, processor, {
      context,
      throwOnFullBatchFailure: false,
    });
    if (response.batchItemFailures.length > 0) {
      logger.warn('fanout pages failed and will be retried', { failed: response.batchItemFailures.length });
    }
    return response;
  };
}
