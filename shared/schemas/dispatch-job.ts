import { contentSchema } from './campaign.ts';
import { channelDataSchema } from './execution.ts';
import { runFields } from './run-fields.ts';
import * as z from './zod.ts';

/**
 * A job for the dispatch worker: one execution's recipients (a unitary call is one job). Parsed
 * off the queue with this schema: a malformed one fails (and ends in the DLQ), never half-runs.
 */
export const dispatchJobSchema = z.object({
  kind: z.enum(['unitary', 'audience']),
  ...runFields,
  enableWebhooks: z.boolean(),
  /**
   * The job of a high-throughput call: the dispatcher writes its execution and messages first
   * (once: a repeat of the call, or of the job, finds them), then sends as for any other job.
   */
  highThroughput: z.optional(
    z.object({ createdAt: z.string(), createdBy: z.string(), bodyHash: z.string() }),
  ),
  /** A transactional email campaign that asked for the unsubscribe link (marketing always has it). */
  unsubscribeLink: z.optional(z.boolean()),
  /** The campaign's channel configuration; absent: the sandbox's default for the channel. */
  channelConfigurationId: z.optional(z.string()),
  /** Push: the campaign's app (its configuration's platform application for the device's platform). */
  appId: z.optional(z.string()),
  /** SMS: a rendered message needing more parts than this is excluded (the campaign's smsMaxParts). */
  smsMaxParts: z.optional(z.int()),
  /** Sends tried so far for these recipients after a provider's "not now" (0 or absent: none). */
  attempt: z.optional(z.int().check(z.gte(0))),
  /** A test send: its status changes are recorded but counted in no metric. */
  test: z.optional(z.literal(true)),
  content: contentSchema,
  /** Context shared by every recipient (audience executions); a recipient's own context wins. */
  context: z.optional(z.record(z.string(), z.unknown())),
  recipients: z.array(
    z.object({
      messageId: z.string(),
      userId: z.string(),
      namespace: z.string(),
      profileId: z.optional(z.string()),
      shard: z.optional(z.int()),
      channelData: z.optional(channelDataSchema),
      profile: z.optional(z.record(z.string(), z.unknown())),
      context: z.optional(z.record(z.string(), z.unknown())),
    }),
  ),
});

export type DispatchJob = z.infer<typeof dispatchJobSchema>;
