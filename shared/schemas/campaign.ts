import * as z from 'zod';
import { isoDateTimeSchema, nameSchema, namespaceCodeSchema, uuidSchema } from './common.ts';

export const CATEGORIES = ['marketing', 'transactional'] as const;
export const CHANNELS = ['email', 'sms', 'push'] as const;
export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'live', 'stopped', 'completed', 'archived'] as const;
export type Channel = (typeof CHANNELS)[number];
export type Category = (typeof CATEGORIES)[number];
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

const templateText = (max: number) => z.string().min(1, 'must not be empty').max(max);

/**
 * Content for any channel; which members are allowed and required depends on the campaign's
 * channel and is checked by the domain rules (so a PATCH may change channel and content together).
 */
export const contentSchema = z
  .strictObject({
    subject: templateText(998).optional().meta({ description: 'email: subject line (template).' }),
    html: templateText(200_000)
      .optional()
      .meta({ description: 'email: HTML body (template, values HTML-escaped).' }),
    text: templateText(100_000).optional().meta({ description: 'email: plain-text body (template).' }),
    body: templateText(1_600).optional().meta({ description: 'sms and push: message body (template).' }),
    title: templateText(256).optional().meta({ description: 'push: title (template).' }),
    data: z
      .record(z.string().max(256), z.string().max(4_000))
      .optional()
      .meta({ description: 'push: custom key/value data; values are templates.' }),
  })
  .meta({ id: 'CampaignContent' });
export type CampaignContent = z.infer<typeof contentSchema>;

export const scheduleSchema = z
  .strictObject({ startDate: isoDateTimeSchema.optional(), endDate: isoDateTimeSchema.optional() })
  .meta({ id: 'CampaignSchedule' });

const definitionShape = {
  name: nameSchema(256),
  description: z.string().max(2_000).optional(),
  category: z.enum(CATEGORIES),
  channel: z.enum(CHANNELS),
  identityNamespace: namespaceCodeSchema,
  audience: z.strictObject({ id: z.string().min(1).max(128) }).optional(),
  channelConfigurationId: uuidSchema.optional().meta({
    description:
      "The channel configuration (provider) that sends this campaign's messages; unset: the sandbox's default for the channel, or the sandbox provider.",
  }),
  createNewProfiles: z.boolean().optional(),
  enableWebhooks: z.boolean().optional(),
  highThroughput: z.boolean().optional(),
  unsubscribeLink: z.boolean().optional().meta({
    description:
      'Transactional email: carry the unsubscribe link (List-Unsubscribe, {{unsubscribeUrl}}) as marketing email always does; unset: false.',
  }),
  appId: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[\x21-\x7e]+$/, 'must be visible ASCII characters')
    .optional()
    .meta({
      description:
        "Push: the app whose devices get the messages (the reference system's pushInfo.appID); required on push campaigns, one of the channel configuration's apps.",
    }),
  smsMaxParts: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be 1 to 10')
    .max(10, 'must be 1 to 10')
    .optional()
    .meta({
      description:
        'SMS: the most parts (segments) one message may take. Activation refuses a body whose fixed text alone needs more; at send, a rendered message that needs more is excluded (sms-too-many-parts). Unset: no limit but the 1600-character body.',
    }),
  content: contentSchema,
  schedule: scheduleSchema.optional(),
  throttleRatePerSec: z.number().int().min(1).max(2_000).optional(),
};

export const createCampaignSchema = z.strictObject(definitionShape).meta({ id: 'CreateCampaign' });
export type CreateCampaignInput = z.infer<typeof createCampaignSchema>;

/** A PATCH names only what changes; `null` clears an optional member. */
export const patchCampaignSchema = z
  .strictObject({
    name: definitionShape.name.optional(),
    description: definitionShape.description.nullable(),
    category: definitionShape.category.optional(),
    channel: definitionShape.channel.optional(),
    identityNamespace: definitionShape.identityNamespace.optional(),
    audience: definitionShape.audience.nullable(),
    channelConfigurationId: definitionShape.channelConfigurationId.nullable(),
    createNewProfiles: definitionShape.createNewProfiles,
    enableWebhooks: definitionShape.enableWebhooks,
    highThroughput: definitionShape.highThroughput,
    unsubscribeLink: definitionShape.unsubscribeLink.nullable(),
    appId: definitionShape.appId.nullable(),
    smsMaxParts: definitionShape.smsMaxParts.nullable(),
    content: contentSchema.optional(),
    schedule: definitionShape.schedule.nullable(),
    throttleRatePerSec: definitionShape.throttleRatePerSec.nullable(),
  })
  .meta({ id: 'PatchCampaign' });
export type PatchCampaignInput = z.infer<typeof patchCampaignSchema>;

/** The editable definition of a campaign, with defaults applied. */
export const campaignDefinitionSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  category: z.enum(CATEGORIES),
  channel: z.enum(CHANNELS),
  identityNamespace: z.string(),
  audience: z.object({ id: z.string() }).optional(),
  channelConfigurationId: z.string().optional(),
  createNewProfiles: z.boolean(),
  enableWebhooks: z.boolean(),
  highThroughput: z.boolean(),
  unsubscribeLink: z.boolean().optional(),
  appId: z.string().optional(),
  smsMaxParts: z.number().int().optional(),
  content: contentSchema,
  schedule: scheduleSchema.optional(),
  throttleRatePerSec: z.number().int().optional(),
});
export type CampaignDefinition = z.infer<typeof campaignDefinitionSchema>;

export const campaignSchema = campaignDefinitionSchema
  .extend({
    id: uuidSchema,
    sandbox: z.string(),
    status: z.enum(CAMPAIGN_STATUSES),
    version: z.number().int().meta({ description: 'Activated version; 0 until first activation.' }),
    createdAt: isoDateTimeSchema,
    createdBy: z.string(),
    modifiedAt: isoDateTimeSchema,
    modifiedBy: z.string(),
    activatedAt: isoDateTimeSchema.optional(),
    stoppedAt: isoDateTimeSchema.optional(),
    completedAt: isoDateTimeSchema.optional(),
    archivedAt: isoDateTimeSchema.optional(),
    duplicatedFrom: uuidSchema.optional(),
    draft: campaignDefinitionSchema
      .optional()
      .meta({ description: 'Pending edits of a scheduled or live campaign; activation makes them live.' }),
  })
  .meta({ id: 'Campaign' });
export type CampaignView = z.infer<typeof campaignSchema>;

export const campaignIdParamsSchema = z.strictObject({ id: uuidSchema });
