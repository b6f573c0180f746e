import { statusEventSchema } from './status-event.ts';
import * as z from './zod.ts';

/** A delivery of one event to one webhook, on the feedback queue. */
export const deliveryJobSchema = z.object({
  kind: z.literal('delivery'),
  sandbox: z.string(),
  webhookId: z.string(),
  eventId: z.string(),
  /** The delivery's attempt number (1 for its first try); an attempt already logged is not repeated. */
  attempt: z.int().check(z.gte(1)),
  /** Position in the retry schedule (1-based); a resend or recovery starts the schedule again. */
  step: z.int().check(z.gte(1)),
  /** Not before this time (ms since epoch); SQS delays are at most 15 minutes, so long waits chain. */
  notBefore: z.number(),
  /** A manual resend or recovery: delivered again even if it was delivered before. */
  resend: z.optional(z.boolean()),
  /**
   * The event's run and message, so the delivery's log lines carry the ids the API call and its
   * dispatch logged (absent on resends and on jobs queued before they were added).
   */
  requestId: z.optional(z.string()),
  executionId: z.optional(z.string()),
  messageId: z.optional(z.string()),
});

export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

/** What the feedback queue carries: status events from dispatch, and delivery jobs (one per event × webhook). */
export const feedbackMessageSchema = z.discriminatedUnion('kind', [statusEventSchema, deliveryJobSchema]);
