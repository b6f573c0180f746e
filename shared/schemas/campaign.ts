import { isoDateTimeSchema, nameSchema, namespaceCodeSchema, uuidSchema } from './common.ts';
import * as z from './zod.ts';

export const CATEGORIES = ['marketing', 'transactional'] as const;
export const CHANNELS = ['email', 'sms', 'push'] as const;
export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'live', 'stopped', 'completed', 'archived'] as const;
export type Channel = (typeof CHANNELS)[number];
export type Category = (typeof CATEGORIES)[number];
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

const templateText = (max: number) => z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(max));

/**
 * Content for any channel; which members are allowed and required depends on the campaign's
 * channel and is checked by the domain rules (so a PATCH may change channel and content together).
 */
export const contentSchema = z
  .strictObject({
    subject: z.optional(templateText(998)).check(z.meta({ description: 'email: subject line (template).' })),
    html: z
      .optional(templateText(200_000))
      .check(z.meta({ description: 'email: HTML body (template, values HTML-escaped).' })),
    text: z
      .optional(templateText(100_000))
      .check(z.meta({ description: 'email: plain-text body (template).' })),
    body: z
      .optional(templateText(1_600))
      .check(z.meta({ description: 'sms and push: message body (template).' })),
    title: z.optional(templateText(256)).check(z.meta({ description: 'push: title (template).' })),
    data: z
      .optional(z.record(z.string().check(z.maxLength(256)), z.string().check(z.maxLength(4_000))))
      .check(z.meta({ description: 'push: custom key/value data; values are templates.' })),
  })
  .register(z.globalRegistry, { id: 'CampaignContent' });
export type CampaignContent = z.infer<typeof contentSchema>;

export const scheduleSchema = z
  .strictObject({ startDate: z.optional(isoDateTimeSchema), endDate: z.optional(isoDateTimeSchema) })
  .register(z.globalRegistry, { id: 'CampaignSchedule' });

const definitionShape = {
  name: nameSchema(256),
  description: z.optional(z.string().check(z.maxLength(2_000))),
  category: z.enum(CATEGORIES),
  channel: z.enum(CHANNELS),
  identityNamespace: namespaceCodeSchema,
  audience: z.optional(z.strictObject({ id: z.string().check(z.minLength(1), z.maxLength(128)) })),
  channelConfigurationId: z.optional(uuidSchema).check(
    z.meta({
      description:
        "The channel configuration (provider) that sends this campaign's messages; unset: the sandbox's default for the channel, or the sandbox provider.",
    }),
  ),
  createNewProfiles: z.optional(z.boolean()),
  enableWebhooks: z.optional(z.boolean()),
  highThroughput: z.optional(z.boolean()),
  unsubscribeLink: z.optional(z.boolean()).check(
    z.meta({
      description:
        'Transactional email: carry the unsubscribe link (List-Unsubscribe, {{unsubscribeUrl}}) as marketing email always does; unset: false.',
    }),
  ),
  appId: z
    .optional(
      z
        .string()
        .check(
          z.minLength(1),
          z.maxLength(256),
          z.regex(/^[\x21-\x7e]+$/, 'must be visible ASCII characters'),
        ),
    )
    .check(
      z.meta({
        description:
          "Push: the app whose devices get the messages (the reference system's pushInfo.appID); required on push campaigns, one of the channel configuration's apps.",
      }),
    ),
  smsMaxParts: z
    .optional(
      z.int('must be a whole number').check(z.gte(1, 'must be 1 to 10'), z.lte(10, 'must be 1 to 10')),
    )
    .check(
      z.meta({
        description:
          'SMS: the most parts (segments) one message may take. Activation refuses a body whose fixed text alone needs more; at send, a rendered message that needs more is excluded (sms-too-many-parts). Unset: no limit but the 1600-character body.',
      }),
    ),
  content: contentSchema,
  schedule: z.optional(scheduleSchema),
  throttleRatePerSec: z.optional(z.int().check(z.gte(1), z.lte(2_000))),
};

export const createCampaignSchema = z
  .strictObject(definitionShape)
  .register(z.globalRegistry, { id: 'CreateCampaign' });
export type CreateCampaignInput = z.infer<typeof createCampaignSchema>;

/** A PATCH names only what changes; `null` clears an optional member. */
export const patchCampaignSchema = z
  .strictObject({
    name: z.optional(definitionShape.name),
    description: z.nullable(definitionShape.description),
    category: z.optional(definitionShape.category),
    channel: z.optional(definitionShape.channel),
    identityNamespace: z.optional(definitionShape.identityNamespace),
    audience: z.nullable(definitionShape.audience),
    channelConfigurationId: z.nullable(definitionShape.channelConfigurationId),
    createNewProfiles: definitionShape.createNewProfiles,
    enableWebhooks: definitionShape.enableWebhooks,
    highThroughput: definitionShape.highThroughput,
    unsubscribeLink: z.nullable(definitionShape.unsubscribeLink),
    appId: z.nullable(definitionShape.appId),
    smsMaxParts: z.nullable(definitionShape.smsMaxParts),
    content: z.optional(contentSchema),
    schedule: z.nullable(definitionShape.schedule),
    throttleRatePerSec: z.nullable(definitionShape.throttleRatePerSec),
  })
  .register(z.globalRegistry, { id: 'PatchCampaign' });
export type PatchCampaignInput = z.infer<typeof patchCampaignSchema>;

/** The editable definition of a campaign, with defaults applied. */
export const campaignDefinitionSchema = z.object({
  name: z.string(),
  description: z.optional(z.string()),
  category: z.enum(CATEGORIES),
  channel: z.enum(CHANNELS),
  identityNamespace: z.string(),
  audience: z.optional(z.object({ id: z.string() })),
  channelConfigurationId: z.optional(z.string()),
  createNewProfiles: z.boolean(),
  enableWebhooks: z.boolean(),
  highThroughput: z.boolean(),
  unsubscribeLink: z.optional(z.boolean()),
  appId: z.optional(z.string()),
  smsMaxParts: z.optional(z.int()),
  content: contentSchema,
  schedule: z.optional(scheduleSchema),
  throttleRatePerSec: z.optional(z.int()),
});
export type CampaignDefinition = z.infer<typeof campaignDefinitionSchema>;

export const campaignSchema = z
  .extend(campaignDefinitionSchema, {
    id: uuidSchema,
    sandbox: z.string(),
    status: z.enum(CAMPAIGN_STATUSES),
    version: z.int().check(z.meta({ description: 'Activated version; 0 until first activation.' })),
    createdAt: isoDateTimeSchema,
    createdBy: z.string(),
    modifiedAt: isoDateTimeSchema,
    modifiedBy: z.string(),
    activatedAt: z.optional(isoDateTimeSchema),
    stoppedAt: z.optional(isoDateTimeSchema),
    completedAt: z.optional(isoDateTimeSchema),
    archivedAt: z.optional(isoDateTimeSchema),
    duplicatedFrom: z.optional(uuidSchema),
    draft: z
      .optional(campaignDefinitionSchema)
      .check(
        z.meta({ description: 'Pending edits of a scheduled or live campaign; activation makes them live.' }),
      ),
  })
  .register(z.globalRegistry, { id: 'Campaign' });
export type CampaignView = z.infer<typeof campaignSchema>;

export const campaignIdParamsSchema = z.strictObject({ id: uuidSchema });
