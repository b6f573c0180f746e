import * as z from 'zod';

/**
 * Amazon SES event publishing documents (configuration set event destinations), as SES documents
 * them in "Contents of event data that Amazon SES publishes to Amazon SNS". Only the fields Herald
 * reads are declared; the rest is stripped. Fields SES may leave out are optional, so a document
 * with fewer details still maps (with less said about it), and a document that is not one at all
 * fails to parse and is reported as unknown by domain/ses-events.ts.
 */

const recipientsOf = <T extends z.ZodRawShape>(shape: T) =>
  z.array(z.object({ emailAddress: z.string(), ...shape }));

export const sesMailSchema = z.object({
  timestamp: z.string().optional(),
  /** SES's own message id (what SendEmail answered). */
  messageId: z.string(),
  source: z.string().optional(),
  destination: z.array(z.string()).default([]),
  /** Tag name → values: SES's own (`ses:configuration-set`…) and the message's EmailTags. */
  tags: z.record(z.string(), z.array(z.string())).default({}),
});

export const sesBounceSchema = z.object({
  bounceType: z.string(),
  bounceSubType: z.string().optional(),
  bouncedRecipients: recipientsOf({
    action: z.string().optional(),
    status: z.string().optional(),
    diagnosticCode: z.string().optional(),
  }).default([]),
  timestamp: z.string().optional(),
  feedbackId: z.string().optional(),
  reportingMTA: z.string().optional(),
});

export const sesComplaintSchema = z.object({
  complainedRecipients: recipientsOf({}).default([]),
  timestamp: z.string().optional(),
  feedbackId: z.string().optional(),
  complaintSubType: z.string().nullable().optional(),
  complaintFeedbackType: z.string().optional(),
  userAgent: z.string().optional(),
  arrivalDate: z.string().optional(),
});

export const sesDeliverySchema = z.object({
  timestamp: z.string().optional(),
  processingTimeMillis: z.number().optional(),
  recipients: z.array(z.string()).default([]),
  smtpResponse: z.string().optional(),
  reportingMTA: z.string().optional(),
});

export const sesDeliveryDelaySchema = z.object({
  timestamp: z.string().optional(),
  delayType: z.string(),
  expirationTime: z.string().optional(),
  reportingMTA: z.string().optional(),
  delayedRecipients: recipientsOf({
    status: z.string().optional(),
    diagnosticCode: z.string().optional(),
  }).default([]),
});

export const sesRejectSchema = z.object({ reason: z.string().optional() });
export const sesFailureSchema = z.object({
  errorMessage: z.string().optional(),
  templateName: z.string().optional(),
});

const base = { mail: sesMailSchema };

/** One SES event document. Open, Click and Subscription are read only far enough to be ignored. */
export const sesEventSchema = z.discriminatedUnion('eventType', [
  z.object({ eventType: z.literal('Send'), ...base, send: z.object({}).optional() }),
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
  MessageId: z.string().optional(),
  TopicArn: z.string().optional(),
  Message: z.string(),
});

/** An EventBridge event as an SQS target receives it: the document is `detail`. */
export const eventBridgeEnvelopeSchema = z.object({
  source: z.literal('aws.ses'),
  'detail-type': z.string().optional(),
  id: z.string().optional(),
  detail: z.unknown(),
});
