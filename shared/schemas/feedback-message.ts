import * as z from 'zod';
import { statusEventSchema } from './status-event.ts';

/** A delivery of one event to one webhook, on the feedback queue. */
export const deliveryJobSchema = z.object({
  kind: z.literal('delivery'),
  sandbox: z.string(),
  webhookId: z.string(),
  eventId: z.string(),
  /** The delivery's attempt number (1 for its first try); an attempt already logged is not repeated. */
  attempt: z.number().int().min(1),
  /** Position in the retry schedule (1-based); a resend or recovery starts the schedule again. */
  step: z.number().int().min(1),
  /** Not before this time (ms since epoch); SQS delays are at most 15 minutes, so long waits chain. */
  notBefore: z.number(),
  /** A manual resend or recovery: delivered again even if it was delivered before. */
  resend: z.boolean().optional(),
  /**
   * The event's run and message, so the delivery's log lines carry the ids the API call and its
   * dispatch logged (absent on resends and on jobs queued before they were added).
   */
  requestId: z.string().optional(),
  executionId: z.string().optional(),
  messageId: z.string().optional(),
});

export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

/** What the feedback queue carries: status events from dispatch, and delivery jobs (one per event × webhook). */
export const feedbackMessageSchema = z.discriminatedUnion('kind', [statusEventSchema, deliveryJobSchema]);
