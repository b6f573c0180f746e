import type { AudienceExecutionRecord, AudienceRecord } from '../domain/audience.ts';
import type { ApiKeyRecord } from '../domain/auth.ts';
import { type CampaignRecord, nextTransition } from '../domain/campaign.ts';
import type { SuppressionRecord } from '../domain/channel.ts';
import type { ChannelConfigurationRecord, StoredProvider } from '../domain/channel-configuration.ts';
import type { ExecutionRecord, MessageRecord } from '../domain/execution.ts';
import type { IdempotencyRecord } from '../domain/idempotency.ts';
import type { NamespaceRecord } from '../domain/identity.ts';
import type { ProfileRecord } from '../domain/profile.ts';
import type { ProviderHealthRecord } from '../domain/provider-health.ts';
import type { SandboxRecord } from '../domain/sandbox.ts';
import type { ScheduleRecord } from '../domain/schedule.ts';
import type { DeliveryRecord, SigningSecret, WebhookConfig } from '../domain/webhook.ts';
import { SCOPES } from '../schemas/admin.ts';
import { type ImportProgress, importProgressSchema } from '../schemas/audience.ts';
import {
  CAMPAIGN_STATUSES,
  type CampaignContent,
  type CampaignDefinition,
  CHANNELS,
  campaignDefinitionSchema,
} from '../schemas/campaign.ts';
import { PUSH_PLATFORMS, SMS_ORIGINATION_TYPES } from '../schemas/channel-configuration.ts';
import {
  AUDIENCE_EXECUTION_STATUSES,
  MESSAGE_STATUSES,
  scheduledExecutionSchema,
  statusChangeSchema,
} from '../schemas/execution.ts';
import { pendingJobsSchema } from '../schemas/fanout-job.ts';
import { consentChangeSchema, consentSchema, type Identity } from '../schemas/profile.ts';
import { attemptSchema, type WebhookAuth } from '../schemas/webhook.ts';
import * as z from '../schemas/zod.ts';
import { entity, type RecordShape, reader } from './entity.ts';
import { claimDuePartition, DUE_PARTITION, DUE_SCHEDULE_PARTITION, keys } from './keys.ts';

/**
 * Every kind of item Herald stores: its key (from keys.ts), its `type`, and the zod schema that
 * reads it back. Each record's shape `satisfies RecordShape<Record>`, so the compiler proves the
 * schema and the domain type agree field by field.
 *
 * A read checks the shape, not the policy a write checks. shared/schemas pieces that describe
 * shapes Herald itself writes (status changes, imports, schedules, attempts, consent, the enums)
 * are reused as they are; the API's rules on what a client may send (lengths, character sets,
 * header names, namespace codes) are not, so an item written before a rule tightened stays
 * readable — and is then refused where the rule matters (a webhook's old header fails its
 * delivery attempt, it does not make the webhook unreadable).
 */

/** Deliveries, attempts, audience runs and their messages are kept this long (TTL). */
export const RETENTION_SECONDS = 30 * 24 * 3600;

/** The TTL of an item kept RETENTION_SECONDS after the instant `iso`. */
export const retainedFrom = (iso: string) => Math.floor(Date.parse(iso) / 1000) + RETENTION_SECONDS;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Set);

/**
 * A free-form JSON object (profile attributes, a run's context), taken as stored. Not `z.record`:
 * that copies every key and drops one named `__proto__`, which profile attributes keep as data.
 */
const jsonObject = z.custom<Record<string, unknown>>(isPlainObject, 'must be a map');

/** A map of strings (a webhook's custom headers), taken as stored for the same reason. */
const stringMap = z.custom<Record<string, string>>(
  (value) => isPlainObject(value) && Object.values(value).every((v) => typeof v === 'string'),
  'must be a map of strings',
);

/** Content as stored: the shape of contentSchema without its length caps. */
const storedContentSchema = z.object({
  subject: z.optional(z.string()),
  html: z.optional(z.string()),
  text: z.optional(z.string()),
  body: z.optional(z.string()),
  title: z.optional(z.string()),
  data: z.optional(stringMap),
} satisfies RecordShape<CampaignContent>);

/** A campaign definition as stored: campaignDefinitionSchema with the stored content. */
const storedDefinitionSchema = z.object({
  ...campaignDefinitionSchema.shape,
  content: storedContentSchema,
} satisfies RecordShape<CampaignDefinition>);

/** A webhook's authentication as stored: webhookAuthSchema's shape without its character rules. */
const storedAuthSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({ type: z.literal('bearer'), token: z.string() }),
  z.object({ type: z.literal('basic'), username: z.string(), password: z.string() }),
]) satisfies z.ZodMiniType<WebhookAuth>;

/** An identity as stored: identitySchema's shape without the namespace code and length rules. */
const storedIdentitySchema = z.object({
  namespace: z.string(),
  id: z.string(),
} satisfies RecordShape<Identity>);

const dueSk = (at: string, sandbox: string, id: string) => `${new Date(at).toISOString()}#${sandbox}#${id}`;

export const sandboxItem = entity({
  kind: 'sandbox',
  label: 'Sandbox',
  key: (r: SandboxRecord) => keys.sandbox(r.name),
  id: (r) => r.name,
  schema: z.object({
    name: z.string(),
    createdAt: z.string(),
    defaultCountry: z.optional(z.string()),
    modifiedAt: z.optional(z.string()),
  } satisfies RecordShape<SandboxRecord>),
});

/** Listed and deleted under its owner; the copy under its hash (`keys.apiKeyByHash`) is the lookup. */
export const apiKeyItem = entity({
  kind: 'api-key',
  label: 'API key',
  key: (r: ApiKeyRecord) => keys.apiKey(r.sandbox, r.id),
  id: (r) => r.id,
  schema: z.object({
    id: z.string(),
    hash: z.string(),
    sandbox: z.nullable(z.string()),
    scopes: z.array(z.enum(SCOPES)),
    name: z.optional(z.string()),
    createdAt: z.string(),
    createdBy: z.string(),
  } satisfies RecordShape<ApiKeyRecord>),
});

export const namespaceItem = entity({
  kind: 'namespace',
  label: 'Namespace',
  key: (r: NamespaceRecord) => keys.namespace(r.sandbox, r.code),
  id: (r) => r.code,
  schema: z.object({
    sandbox: z.string(),
    code: z.string(),
    name: z.optional(z.string()),
    description: z.optional(z.string()),
    createdAt: z.string(),
  } satisfies RecordShape<NamespaceRecord>),
});

/** A campaign waiting for its start or end date is also in the sparse `due` index. */
export const campaignItem = entity({
  kind: 'campaign',
  label: 'Campaign',
  key: (r: CampaignRecord) => keys.campaign(r.sandbox, r.id),
  id: (r) => r.id,
  schema: z.object({
    ...storedDefinitionSchema.shape,
    id: z.string(),
    sandbox: z.string(),
    status: z.enum(CAMPAIGN_STATUSES),
    version: z.number(),
    revision: z.number(),
    createdAt: z.string(),
    createdBy: z.string(),
    modifiedAt: z.string(),
    modifiedBy: z.string(),
    activatedAt: z.optional(z.string()),
    stoppedAt: z.optional(z.string()),
    completedAt: z.optional(z.string()),
    archivedAt: z.optional(z.string()),
    duplicatedFrom: z.optional(z.string()),
    draft: z.optional(storedDefinitionSchema),
  } satisfies RecordShape<CampaignRecord>),
  attributes: (r) => {
    const due = nextTransition(r);
    // ISO instants compare as strings once normalised to UTC.
    return due ? { duePk: DUE_PARTITION, dueSk: dueSk(due.at, r.sandbox, r.id) } : {};
  },
});

export const profileItem = entity({
  kind: 'profile',
  label: 'Profile',
  key: (r: ProfileRecord) => keys.profile(r.sandbox, r.profileId),
  id: (r) => r.profileId,
  schema: z.object({
    sandbox: z.string(),
    profileId: z.string(),
    identities: z.array(storedIdentitySchema),
    attributes: jsonObject,
    consent: consentSchema,
    consentChanges: z.optional(z.array(consentChangeSchema)),
    dataset: z.enum(['profiles', 'interactive-messaging']),
    revision: z.number(),
    createdAt: z.string(),
    modifiedAt: z.string(),
  } satisfies RecordShape<ProfileRecord>),
});

/** `namespace + value → profileId`: written with its profile, conditional so it never silently moves. */
export interface IdentityRecord {
  readonly sandbox: string;
  readonly namespace: string;
  readonly value: string;
  readonly profileId: string;
  readonly createdAt: string;
}

export const identityItem = entity({
  kind: 'identity',
  label: 'Identity',
  key: (r: IdentityRecord) => keys.identity(r.sandbox, r.namespace, r.value),
  id: (r) => `${r.namespace}:${r.value}`,
  schema: z.object({
    sandbox: z.string(),
    namespace: z.string(),
    value: z.string(),
    profileId: z.string(),
    createdAt: z.string(),
  } satisfies RecordShape<IdentityRecord>),
});

export const executionItem = entity({
  kind: 'execution',
  label: 'Execution',
  key: (r: ExecutionRecord) => keys.execution(r.sandbox, r.executionId),
  id: (r) => r.executionId,
  schema: z.object({
    sandbox: z.string(),
    executionId: z.string(),
    requestId: z.string(),
    campaignId: z.string(),
    campaignVersion: z.number(),
    channel: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
    enableWebhooks: z.optional(z.boolean()),
    bodyHash: z.optional(z.string()),
    test: z.optional(z.literal(true)),
  } satisfies RecordShape<ExecutionRecord>),
});

/** One per recipient, read in batches by dispatch: the hottest read of all. */
export const messageItem = entity({
  kind: 'message',
  label: 'Message',
  key: (r: MessageRecord) => keys.message(r.sandbox, r.executionId, r.messageId, r.shard),
  id: (r) => r.messageId,
  schema: z.object({
    sandbox: z.string(),
    executionId: z.string(),
    messageId: z.string(),
    userId: z.string(),
    namespace: z.string(),
    profileId: z.optional(z.string()),
    status: z.enum(MESSAGE_STATUSES),
    statusCode: z.optional(z.string()),
    history: z.array(statusChangeSchema),
    missingVariables: z.optional(z.array(z.string())),
    address: z.optional(z.string()),
    encoding: z.optional(z.enum(['GSM', 'UNICODE'])),
    numberOfMessageParts: z.optional(z.number()),
    shard: z.optional(z.number()),
    sendingSince: z.optional(z.string()),
    // A string set (ADD providerEvents), written by recordProviderEvent alone.
    providerEvents: z.optional(
      z.pipe(
        z.set(z.string()),
        z.transform((keys) => [...keys]),
      ),
    ),
  } satisfies RecordShape<MessageRecord>),
  encode: ({ providerEvents: _providerEvents, ...stored }) => stored,
  // A message to a profile is in its profile's index, from its first status (ADR 0029). External
  // recipients and test sends have no profile: not indexed.
  attributes: (r) => {
    const createdAt = r.history[0]?.at;
    return r.profileId && createdAt
      ? keys.profileMessage(r.sandbox, r.profileId, createdAt, r.messageId)
      : {};
  },
});

/** The messages' status projection of an audience run's report. */
export const messageStatusItem = reader(
  'message',
  z.object({ status: z.enum(MESSAGE_STATUSES), statusCode: z.optional(z.string()) }),
);

export const audienceItem = entity({
  kind: 'audience',
  label: 'Audience',
  key: (r: AudienceRecord) => keys.audience(r.sandbox, r.id),
  id: (r) => r.id,
  schema: z.object({
    sandbox: z.string(),
    id: z.string(),
    name: z.string(),
    description: z.optional(z.string()),
    createdAt: z.string(),
    modifiedAt: z.string(),
    revision: z.number(),
  } satisfies RecordShape<AudienceRecord>),
});

export const memberItem = reader('member', z.object({ profileId: z.string() }));

/** An import's progress as stored: with its sandbox (the port's record has none) and a revision. */
export type ImportRecord = ImportProgress & { readonly sandbox: string; readonly revision: number };

export const importItem = entity({
  kind: 'audience-import',
  label: 'Import',
  key: (r: ImportRecord) => keys.audienceImport(r.sandbox, r.importId),
  id: (r) => r.importId,
  schema: z.object({
    ...importProgressSchema.shape,
    sandbox: z.string(),
    revision: z.number(),
  } satisfies RecordShape<ImportRecord>),
  attributes: (r) => ({ expiresAt: retainedFrom(r.startedAt) }),
});

/**
 * An audience run. `shardsDone` grows as a number set (ADD), so the item is written without it (an
 * empty list stored first would refuse the ADD) and read back as a list.
 */
export const audienceExecutionItem = entity({
  kind: 'audience-execution',
  label: 'Audience execution',
  key: (r: AudienceExecutionRecord) => keys.audienceExecution(r.sandbox, r.executionId),
  id: (r) => r.executionId,
  schema: z.object({
    sandbox: z.string(),
    executionId: z.string(),
    requestId: z.optional(z.string()),
    campaignId: z.string(),
    campaignVersion: z.number(),
    audienceId: z.string(),
    channel: z.enum(CHANNELS),
    identityNamespace: z.string(),
    content: storedContentSchema,
    channelConfigurationId: z.optional(z.string()),
    enableWebhooks: z.boolean(),
    throttleRatePerSec: z.number(),
    appId: z.optional(z.string()),
    smsMaxParts: z.optional(z.number()),
    context: z.optional(jsonObject),
    status: z.enum(AUDIENCE_EXECUTION_STATUSES),
    shardsDone: z.pipe(
      z.optional(z.union([z.set(z.number()), z.array(z.number())])),
      z.transform((done) => [...(done ?? [])]),
    ),
    windowEndsAt: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
  } satisfies RecordShape<AudienceExecutionRecord>),
  encode: ({ shardsDone: _shardsDone, ...stored }) => stored,
  attributes: (r) => ({ expiresAt: retainedFrom(r.createdAt) }),
});

/** The shards an audience run has finished, as `ADD shardsDone` returns them. */
export const shardsDoneItem = reader(
  'audience-execution',
  z.object({ status: z.string(), shardsDone: z.optional(z.set(z.number())) }),
);

/** The throttle ledger of an audience run: its next free send slot (ms since epoch). */
export const ledgerItem = reader('throttle-ledger', z.object({ nextSlotAt: z.number() }));

/** A channel configuration's provider health (updated in place by dispatchers, never Put). */
export const providerHealthItem = reader(
  'provider-health',
  z.object({
    sandbox: z.string(),
    configurationId: z.string(),
    windowStart: z.optional(z.number()),
    failures: z.optional(z.number()),
    previousFailures: z.optional(z.number()),
    lastFailureAt: z.optional(z.string()),
    lastFailureCode: z.optional(z.string()),
    lastFailureReason: z.optional(z.string()),
    lastSuccessAt: z.optional(z.string()),
  }) satisfies z.ZodMiniType<ProviderHealthRecord>,
);

/** A scheduled run waits in the `due` index (its own partition there) until it ends. */
export const scheduleItem = entity({
  kind: 'schedule',
  label: 'Schedule',
  key: (r: ScheduleRecord) => keys.schedule(r.sandbox, r.scheduleId),
  id: (r) => r.scheduleId,
  schema: z.object({
    ...scheduledExecutionSchema.shape,
    sandbox: z.string(),
    context: z.optional(jsonObject),
  } satisfies RecordShape<ScheduleRecord>),
  attributes: (r) => ({
    duePk: DUE_SCHEDULE_PARTITION,
    dueSk: dueSk(r.executeAt, r.sandbox, r.scheduleId),
    expiresAt: retainedFrom(r.executeAt),
  }),
});

/** A schedule's entry in its sandbox's listing: which schedule, kept as long as the schedule. */
export const scheduleRefItem = entity({
  kind: 'schedule-ref',
  label: 'Schedule',
  key: (r: Pick<ScheduleRecord, 'sandbox' | 'scheduleId' | 'createdAt' | 'executeAt'>) =>
    keys.scheduleRef(r.sandbox, r.createdAt, r.scheduleId),
  id: (r) => r.scheduleId,
  schema: z.object({
    sandbox: z.string(),
    scheduleId: z.string(),
    createdAt: z.string(),
    executeAt: z.string(),
  }),
  attributes: (r) => ({ expiresAt: retainedFrom(r.executeAt) }),
});

/** Where a pending claim sorts in the `due` index: when its lock lapses. */
export const claimDueSk = (record: { sandbox: string; key: string }, lockedUntil: number) =>
  `${new Date(lockedUntil).toISOString()}#${record.sandbox}#${record.key}`;

/**
 * A claim (idempotency record). Its jobs are stored as a JSON string: they hold free-form context
 * that may nest as deep as a body may, and a string keeps it out of DynamoDB's own nesting limit.
 * A pending claim sits in the sparse `due` index until it is done, so the sweeper finds it.
 */
export const claimItem = entity({
  kind: 'idempotency',
  label: 'Idempotency record',
  key: (r: IdempotencyRecord) => keys.idempotency(r.sandbox, r.key),
  id: (r) => r.key,
  schema: z.object({
    sandbox: z.string(),
    key: z.string(),
    bodyHash: z.string(),
    state: z.enum(['pending', 'done']),
    lockedUntil: z.number(),
    executionId: z.string(),
    response: z.unknown(),
    expiresAt: z.number(),
    jobs: z.optional(
      z.pipe(
        z.pipe(
          z.string(),
          z.transform((text, context) => {
            try {
              return JSON.parse(text) as unknown;
            } catch {
              context.issues.push({ code: 'custom', message: 'is not JSON', input: text });
              return z.NEVER;
            }
          }),
        ),
        pendingJobsSchema,
      ),
    ),
  } satisfies RecordShape<IdempotencyRecord>),
  encode: ({ jobs, ...rest }) => ({ ...rest, ...(jobs ? { jobs: JSON.stringify(jobs) } : {}) }),
  attributes: (r) =>
    r.state === 'pending'
      ? { duePk: claimDuePartition(r.sandbox, r.key), dueSk: claimDueSk(r, r.lockedUntil) }
      : {},
});

export const webhookItem = entity({
  kind: 'webhook',
  label: 'Webhook',
  key: (r: WebhookConfig) => keys.webhook(r.sandbox, r.id),
  id: (r) => r.id,
  schema: z.object({
    sandbox: z.string(),
    id: z.string(),
    name: z.string(),
    url: z.string(),
    channels: z.array(z.enum(CHANNELS)),
    enabled: z.boolean(),
    auth: storedAuthSchema,
    headers: stringMap,
    secrets: z.array(
      z.object({
        secret: z.string(),
        createdAt: z.string(),
        expiresAt: z.optional(z.string()),
      } satisfies RecordShape<SigningSecret>),
    ),
    disabledReason: z.optional(z.string()),
    disabledAt: z.optional(z.string()),
    failingSince: z.optional(z.string()),
    logShards: z.optional(z.number()),
    createdAt: z.string(),
    modifiedAt: z.string(),
    revision: z.number(),
  } satisfies RecordShape<WebhookConfig>),
});

export const deliveryItem = entity({
  kind: 'delivery',
  label: 'Delivery',
  key: (r: DeliveryRecord) => keys.delivery(r.sandbox, r.webhookId, r.eventId),
  id: (r) => r.eventId,
  schema: z.object({
    sandbox: z.string(),
    webhookId: z.string(),
    eventId: z.string(),
    channel: z.enum(CHANNELS),
    payload: z.string(),
    state: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number(),
    createdAt: z.string(),
    lastAttemptAt: z.optional(z.string()),
    logShards: z.optional(z.number()),
  } satisfies RecordShape<DeliveryRecord>),
  attributes: (r) => ({ expiresAt: retainedFrom(r.createdAt) }),
});

/** Where the due index points: the item's sandbox and id (named per kind). */
export const campaignDueItem = reader('campaign', z.object({ sandbox: z.string(), id: z.string() }));
export const scheduleDueItem = reader('schedule', z.object({ sandbox: z.string(), scheduleId: z.string() }));
export const claimDueItem = reader('idempotency', z.object({ sandbox: z.string(), key: z.string() }));
/** One attempt of a delivery, in its webhook's log. */
export const attemptItem = reader('attempt', attemptSchema);

export const failedDeliveryItem = reader('failed-delivery', z.object({ eventId: z.string() }));

/** A suppression as dispatch and fan-out read it: only its key (which of the asked-for addresses exist). */
export const suppressionKeyItem = reader('suppression', z.object({ pk: z.string() }));

const suppressionShape = {
  channel: z.string(),
  address: z.string(),
  code: z.string(),
  messageId: z.string(),
  at: z.string(),
} satisfies RecordShape<SuppressionRecord>;

/** A suppression's lookup item, the one sends read (one partition per address). */
export const suppressionItem = entity({
  kind: 'suppression',
  label: 'Suppression',
  key: (r: SuppressionRecord & { readonly sandbox: string }) =>
    keys.suppression(r.sandbox, r.channel, r.address),
  id: (r) => `${r.channel} ${r.address}`,
  schema: z.object({ sandbox: z.string(), ...suppressionShape }),
});

/** The same suppression in its channel's listing (SUPPRESSION_SHARDS partitions per sandbox and channel). */
export const suppressionEntryItem = entity({
  kind: 'suppression-entry',
  label: 'Suppression',
  key: (r: SuppressionRecord & { readonly sandbox: string }) =>
    keys.suppressionEntry(r.sandbox, r.channel, r.address),
  id: (r) => `${r.channel} ${r.address}`,
  schema: z.object({ sandbox: z.string(), ...suppressionShape }),
});

const sealedSecretSchema = z.object({ sealed: z.string() });

/** A channel configuration's provider as stored (the SMTP password only sealed). */
const storedProviderSchema: z.ZodMiniType<StoredProvider> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sandbox') }),
  z.object({
    type: z.literal('ses'),
    fromAddress: z.string(),
    fromName: z.optional(z.string()),
    replyTo: z.optional(z.string()),
    unsubscribeMailto: z.optional(z.string()),
    configurationSet: z.optional(z.string()),
  }),
  z.object({
    type: z.literal('smtp'),
    host: z.string(),
    port: z.number(),
    secure: z.boolean(),
    username: z.optional(z.string()),
    password: z.optional(sealedSecretSchema),
    dkim: z.optional(
      z.object({ domainName: z.string(), keySelector: z.string(), privateKey: sealedSecretSchema }),
    ),
    fromAddress: z.string(),
    fromName: z.optional(z.string()),
    replyTo: z.optional(z.string()),
    unsubscribeMailto: z.optional(z.string()),
  }),
  z.object({
    type: z.literal('sns-sms'),
    originationNumber: z.optional(z.string()),
    senderId: z.optional(z.string()),
    maxPriceUsd: z.optional(z.number()),
    originationType: z.optional(z.enum(SMS_ORIGINATION_TYPES)),
    checkOptOut: z.optional(z.boolean()),
  }),
  z.object({
    type: z.literal('end-user-messaging-sms'),
    originationIdentity: z.string(),
    configurationSet: z.optional(z.string()),
    maxPriceUsd: z.optional(z.number()),
    timeToLiveSeconds: z.optional(z.number()),
    originationType: z.optional(z.enum(SMS_ORIGINATION_TYPES)),
  }),
  z.object({
    type: z.literal('sns-push'),
    applications: z.array(
      z.object({
        appId: z.string(),
        platform: z.enum(PUSH_PLATFORMS),
        platformApplicationArn: z.string(),
      }),
    ),
  }),
]);

export const channelConfigurationItem = entity({
  kind: 'channel-configuration',
  label: 'Channel configuration',
  key: (r: ChannelConfigurationRecord) => keys.channelConfiguration(r.sandbox, r.id),
  id: (r) => r.id,
  schema: z.object({
    sandbox: z.string(),
    id: z.string(),
    name: z.string(),
    channel: z.enum(CHANNELS),
    provider: storedProviderSchema,
    rateLimitPerSec: z.optional(z.number()),
    fallbackId: z.optional(z.string()),
    isDefault: z.boolean(),
    createdAt: z.string(),
    modifiedAt: z.string(),
    revision: z.number(),
  } satisfies RecordShape<ChannelConfigurationRecord>),
  // An SMS configuration with an origination number is in the sparse `origination` index.
  attributes: (r) => {
    const number = sendingNumber(r.provider);
    return number ? { originPk: originPartition(number), originSk: `${r.sandbox}#${r.id}` } : {};
  },
});

/** The phone number an SMS configuration sends from, when it names one (a STOP to it applies). */
function sendingNumber(provider: StoredProvider): string | undefined {
  if (provider.type === 'sns-sms') return provider.originationNumber;
  if (provider.type === 'end-user-messaging-sms' && provider.originationIdentity.startsWith('+'))
    return provider.originationIdentity;
  return undefined;
}

/** The `origination` index partition of a sending number. */
export const originPartition = (number: string) => `ORIGIN#${number}`;

/** What the `origination` index holds of a configuration: its sandbox and id. */
export const originationItem = reader(
  'channel-configuration',
  z.object({ sandbox: z.string(), id: z.string() }),
);

/** The marker naming a channel's default configuration (`CHANNELDEFAULT#<channel>`). */
export const channelDefaultItem = reader('channel-default', z.object({ configurationId: z.string() }));
