import * as z from 'zod';
import type { FanoutJob, PendingJobs } from '../ports.ts';
import { dispatchJobSchema } from './dispatch-job.ts';

/** Parses a fanout job off the queue (or out of a claim's outbox). */
export const fanoutJobSchema = z.object({
  kind: z.literal('fanout'),
  sandbox: z.string(),
  executionId: z.string(),
  shard: z.number().int().min(0),
  cursor: z.string().optional(),
}) satisfies z.ZodType<FanoutJob>;

/** A claim's outbox as stored: the jobs it still has to queue. */
export const pendingJobsSchema = z.object({
  dispatch: z.array(dispatchJobSchema).optional(),
  fanout: z.array(fanoutJobSchema).optional(),
}) satisfies z.ZodType<PendingJobs>;
