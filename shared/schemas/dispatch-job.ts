import * as z from 'zod';
import type { DispatchJob } from '../ports.ts';
import { contentSchema } from './campaign.ts';
import { channelDataSchema } from './execution.ts';
import { runFields } from './run-fields.ts';

/** Parses a dispatch job off the queue: a malformed one fails (and ends in the DLQ), never half-runs. */
export const dispatchJobSchema: z.ZodType<DispatchJob> = z.object({
  kind: z.enum(['unitary', 'audience']),
  ...runFields,
  enableWebhooks: z.boolean(),
  content: contentSchema,
  context: z.record(z.string(), z.unknown()).optional(),
  recipients: z.array(
    z.object({
      messageId: z.string(),
      userId: z.string(),
      namespace: z.string(),
      profileId: z.string().optional(),
      shard: z.number().int().optional(),
      channelData: channelDataSchema.optional(),
      profile: z.record(z.string(), z.unknown()).optional(),
      context: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
});
