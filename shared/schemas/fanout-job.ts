import { dispatchJobSchema } from './dispatch-job.ts';
import * as z from './zod.ts';

/** A page of an audience run for the fanout worker: one shard, from a cursor. Parsed off the queue (or out of a claim's outbox). */
export const fanoutJobSchema = z.object({
  kind: z.literal('fanout'),
  sandbox: z.string(),
  executionId: z.string(),
  shard: z.int().check(z.gte(0)),
  cursor: z.optional(z.string()),
});

export type FanoutJob = z.infer<typeof fanoutJobSchema>;

/** A claim's outbox as stored: the jobs it still has to queue. */
export const pendingJobsSchema = z.object({
  dispatch: z.optional(z.array(dispatchJobSchema)),
  fanout: z.optional(z.array(fanoutJobSchema)),
});

/** Jobs a claim still has to queue. */
export type PendingJobs = z.infer<typeof pendingJobsSchema>;
