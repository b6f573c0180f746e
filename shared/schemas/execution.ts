import { isoDateTimeSchema, namespaceCodeSchema, uuidSchema } from './common.ts';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from './limits.ts';
import * as z from './zod.ts';

/** The `Idempotency-Key` header: it becomes part of a DynamoDB key, so it is short and plain. */
export const idempotencyKeySchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(MAX_IDEMPOTENCY_KEY_LENGTH),
    z.regex(/^[\x21-\x7e]+$/, 'must be visible ASCII characters (no spaces or controls)'),
  );

export const pushInfoSchema = z.strictObject({
  appID: z.optional(z.string().check(z.maxLength(256))),
  platform: z.optional(z.enum(['apns', 'apnsSandbox', 'fcm', 'ios', 'android'])),
  token: z.string().check(z.minLength(1), z.maxLength(4096)),
});
export type PushInfo = z.infer<typeof pushInfoSchema>;

export const channelDataSchema = z
  .strictObject({
    emailAddress: z.optional(z.string().check(z.maxLength(320))),
    mobilePhoneNumber: z.optional(z.string().check(z.maxLength(32))),
    pushInfo: z.optional(pushInfoSchema),
  })
  .register(z.globalRegistry, { description: 'Where to send, overriding the address on the profile.' });
export type ChannelData = z.infer<typeof channelDataSchema>;

const jsonObject = z.record(z.string(), z.unknown());

/** What both kinds of recipient carry. */
const recipientFields = {
  userId: z.string().check(z.minLength(1), z.maxLength(256)),
  namespace: namespaceCodeSchema,
  channelData: z.optional(channelDataSchema),
  profile: z.optional(jsonObject).check(
    z.meta({
      description: 'Attributes used for this message only (over the stored profile); never stored.',
    }),
  ),
  context: z
    .optional(jsonObject)
    .check(z.meta({ description: 'Values for `{{context.*}}`; used once, never stored.' })),
};

/** AJO names a merge policy per recipient; Herald has one profile per person, so there is none to pick. */
const mergePolicyField = z.optional(z.string().check(z.maxLength(256))).check(
  z.meta({
    description: "Accepted for AJO clients and ignored: Herald's profiles have no merge policies.",
  }),
);

export const aepRecipientSchema = z
  .strictObject({
    type: z.literal('aep'),
    ...recipientFields,
    mergePolicyName: mergePolicyField,
    mergePolicySchema: mergePolicyField,
  })
  .register(z.globalRegistry, {
    id: 'AepRecipient',
    description: "A person Herald knows (or creates, with the campaign's createNewProfiles), by identity.",
  });

export const externalRecipientSchema = z
  .strictObject({ type: z.literal('external'), ...recipientFields })
  .register(z.globalRegistry, {
    id: 'ExternalRecipient',
    description:
      "Someone addressed by the call alone: the address comes from channelData (or the userId when its namespace is the channel's, email or phone); no profile is read or created, and `{{profile.*}}` comes only from the call's `profile`.",
  });

export const unitaryRecipientSchema = z
  .discriminatedUnion('type', [aepRecipientSchema, externalRecipientSchema])
  .check(z.meta({ id: 'UnitaryRecipient' }));
export type UnitaryRecipient = z.infer<typeof unitaryRecipientSchema>;

/** The count rule has its own problem type, so it is checked after parsing rather than by zod. */
export const unitaryExecutionSchema = z
  .strictObject({
    requestId: z.string().check(z.minLength(1), z.maxLength(128)),
    campaignId: uuidSchema,
    recipients: z.array(unitaryRecipientSchema),
  })
  .register(z.globalRegistry, { id: 'UnitaryExecutionRequest' });
export type UnitaryExecutionInput = z.infer<typeof unitaryExecutionSchema>;

/**
 * A recipient of a high-throughput call: addressed by the call alone (no profile is read), so only
 * `external`, with the address in `channelData`; `namespace` defaults to the campaign's.
 */
export const highThroughputRecipientSchema = z
  .strictObject({
    type: z.literal('external', {
      error: 'must be external: high-throughput calls read no profile, so recipients of type aep are refused',
    }),
    userId: recipientFields.userId,
    namespace: z
      .optional(namespaceCodeSchema)
      .check(z.meta({ description: "The campaign's identity namespace when left out." })),
    channelData: channelDataSchema,
    context: recipientFields.context,
  })
  .register(z.globalRegistry, { id: 'HighThroughputRecipient' });

export const highThroughputExecutionSchema = z
  .strictObject({
    requestId: z.string().check(z.minLength(1), z.maxLength(128)),
    campaignId: uuidSchema,
    recipients: z.array(highThroughputRecipientSchema),
  })
  .register(z.globalRegistry, { id: 'HighThroughputExecutionRequest' });
export type HighThroughputExecutionInput = z.infer<typeof highThroughputExecutionSchema>;

export const executionAcceptedSchema = z
  .object({
    executionId: uuidSchema,
    requestId: z.string(),
    createdAt: isoDateTimeSchema,
    createdBy: z.string(),
    modifiedAt: isoDateTimeSchema,
    modifiedBy: z.string(),
  })
  .register(z.globalRegistry, { id: 'ExecutionAccepted' });
export type ExecutionAccepted = z.infer<typeof executionAcceptedSchema>;

export const MESSAGE_STATUSES = [
  'queued',
  'sent',
  'delivered',
  'bounce',
  'complaint',
  'error',
  'exclude',
  /** Not delivered yet: the provider is retrying (a transient bounce, a delivery delay), or Herald is (a 4xx or a throttling answer). */
  'delay',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const statusChangeSchema = z.object({
  status: z.enum(MESSAGE_STATUSES),
  at: isoDateTimeSchema,
  code: z.optional(z.string()),
  reason: z.optional(z.string()),
});
export type StatusChange = z.infer<typeof statusChangeSchema>;

export const messageSummarySchema = z
  .object({
    messageId: uuidSchema,
    userId: z.string(),
    namespace: z.string(),
    profileId: z.optional(z.string()),
    status: z.enum(MESSAGE_STATUSES),
    statusCode: z.optional(z.string()),
    history: z.array(statusChangeSchema),
    missingVariables: z.optional(z.array(z.string())),
    encoding: z
      .optional(z.enum(['GSM', 'UNICODE']))
      .check(z.meta({ description: 'SMS: GSM (GSM-7) or UNICODE (UCS-2), as the rendered text was sent.' })),
    numberOfMessageParts: z.optional(z.int()).check(
      z.meta({
        description: 'SMS: the parts (segments) the rendered text takes: 160/153 GSM-7, 70/67 UCS-2.',
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'MessageStatus' });

/** `GET /profiles/{namespace}/{id}/messages`: one message sent to the profile, as it is now. */
export const profileMessageSchema = z
  .object({
    messageId: uuidSchema,
    executionId: uuidSchema,
    campaignId: uuidSchema,
    channel: z.string(),
    userId: z.string(),
    namespace: z.string(),
    status: z.enum(MESSAGE_STATUSES),
    statusCode: z.optional(z.string()),
    createdAt: isoDateTimeSchema,
    updatedAt: isoDateTimeSchema.check(z.meta({ description: 'When the message took its current status.' })),
  })
  .check(z.meta({ id: 'ProfileMessage' }));
export type ProfileMessageView = z.infer<typeof profileMessageSchema>;

export const executionSchema = z
  .object({
    executionId: uuidSchema,
    requestId: z.string(),
    campaignId: uuidSchema,
    campaignVersion: z.int(),
    channel: z.string(),
    createdAt: isoDateTimeSchema,
    createdBy: z.string(),
    test: z.optional(
      z.literal(true).check(
        z.meta({
          description: 'A test send (`POST /campaigns/{id}/tests`): not in the execution log or any count.',
        }),
      ),
    ),
    recipients: z.array(messageSummarySchema),
  })
  .register(z.globalRegistry, { id: 'Execution' });

/** A message's rendered content: what a channel's templates produced (email, SMS or push fields). */
export const renderedContentShape = {
  subject: z.optional(z.string()),
  html: z.optional(z.string()),
  text: z.optional(z.string()),
  title: z.optional(z.string()),
  body: z.optional(z.string()),
  data: z.optional(z.record(z.string(), z.string())),
};

export const renderedMessageSchema = z
  .object({
    messageId: uuidSchema,
    executionId: uuidSchema,
    channel: z.string(),
    to: z.string(),
    ...renderedContentShape,
    headers: z
      .optional(z.record(z.string(), z.string()))
      .check(
        z.meta({ description: 'Headers Herald added (email: List-Unsubscribe, List-Unsubscribe-Post).' }),
      ),
    providerMessageId: z.string(),
    sentAt: isoDateTimeSchema,
  })
  .register(z.globalRegistry, { id: 'RenderedMessage' });
export type RenderedMessageView = z.infer<typeof renderedMessageSchema>;

export const executionParamsSchema = z.strictObject({ executionId: uuidSchema });
export const messageParamsSchema = z.strictObject({ executionId: uuidSchema, messageId: uuidSchema });

export const audienceExecutionSchema = z
  .strictObject({
    campaignId: uuidSchema,
    requestId: z
      .optional(z.string().check(z.minLength(1), z.maxLength(128)))
      .check(z.meta({ description: 'Makes the call idempotent for 24 hours.' })),
    audience: z
      .optional(z.strictObject({ id: uuidSchema }))
      .check(
        z.meta({ description: "Defaults to the campaign's audience; when given it must be that audience." }),
      ),
    context: z
      .optional(z.record(z.string(), z.unknown()))
      .check(z.meta({ description: 'Shared by every member; at most 200 KB.' })),
    schedule: z
      .optional(z.strictObject({ executeAt: isoDateTimeSchema }))
      .check(
        z.meta({ description: 'Run later: the scheduler starts the run within a minute of `executeAt`.' }),
      ),
  })
  .register(z.globalRegistry, { id: 'AudienceExecutionRequest' });
export type AudienceExecutionInput = z.infer<typeof audienceExecutionSchema>;

export const AUDIENCE_EXECUTION_STATUSES = ['InProgress', 'Succeeded', 'Failed'] as const;

export const audienceExecutionAcceptedSchema = z
  .object({
    executionId: uuidSchema,
    requestId: z.optional(z.string()),
    campaignId: uuidSchema,
    audienceId: uuidSchema,
    status: z.enum(AUDIENCE_EXECUTION_STATUSES),
    createdAt: isoDateTimeSchema,
    createdBy: z.string(),
  })
  .register(z.globalRegistry, { id: 'AudienceExecutionAccepted' });
export type AudienceExecutionAccepted = z.infer<typeof audienceExecutionAcceptedSchema>;

export const audienceExecutionStatusSchema = z
  .object({
    executionId: uuidSchema,
    campaignId: uuidSchema,
    audienceId: uuidSchema,
    status: z.enum(AUDIENCE_EXECUTION_STATUSES).check(
      z.meta({
        description:
          "The reference system's run status: Succeeded once every member is queued or excluded — the fan-out, not the sending (see delivery).",
      }),
    ),
    delivery: z.enum(['InProgress', 'Finished']).check(
      z.meta({
        description:
          'Finished once the run has Succeeded and no message is still queued or delayed; statuses providers report later (delivered, bounce, complaint) may still change counts.',
      }),
    ),
    pendingMessageCount: z.int().check(z.meta({ description: 'Messages still queued or delayed.' })),
    targetedProfileCount: z.int().check(z.meta({ description: 'Members queued for sending.' })),
    createdAt: isoDateTimeSchema,
    counts: z
      .object({
        queued: z.int(),
        sent: z.int(),
        delivered: z.int(),
        bounce: z.int(),
        complaint: z.int(),
        delay: z.int(),
        error: z.int(),
        excluded: z
          .record(z.string(), z.int())
          .check(z.meta({ description: 'Excluded members by reason code.' })),
      })
      .register(z.globalRegistry, {
        description: "Each message's current status, counted from the messages themselves (no counter item).",
      }),
  })
  .register(z.globalRegistry, { id: 'AudienceExecutionStatus' });
export type AudienceExecutionStatus = z.infer<typeof audienceExecutionStatusSchema>;

export const SCHEDULE_STATUSES = ['Scheduled', 'Triggering', 'Triggered', 'Cancelled', 'Failed'] as const;

export const scheduledExecutionSchema = z
  .object({
    scheduleId: uuidSchema,
    campaignId: uuidSchema,
    audience: z.object({ id: uuidSchema }),
    executeAt: isoDateTimeSchema,
    scheduleStatus: z.enum(SCHEDULE_STATUSES),
    requestId: z.optional(z.string()),
    executionId: z.optional(uuidSchema).check(z.meta({ description: 'The run, once triggered.' })),
    failure: z.optional(z.string()).check(z.meta({ description: 'Why the run could not start (Failed).' })),
    createdAt: isoDateTimeSchema,
    createdBy: z.string(),
  })
  .register(z.globalRegistry, { id: 'ScheduledExecution' });
export type ScheduledExecution = z.infer<typeof scheduledExecutionSchema>;

export const scheduleParamsSchema = z.strictObject({ scheduleId: uuidSchema });
