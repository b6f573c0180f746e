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
});

export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

/** What the feedback queue carries: status events from dispatch, and delivery jobs (one per event × webhook). */
export const feedbackMessageSchema = z.discriminatedUnion('kind', [statusEventSchema, deliveryJobSchema]);
