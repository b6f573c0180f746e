import type { HeraldConfig } from '../../shared/config.ts';
import { type SqsJob, sqsWorker } from '../../shared/queue/sqs-worker.ts';
import { fanoutRoot } from '../../shared/roots/fanout.ts';
import type { Clients } from '../../shared/roots/parts.ts';
import { fanoutJobSchema } from '../../shared/schemas/fanout-job.ts';
import { createTelemetry } from '../../shared/telemetry.ts';
import { type FanoutDeps, fanOutPage } from '../../shared/use-cases/fanout.ts';

/** A fanout job: one page of an audience run. */
export const fanoutWorker: SqsJob<typeof fanoutJobSchema, FanoutDeps> = {
  name: 'fanout page',
  queue: 'fanout',
  schema: fanoutJobSchema,
  process: fanOutPage,
};

/** SQS fanout queue → one page of an audience run per job: decide, reserve send slots, queue dispatch. */
export function createHandler(config: HeraldConfig, clients?: Partial<Clients>) {
  const deps = fanoutRoot(config, clients);
  return sqsWorker({ ...fanoutWorker, deps: () => deps, telemetry: createTelemetry(config, clients?.sinks) });
}
