import * as z from 'zod';
import { CHANNELS } from './campaign.ts';
import { isoDateTimeSchema, nameSchema, uuidSchema } from './common.ts';

/** Headers a webhook may not set: the transport's own, and the ones Herald signs and authenticates with. */
const RESERVED_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'content-type',
  'authorization',
  'user-agent',
]);

/**
 * What a header value can carry intact: tab, space and visible ASCII (RFC 9110 asks new fields to
 * keep to US-ASCII). Node's http throws ERR_INVALID_CHAR on control characters and on anything
 * past U+00FF, so such a value would fail every delivery; Latin-1 letters it does not refuse, but
 * it sends them as UTF-8 bytes that a receiver reads as Latin-1 (`é` arrives as `Ã©`).
 */
const HEADER_SAFE = /^[\t\x20-\x7e]*$/;
const HEADER_SAFE_MESSAGE =
  'must be printable ASCII (a header cannot carry control characters, and other characters arrive garbled)';
/** RFC 7617: credentials are sent as UTF-8 in base64, so any character but a control one goes. */
const NO_CONTROLS = /^\P{Cc}*$/u;

const headerName = z
  .string()
  .regex(
    /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/,
    "must be an HTTP header name (an RFC 7230 token: letters, digits and !#$%&'*+-.^_`|~)",
  )
  .refine(
    (name) => !RESERVED_HEADERS.has(name.toLowerCase()),
    'is set by Herald (transport, auth or content headers)',
  )
  .refine(
    (name) => !name.toLowerCase().startsWith('webhook-'),
    'is reserved for the Standard Webhooks signature headers',
  );

const headerValue = z.string().max(4_096).regex(HEADER_SAFE, HEADER_SAFE_MESSAGE);

export const webhookAuthSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('none') }),
    z.strictObject({
      type: z.literal('bearer'),
      token: z.string().min(1).max(4_096).regex(HEADER_SAFE, HEADER_SAFE_MESSAGE),
    }),
    z.strictObject({
      type: z.literal('basic'),
      username: z
        .string()
        .min(1)
        .max(256)
        .regex(NO_CONTROLS, 'must not contain control characters')
        .regex(/^[^:]*$/, 'must not contain a colon'),
      password: z.string().min(1).max(1_024).regex(NO_CONTROLS, 'must not contain control characters'),
    }),
  ])
  .meta({
    id: 'WebhookAuth',
    description: 'How Herald authenticates to the receiver. Credentials are never returned.',
  });
export type WebhookAuth = z.infer<typeof webhookAuthSchema>;

const definition = {
  name: nameSchema(100),
  url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2_048),
  channels: z
    .array(z.enum(CHANNELS))
    .min(1)
    .refine((c) => new Set(c).size === c.length, 'must not repeat a channel'),
  enabled: z.boolean(),
  auth: webhookAuthSchema,
  headers: z.record(headerName, headerValue).refine((h) => Object.keys(h).length <= 20, 'at most 20 headers'),
};

export const createWebhookSchema = z
  .strictObject({
    name: definition.name,
    url: definition.url,
    channels: definition.channels.optional(),
    enabled: definition.enabled.optional(),
    auth: definition.auth.optional(),
    headers: definition.headers.optional(),
  })
  .meta({ id: 'CreateWebhook' });
export type CreateWebhookInput = z.infer<typeof createWebhookSchema>;

export const patchWebhookSchema = createWebhookSchema.partial().meta({ id: 'PatchWebhook' });
export type PatchWebhookInput = z.infer<typeof patchWebhookSchema>;

export const webhookSchema = z
  .object({
    id: uuidSchema,
    name: z.string(),
    url: z.string(),
    channels: z.array(z.enum(CHANNELS)),
    enabled: z.boolean(),
    auth: z.object({ type: z.enum(['none', 'bearer', 'basic']) }),
    headers: z
      .array(z.string())
      .meta({ description: 'Names of the custom headers (values are not returned).' }),
    disabledReason: z.string().optional(),
    disabledAt: isoDateTimeSchema.optional(),
    failingSince: isoDateTimeSchema.optional(),
    createdAt: isoDateTimeSchema,
    modifiedAt: isoDateTimeSchema,
  })
  .meta({ id: 'Webhook' });
export type WebhookView = z.infer<typeof webhookSchema>;

export const createdWebhookSchema = webhookSchema
  .extend({
    secret: z.string().meta({ description: 'Signing secret (`whsec_…`). Shown only in this answer.' }),
  })
  .meta({ id: 'CreatedWebhook' });

export const rotatedSecretSchema = z
  .object({
    secret: z.string().meta({ description: 'The new signing secret, shown once.' }),
    previousSecretExpiresAt: isoDateTimeSchema.meta({
      description: 'Until then both secrets sign every delivery.',
    }),
  })
  .meta({ id: 'RotatedSecret' });

export const webhookIdParamsSchema = z.strictObject({ id: uuidSchema });
export const webhookEventParamsSchema = z.strictObject({
  id: uuidSchema,
  eventId: z.string().min(1).max(200),
});

export const attemptSchema = z
  .object({
    eventId: z.string(),
    attempt: z.number().int(),
    at: isoDateTimeSchema,
    outcome: z.enum(['delivered', 'failed']),
    statusCode: z.number().int().optional(),
    durationMs: z.number(),
    responseBody: z.string().optional().meta({ description: 'The first 1 KB of the answer.' }),
    error: z.string().optional(),
    nextAttemptAt: isoDateTimeSchema.optional(),
  })
  .meta({ id: 'DeliveryAttempt' });
export type AttemptView = z.infer<typeof attemptSchema>;

export const recoverSchema = z
  .strictObject({ since: isoDateTimeSchema, until: isoDateTimeSchema.optional() })
  .meta({ id: 'RecoverWebhook' });

/**
 * The reference system's `message.feedback` payload as its documentation gives it (fields without
 * a value are `null`, not absent), plus Herald's executionId, userId and timestamp.
 */
export const feedbackPayloadSchema = z
  .object({
    requestId: z.string(),
    imsOrg: z
      .string()
      .nullable()
      .meta({ description: "The deployment's `HERALD_IMS_ORG`; `null` when it sets none." }),
    sandbox: z.object({ id: z.string(), name: z.string() }),
    channel: z.enum(CHANNELS),
    eventType: z.literal('message.feedback'),
    channelContext: z
      .object({ profileAddress: z.string().nullable(), profileNumber: z.string().nullable() })
      .optional()
      .meta({ description: 'SMS only: the number the message went to (`null` when it had none).' }),
    messageExecution: z.object({
      messageExecutionID: z.string(),
      messageType: z.enum(['transactional', 'marketing']),
      campaignID: z.string(),
      campaignVersionID: z.string(),
      messageID: z.string(),
      messageProfileID: z
        .string()
        .nullable()
        .meta({ description: "The recipient's profile; `null` for external recipients." }),
      campaignType: z.literal('ApiTriggered'),
    }),
    messageDeliveryFeedback: z.object({
      feedbackStatus: z.object({ value: z.string() }),
      offers: z.null(),
      messageExclusion: z.object({ code: z.string(), reason: z.string().nullable() }).nullable(),
      messageFailure: z
        .object({ category: z.string(), type: z.string(), code: z.string(), reason: z.string().nullable() })
        .nullable(),
      retryCount: z.number().int(),
      encoding: z
        .enum(['GSM', 'UNICODE'])
        .nullable()
        .meta({ description: 'SMS: the alphabet the rendered text travels in.' }),
      numberOfMessageParts: z
        .string()
        .nullable()
        .meta({ description: 'SMS: how many parts the rendered text takes, as a string (as AJO sends it).' }),
      deliveryTimestamp: isoDateTimeSchema.nullable().meta({
        description: "When the provider reported the status; `null` for Herald's own (exclusions).",
      }),
    }),
    identityMap: z.record(z.string(), z.array(z.object({ id: z.string(), primary: z.boolean() }))),
    executionId: z.string(),
    userId: z.string(),
    timestamp: isoDateTimeSchema,
  })
  .meta({
    id: 'FeedbackEvent',
    description: 'The body Herald POSTs to feedback webhooks (signed per Standard Webhooks).',
  });
export type FeedbackPayload = z.infer<typeof feedbackPayloadSchema>;
