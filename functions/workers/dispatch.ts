import { type SqsJob, sqsWorker } from '../../shared/queue/sqs-worker.ts';
import { dispatchJobSchema } from '../../shared/schemas/dispatch-job.ts';
import { type DispatchDeps, dispatchJob } from '../../shared/use-cases/dispatch.ts';
import { containerDeps } from '../../shared/wiring.ts';

/** A dispatch job: render and send its messages, record each status. */
export const dispatchWorker: SqsJob<typeof dispatchJobSchema, DispatchDeps> = {
  name: 'dispatch job',
  schema: dispatchJobSchema,
  process: dispatchJob,
};

/** SQS dispatch queue → render and send each job's messages; failed jobs are reported for retry. */
export const handler = sqsWorker({ ...dispatchWorker, deps: containerDeps });
