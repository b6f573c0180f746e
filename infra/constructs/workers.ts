import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { functionDefinitions } from '../../shared/definitions/functions.ts';
import { HeraldFunction, type HeraldFunctionData } from './herald-function.ts';

export interface HeraldWorkersProps extends HeraldFunctionData {
  /**
   * Reserve each worker its queue's `maxConcurrency` (context `reserveWorkerConcurrency`). The
   * event source's maximum concurrency only caps a worker; it guarantees nothing, so a burst of
   * API traffic could take the account's whole unreserved pool and throttle the workers. Reserved
   * concurrency sets that many aside for the worker alone (186 in all for the four queues; Lambda
   * keeps 100 unreserved, so it needs an account concurrency quota of 286 or more: the default is
   * 1,000). Equal to the maximum concurrency, the event source is never throttled by its own cap.
   * @default true
   */
  readonly reserveConcurrency?: boolean;
}

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
        ...((props.reserveConcurrency ?? true) ? { reservedConcurrency: queue.maxConcurrency } : {}),
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
