import type { HeraldConfig } from '../../shared/config.ts';
import { type SqsJob, sqsWorker } from '../../shared/queue/sqs-worker.ts';
import { dispatchRoot } from '../../shared/roots/dispatch.ts';
import type { Clients } from '../../shared/roots/parts.ts';
import { dispatchJobSchema } from '../../shared/schemas/dispatch-job.ts';
import { createTelemetry } from '../../shared/telemetry.ts';
import { type DispatchDeps, dispatchJob } from '../../shared/use-cases/dispatch.ts';

/** A dispatch job: render and send its messages, record each status. */
export const dispatchWorker: SqsJob<typeof dispatchJobSchema, DispatchDeps> = {
  name: 'dispatch job',
  queue: 'dispatch',
  schema: dispatchJobSchema,
  process: dispatchJob,
};

/** SQS dispatch queue → render and send each job's messages; failed jobs are reported for retry. */
export function createHandler(config: HeraldConfig, clients?: Partial<Clients>) {
  const deps = dispatchRoot(config, clients);
  return sqsWorker({
    ...dispatchWorker,
    deps: () => deps,
    telemetry: createTelemetry(config, clients?.sinks),
  });
}
