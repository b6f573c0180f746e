import { CHANNELS } from './campaign.ts';
import { isoDateTimeSchema, nameSchema, uuidSchema } from './common.ts';
import * as z from './zod.ts';

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

const headerName = z.string().check(
  z.regex(
    /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/,
    "must be an HTTP header name (an RFC 7230 token: letters, digits and !#$%&'*+-.^_`|~)",
  ),
  z.refine(
    (name) => !RESERVED_HEADERS.has(name.toLowerCase()),
    'is set by Herald (transport, auth or content headers)',
  ),
  z.refine(
    (name) => !name.toLowerCase().startsWith('webhook-'),
    'is reserved for the Standard Webhooks signature headers',
  ),
);

const headerValue = z.string().check(z.maxLength(4_096), z.regex(HEADER_SAFE, HEADER_SAFE_MESSAGE));

export const webhookAuthSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('none') }),
    z.strictObject({
      type: z.literal('bearer'),
      token: z.string().check(z.minLength(1), z.maxLength(4_096), z.regex(HEADER_SAFE, HEADER_SAFE_MESSAGE)),
    }),
    z.strictObject({
      type: z.literal('basic'),
      username: z
        .string()
        .check(
          z.minLength(1),
          z.maxLength(256),
          z.regex(NO_CONTROLS, 'must not contain control characters'),
          z.regex(/^[^:]*$/, 'must not contain a colon'),
        ),
      password: z
        .string()
        .check(
          z.minLength(1),
          z.maxLength(1_024),
          z.regex(NO_CONTROLS, 'must not contain control characters'),
        ),
    }),
  ])
  .check(
    z.meta({
      id: 'WebhookAuth',
      description: 'How Herald authenticates to the receiver. Credentials are never returned.',
    }),
  );
export type WebhookAuth = z.infer<typeof webhookAuthSchema>;

const definition = {
  name: nameSchema(100),
  url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).check(z.maxLength(2_048)),
  channels: z.array(z.enum(CHANNELS)).check(
    z.minLength(1),
    z.refine((c) => new Set(c).size === c.length, 'must not repeat a channel'),
  ),
  enabled: z.boolean(),
  auth: webhookAuthSchema,
  headers: z
    .record(headerName, headerValue)
    .check(z.refine((h) => Object.keys(h).length <= 20, 'at most 20 headers')),
};

export const createWebhookSchema = z
  .strictObject({
    name: definition.name,
    url: definition.url,
    channels: z.optional(definition.channels),
    enabled: z.optional(definition.enabled),
    auth: z.optional(definition.auth),
    headers: z.optional(definition.headers),
  })
  .register(z.globalRegistry, { id: 'CreateWebhook' });
export type CreateWebhookInput = z.infer<typeof createWebhookSchema>;

export const patchWebhookSchema = z
  .partial(createWebhookSchema)
  .register(z.globalRegistry, { id: 'PatchWebhook' });
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
      .check(z.meta({ description: 'Names of the custom headers (values are not returned).' })),
    disabledReason: z.optional(z.string()),
    disabledAt: z.optional(isoDateTimeSchema),
    failingSince: z.optional(isoDateTimeSchema),
    createdAt: isoDateTimeSchema,
    modifiedAt: isoDateTimeSchema,
  })
  .register(z.globalRegistry, { id: 'Webhook' });
export type WebhookView = z.infer<typeof webhookSchema>;

export const createdWebhookSchema = z
  .extend(webhookSchema, {
    secret: z
      .string()
      .check(z.meta({ description: 'Signing secret (`whsec_…`). Shown only in this answer.' })),
  })
  .register(z.globalRegistry, { id: 'CreatedWebhook' });

export const rotatedSecretSchema = z
  .object({
    secret: z.string().check(z.meta({ description: 'The new signing secret, shown once.' })),
    previousSecretExpiresAt: isoDateTimeSchema.check(
      z.meta({
        description: 'Until then both secrets sign every delivery.',
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'RotatedSecret' });

export const webhookIdParamsSchema = z.strictObject({ id: uuidSchema });
export const webhookEventParamsSchema = z.strictObject({
  id: uuidSchema,
  eventId: z.string().check(z.minLength(1), z.maxLength(200)),
});

export const attemptSchema = z
  .object({
    eventId: z.string(),
    attempt: z.int(),
    at: isoDateTimeSchema,
    outcome: z.enum(['delivered', 'failed']),
    statusCode: z.optional(z.int()),
    durationMs: z.number(),
    responseBody: z.optional(z.string()).check(z.meta({ description: 'The first 1 KB of the answer.' })),
    error: z.optional(z.string()),
    nextAttemptAt: z.optional(isoDateTimeSchema),
  })
  .register(z.globalRegistry, { id: 'DeliveryAttempt' });
export type AttemptView = z.infer<typeof attemptSchema>;

export const recoverSchema = z
  .strictObject({ since: isoDateTimeSchema, until: z.optional(isoDateTimeSchema) })
  .register(z.globalRegistry, { id: 'RecoverWebhook' });

/**
 * The reference system's `message.feedback` payload as its documentation gives it (fields without
 * a value are `null`, not absent), plus Herald's executionId, userId and timestamp.
 */
export const feedbackPayloadSchema = z
  .object({
    requestId: z.string(),
    imsOrg: z
      .nullable(z.string())
      .check(z.meta({ description: "The deployment's `HERALD_IMS_ORG`; `null` when it sets none." })),
    sandbox: z.object({ id: z.string(), name: z.string() }),
    channel: z.enum(CHANNELS),
    eventType: z.literal('message.feedback'),
    channelContext: z
      .optional(z.object({ profileAddress: z.nullable(z.string()), profileNumber: z.nullable(z.string()) }))
      .check(z.meta({ description: 'SMS only: the number the message went to (`null` when it had none).' })),
    messageExecution: z.object({
      messageExecutionID: z.string(),
      messageType: z.enum(['transactional', 'marketing']),
      campaignID: z.string(),
      campaignVersionID: z.string(),
      messageID: z.string(),
      messageProfileID: z
        .nullable(z.string())
        .check(z.meta({ description: "The recipient's profile; `null` for external recipients." })),
      campaignType: z.literal('ApiTriggered'),
    }),
    messageDeliveryFeedback: z.object({
      feedbackStatus: z.object({ value: z.string() }),
      offers: z.null(),
      messageExclusion: z.nullable(z.object({ code: z.string(), reason: z.nullable(z.string()) })),
      messageFailure: z.nullable(
        z.object({
          category: z.string(),
          type: z.string(),
          code: z.string(),
          reason: z.nullable(z.string()),
        }),
      ),
      retryCount: z.int(),
      encoding: z
        .nullable(z.enum(['GSM', 'UNICODE']))
        .check(z.meta({ description: 'SMS: the alphabet the rendered text travels in.' })),
      numberOfMessageParts: z.nullable(z.string()).check(
        z.meta({
          description: 'SMS: how many parts the rendered text takes, as a string (as AJO sends it).',
        }),
      ),
      deliveryTimestamp: z.nullable(isoDateTimeSchema).check(
        z.meta({
          description: "When the provider reported the status; `null` for Herald's own (exclusions).",
        }),
      ),
    }),
    identityMap: z.record(z.string(), z.array(z.object({ id: z.string(), primary: z.boolean() }))),
    executionId: z.string(),
    userId: z.string(),
    timestamp: isoDateTimeSchema,
  })
  .register(z.globalRegistry, {
    id: 'FeedbackEvent',
    description: 'The body Herald POSTs to feedback webhooks (signed per Standard Webhooks).',
  });
export type FeedbackPayload = z.infer<typeof feedbackPayloadSchema>;
