import * as z from 'zod';

/**
 * An AWS End User Messaging SMS event, as its configuration set's event destination publishes it
 * ("Messaging Events", SMS example log; the `detail` of an EventBridge "Text Message Delivery
 * Status Updated" event is the same document). Only the fields Herald reads.
 */
export const smsVoiceEventSchema = z.object({
  eventType: z.string().regex(/^TEXT_[A-Z_]+$/),
  eventTimestamp: z.number().optional(),
  messageId: z.string(),
  destinationPhoneNumber: z.string().optional(),
  messageStatus: z.string().optional(),
  messageStatusDescription: z.string().optional(),
  isFinal: z.boolean().optional(),
  totalMessageParts: z.number().optional(),
  /** The Context the message was sent with: Herald's sandbox, execution and message. */
  context: z.record(z.string(), z.string()).default({}),
});
export type SmsVoiceEvent = z.infer<typeof smsVoiceEventSchema>;
