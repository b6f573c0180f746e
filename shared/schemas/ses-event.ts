import * as z from './zod.ts';

/**
 * Amazon SES event publishing documents (configuration set event destinations), as SES documents
 * them in "Contents of event data that Amazon SES publishes to Amazon SNS". Only the fields Herald
 * reads are declared; the rest is stripped. Fields SES may leave out are optional, so a document
 * with fewer details still maps (with less said about it), and a document that is not one at all
 * fails to parse and is reported as unknown by domain/ses-events.ts.
 */

const recipientsOf = <T extends z.core.$ZodShape>(shape: T) =>
  z.array(z.object({ emailAddress: z.string(), ...shape }));

export const sesMailSchema = z.object({
  timestamp: z.optional(z.string()),
  /** SES's own message id (what SendEmail answered). */
  messageId: z.string(),
  source: z.optional(z.string()),
  destination: z._default(z.array(z.string()), []),
  /** Tag name → values: SES's own (`ses:configuration-set`…) and the message's EmailTags. */
  tags: z._default(z.record(z.string(), z.array(z.string())), {}),
});

export const sesBounceSchema = z.object({
  bounceType: z.string(),
  bounceSubType: z.optional(z.string()),
  bouncedRecipients: z._default(
    recipientsOf({
      action: z.optional(z.string()),
      status: z.optional(z.string()),
      diagnosticCode: z.optional(z.string()),
    }),
    [],
  ),
  timestamp: z.optional(z.string()),
  feedbackId: z.optional(z.string()),
  reportingMTA: z.optional(z.string()),
});

export const sesComplaintSchema = z.object({
  complainedRecipients: z._default(recipientsOf({}), []),
  timestamp: z.optional(z.string()),
  feedbackId: z.optional(z.string()),
  complaintSubType: z.optional(z.nullable(z.string())),
  complaintFeedbackType: z.optional(z.string()),
  userAgent: z.optional(z.string()),
  arrivalDate: z.optional(z.string()),
});

export const sesDeliverySchema = z.object({
  timestamp: z.optional(z.string()),
  processingTimeMillis: z.optional(z.number()),
  recipients: z._default(z.array(z.string()), []),
  smtpResponse: z.optional(z.string()),
  reportingMTA: z.optional(z.string()),
});

export const sesDeliveryDelaySchema = z.object({
  timestamp: z.optional(z.string()),
  delayType: z.string(),
  expirationTime: z.optional(z.string()),
  reportingMTA: z.optional(z.string()),
  delayedRecipients: z._default(
    recipientsOf({
      status: z.optional(z.string()),
      diagnosticCode: z.optional(z.string()),
    }),
    [],
  ),
});

export const sesRejectSchema = z.object({ reason: z.optional(z.string()) });
export const sesFailureSchema = z.object({
  errorMessage: z.optional(z.string()),
  templateName: z.optional(z.string()),
});

const base = { mail: sesMailSchema };

/** One SES event document. Open, Click and Subscription are read only far enough to be ignored. */
export const sesEventSchema = z.discriminatedUnion('eventType', [
  z.object({ eventType: z.literal('Send'), ...base, send: z.optional(z.object({})) }),
  z.object({ eventType: z.literal('Delivery'), ...base, delivery: sesDeliverySchema }),
  z.object({ eventType: z.literal('Bounce'), ...base, bounce: sesBounceSchema }),
  z.object({ eventType: z.literal('Complaint'), ...base, complaint: sesComplaintSchema }),
  z.object({ eventType: z.literal('Reject'), ...base, reject: sesRejectSchema }),
  z.object({ eventType: z.literal('Rendering Failure'), ...base, failure: sesFailureSchema }),
  z.object({ eventType: z.literal('DeliveryDelay'), ...base, deliveryDelay: sesDeliveryDelaySchema }),
  z.object({ eventType: z.enum(['Open', 'Click', 'Subscription']), ...base }),
]);
export type SesEvent = z.infer<typeof sesEventSchema>;

/** An SNS notification as SQS receives it without raw message delivery: the document is a string. */
export const snsEnvelopeSchema = z.object({
  Type: z.literal('Notification'),
  MessageId: z.optional(z.string()),
  TopicArn: z.optional(z.string()),
  Message: z.string(),
});

/** An EventBridge event as an SQS target receives it: the document is `detail`. */
export const eventBridgeEnvelopeSchema = z.object({
  source: z.literal('aws.ses'),
  'detail-type': z.optional(z.string()),
  id: z.optional(z.string()),
  detail: z.unknown(),
});
