import * as z from 'zod';
import type { DeliveryJob } from '../ports.ts';
import { statusEventSchema } from './status-event.ts';

export const deliveryJobSchema = z.object({
  kind: z.literal('delivery'),
  sandbox: z.string(),
  webhookId: z.string(),
  eventId: z.string(),
  attempt: z.number().int().min(1),
  step: z.number().int().min(1),
  notBefore: z.number(),
  resend: z.boolean().optional(),
}) satisfies z.ZodType<DeliveryJob>;

/** What the feedback queue carries: status events from dispatch, and delivery jobs (one per event × webhook). */
export const feedbackMessageSchema = z.discriminatedUnion('kind', [statusEventSchema, deliveryJobSchema]);
