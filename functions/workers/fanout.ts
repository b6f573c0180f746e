import { type SqsJob, sqsWorker } from '../../shared/queue/sqs-worker.ts';
import { fanoutJobSchema } from '../../shared/schemas/fanout-job.ts';
import { type FanoutDeps, fanOutPage } from '../../shared/use-cases/fanout.ts';
import { containerDeps } from '../../shared/wiring.ts';

/** A fanout job: one page of an audience run. */
export const fanoutWorker: SqsJob<typeof fanoutJobSchema, FanoutDeps> = {
  name: 'fanout page',
  schema: fanoutJobSchema,
  process: fanOutPage,
};

/** SQS fanout queue → one page of an audience run per job: decide, reserve send slots, queue dispatch. */
export const handler = sqsWorker({ ...fanoutWorker, deps: containerDeps });
