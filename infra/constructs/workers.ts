import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import type { HeraldQueue } from './data.ts';
import { HeraldFunction } from './herald-function.ts';

export interface HeraldWorkersProps {
  readonly table: dynamodb.ITable;
  /** Every queue: workers consume theirs and may send to any (dispatch feeds feedback, …). */
  readonly queues: readonly HeraldQueue[];
}

/**
 * One function per queue whose definition names a worker, fed by an SQS event source that reports
 * partial batch failures, so one bad message is retried (and dead-lettered) alone.
 */
export class HeraldWorkers extends Construct {
  readonly functions: HeraldFunction[] = [];

  constructor(scope: Construct, id: string, props: HeraldWorkersProps) {
    super(scope, id);
    for (const { definition, queue } of props.queues) {
      if (!definition.worker) continue;
      const fn = new HeraldFunction(this, `${definition.name}-worker`, {
        entry: definition.worker,
        timeout: Duration.seconds(definition.workerTimeoutSeconds),
      });
      fn.bindTable(props.table, 'rw');
      for (const other of props.queues) fn.bindQueue(other.queue, other.definition.envVar);
      fn.function.addEventSource(
        new SqsEventSource(queue, {
          batchSize: definition.batchSize,
          maxBatchingWindow:
            definition.maxBatchingWindowSeconds > 0
              ? Duration.seconds(definition.maxBatchingWindowSeconds)
              : undefined,
          reportBatchItemFailures: true,
          maxConcurrency: definition.maxConcurrency,
        }),
      );
      this.functions.push(fn);
    }
  }
}
