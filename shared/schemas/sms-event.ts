import * as z from './zod.ts';

/**
 * An AWS End User Messaging SMS event, as its configuration set's event destination publishes it
 * ("Messaging Events", SMS example log; the `detail` of an EventBridge "Text Message Delivery
 * Status Updated" event is the same document). Only the fields Herald reads.
 */
export const smsVoiceEventSchema = z.object({
  eventType: z.string().check(z.regex(/^TEXT_[A-Z_]+$/)),
  eventTimestamp: z.optional(z.number()),
  messageId: z.string(),
  destinationPhoneNumber: z.optional(z.string()),
  messageStatus: z.optional(z.string()),
  messageStatusDescription: z.optional(z.string()),
  isFinal: z.optional(z.boolean()),
  totalMessageParts: z.optional(z.number()),
  /** The Context the message was sent with: Herald's sandbox, execution and message. */
  context: z._default(z.record(z.string(), z.string()), {}),
});
export type SmsVoiceEvent = z.infer<typeof smsVoiceEventSchema>;
