import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { functionDefinitions } from '../../shared/definitions/functions.ts';
import { HeraldFunction, type HeraldFunctionData } from './herald-function.ts';

export type HeraldWorkersProps = HeraldFunctionData;

/**
 * One function per worker of the function table, fed by an SQS event source on the queue it
 * consumes that reports partial batch failures, so one bad message is retried (and dead-lettered)
 * alone. Each worker may send only to the queues its entry lists.
 */
export class HeraldWorkers extends Construct {
  readonly functions: HeraldFunction[] = [];

  constructor(scope: Construct, id: string, props: HeraldWorkersProps) {
    super(scope, id);
    for (const definition of functionDefinitions) {
      if (definition.kind !== 'worker') continue;
      const consumed = props.queues.find((q) => q.definition.name === definition.consumes);
      if (!consumed) continue;
      const queue = consumed.definition;
      const fn = new HeraldFunction(this, definition.name, {
        definition,
        data: props,
        timeout: Duration.seconds(queue.workerTimeoutSeconds),
      });
      fn.function.addEventSource(
        new SqsEventSource(consumed.queue, {
          batchSize: queue.batchSize,
          maxBatchingWindow:
            queue.maxBatchingWindowSeconds > 0 ? Duration.seconds(queue.maxBatchingWindowSeconds) : undefined,
          reportBatchItemFailures: true,
          maxConcurrency: queue.maxConcurrency,
        }),
      );
      this.functions.push(fn);
    }
  }
}
