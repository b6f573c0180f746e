import * as z from './zod.ts';

/**
 * An SMS a person sent to one of the account's numbers, as AWS End User Messaging SMS publishes it
 * to the number's two-way SNS topic ("Example of a two-way SMS message payload for Amazon SNS
 * topics"). Only the fields Herald reads; a document without them is not one.
 */
export const inboundSmsSchema = z.object({
  /** The person's number (who texted). */
  originationNumber: z.string(),
  /** The account's number (texted to). */
  destinationNumber: z.string(),
  /** The registered keyword the message matched, when it matched one. */
  messageKeyword: z.optional(z.string()),
  messageBody: z.string(),
  inboundMessageId: z.optional(z.string()),
});
export type InboundSms = z.infer<typeof inboundSmsSchema>;
