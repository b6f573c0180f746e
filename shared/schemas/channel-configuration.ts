import { createPrivateKey } from 'node:crypto';
import { CHANNELS } from './campaign.ts';
import { isoDateTimeSchema, nameSchema, uuidSchema } from './common.ts';
import * as z from './zod.ts';

/** The provider types, and the channels each one can carry. */
export const PROVIDER_TYPES = [
  'sandbox',
  'ses',
  'smtp',
  'sns-sms',
  'end-user-messaging-sms',
  'sns-push',
] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];
export const PROVIDER_CHANNELS: Readonly<Record<ProviderType, readonly (typeof CHANNELS)[number][]>> = {
  sandbox: ['email', 'sms', 'push'],
  ses: ['email'],
  smtp: ['email'],
  'sns-sms': ['sms'],
  'end-user-messaging-sms': ['sms'],
  'sns-push': ['push'],
};

/**
 * A sender address: one `@`, a dot-atom local part and a domain of DNS labels — what SES and SMTP
 * servers accept in a MAIL FROM without quoting. At most 254 characters (RFC 5321's path limit).
 */
export const senderAddressSchema = z
  .string()
  .check(
    z.maxLength(254, 'must be at most 254 characters'),
    z.regex(
      /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/,
      'must be an email address (local@domain.tld)',
    ),
  );

/** A mailbox that takes unsubscribe requests, listed in List-Unsubscribe beside the one-click URL. */
const unsubscribeMailtoSchema = z.optional(senderAddressSchema).check(
  z.meta({
    description:
      'A mailbox that takes unsubscribe requests by mail: marketing email lists it in List-Unsubscribe (mailto:) beside the one-click link.',
  }),
);

/** A display name for From: printable, no control characters, no line breaks (header injection). */
const fromNameSchema = nameSchema(100);

/** A host name (RFC 1123 labels) or an IPv4/IPv6 literal; the SSRF policy judges what it resolves to. */
export const hostSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(253),
    z.regex(
      /^(([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[?[0-9A-Fa-f:.]+\]?)$/,
      'must be a host name or an IP address',
    ),
  );

/**
 * An origination number exactly in E.164 (`+` and up to 15 digits, no spaces): what SNS and End
 * User Messaging accept as `AWS.MM.SMS.OriginationNumber` / `OriginationIdentity`. Whether it is a
 * possible number of its country is the use case's check (libphonenumber-js stays out of the
 * schemas, which every API function bundles).
 */
export const E164_MESSAGE = 'must be a phone number in E.164 form, e.g. +14155550123';
export const e164Schema = z.string().check(z.maxLength(16), z.regex(/^\+[1-9]\d{1,14}$/, E164_MESSAGE));

/** The kinds of origination identity an SMS configuration may say it sends from. */
export const SMS_ORIGINATION_TYPES = ['10dlc', 'toll-free', 'short-code', 'long-code', 'sender-id'] as const;
export type SmsOriginationType = (typeof SMS_ORIGINATION_TYPES)[number];

/**
 * The kind of number an SMS configuration sends from; without `rateLimitPerSec` its documented
 * parts-per-second default holds (10dlc 1, toll-free 3, short-code 100, long-code 1, sender-id none).
 */
const originationTypeSchema = z.optional(
  z.enum(SMS_ORIGINATION_TYPES, { error: `must be one of ${SMS_ORIGINATION_TYPES.join(', ')}` }),
);

const snsSmsFields = {
  type: z.literal('sns-sms'),
  originationNumber: z.optional(e164Schema).check(
    z.meta({
      description:
        "The number messages come from (AWS.MM.SMS.OriginationNumber): one of the account's End User Messaging SMS numbers; unset: SNS picks one.",
    }),
  ),
  senderId: z
    .optional(
      z
        .string()
        .check(
          z.regex(
            /^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/,
            'must be 1 to 11 letters or digits, at least one letter',
          ),
        ),
    )
    .check(
      z.meta({ description: 'Alphanumeric sender ID (AWS.SNS.SMS.SenderID), where the country allows one.' }),
    ),
  maxPriceUsd: z
    .optional(z.number().check(z.gte(0.00001, 'must be more than 0'), z.lte(10_000, 'must be at most 10000')))
    .check(
      z.meta({
        description: 'Most a message may cost, in USD (AWS.SNS.SMS.MaxPrice); over it SNS does not send.',
      }),
    ),
  originationType: originationTypeSchema,
  checkOptOut: z.optional(z.boolean()).check(
    z.meta({
      description:
        "Ask SNS (CheckIfPhoneNumberIsOptedOut) before each Publish whether the number opted out: such a message is excluded `opted-out` and the profile's marketing consent for SMS withdrawn, instead of SNS accepting it and not delivering it. One more SNS call per message; off by default.",
    }),
  ),
};
const snsSmsProviderSchema = z.strictObject(snsSmsFields);

/**
 * AWS End User Messaging SMS (`SendTextMessage`): the origination identity is an E.164 number, or
 * the id or ARN of a phone number, pool or sender ID, as the API takes it.
 */
const endUserMessagingFields = {
  type: z.literal('end-user-messaging-sms'),
  originationIdentity: z.string().check(
    z.minLength(1),
    z.maxLength(256),
    z.superRefine((value, ctx) => {
      if (value.startsWith('+') ? !e164Schema.safeParse(value).success : !/^[A-Za-z0-9_:/-]+$/.test(value))
        ctx.addIssue({
          code: 'custom',
          message:
            'must be a phone number in E.164 form (+14155550123), or the id or ARN of a phone number, pool or sender ID',
        });
    }),
    z.meta({ description: 'The number, pool or sender ID messages come from (OriginationIdentity).' }),
  ),
  configurationSet: z
    .optional(
      z.string().check(z.regex(/^[A-Za-z0-9_:/-]{1,256}$/, 'must be 1 to 256 letters, digits, _ : / or -')),
    )
    .check(
      z.meta({
        description: 'End User Messaging configuration set (its event destinations get the events).',
      }),
    ),
  maxPriceUsd: z
    .optional(
      z.number().check(z.gte(0.00001, 'must be more than 0'), z.lte(99.99999, 'must be less than 100')),
    )
    .check(z.meta({ description: 'Most a message part may cost, in USD (MaxPrice).' })),
  timeToLiveSeconds: z
    .optional(
      z
        .int('must be a whole number')
        .check(z.gte(5, 'must be 5 to 259200'), z.lte(259_200, 'must be 5 to 259200')),
    )
    .check(
      z.meta({ description: 'How long End User Messaging tries to deliver (TimeToLive), 5 s to 72 h.' }),
    ),
  originationType: originationTypeSchema,
};
const endUserMessagingProviderSchema = z.strictObject(endUserMessagingFields);

/** The push platforms SNS mobile push serves here: Apple (production, sandbox) and Firebase. */
export const PUSH_PLATFORMS = ['apns', 'apnsSandbox', 'fcm'] as const;
export type PushPlatform = (typeof PUSH_PLATFORMS)[number];

/** SNS's name for each push platform (in the ARN, and as the key of a per-platform message). */
export const SNS_PLATFORM: Readonly<Record<PushPlatform, 'APNS' | 'APNS_SANDBOX' | 'GCM'>> = {
  apns: 'APNS',
  apnsSandbox: 'APNS_SANDBOX',
  fcm: 'GCM',
};

const pushApplicationSchema = z.strictObject({
  appId: z.string().check(
    z.minLength(1),
    z.maxLength(256),
    z.regex(/^[\x21-\x7e]+$/, 'must be visible ASCII characters'),
    z.meta({
      description:
        "The app, as campaigns name it (the reference system's pushInfo.appID), e.g. com.example.app.",
    }),
  ),
  platform: z.enum(PUSH_PLATFORMS, { error: `must be one of ${PUSH_PLATFORMS.join(', ')}` }),
  platformApplicationArn: z
    .string()
    .check(
      z.maxLength(1024),
      z.regex(
        /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:app\/(APNS|APNS_SANDBOX|GCM)\/[A-Za-z0-9_.-]{1,256}$/,
        'must be an SNS platform application ARN (arn:aws:sns:<region>:<account>:app/<APNS|APNS_SANDBOX|GCM>/<name>)',
      ),
    ),
});

const snsPushFields = {
  type: z.literal('sns-push'),
  applications: z
    .array(pushApplicationSchema)
    .check(
      z.minLength(1, 'must name at least one platform application'),
      z.maxLength(50, 'must be at most 50 applications'),
      z.meta({ description: 'The SNS platform application of each app and platform.' }),
    ),
};
const snsPushProviderSchema = z.strictObject(snsPushFields).check(
  z.superRefine((provider, ctx) => {
    const seen = new Set<string>();
    provider.applications.forEach((app, index) => {
      const key = `${app.appId} ${app.platform}`;
      if (seen.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['applications', index, 'platform'],
          message: `names ${app.platform} for ${app.appId} a second time`,
        });
      seen.add(key);
      const arnPlatform = /:app\/([A-Z_]+)\//.exec(app.platformApplicationArn)?.[1];
      if (arnPlatform !== undefined && arnPlatform !== SNS_PLATFORM[app.platform])
        ctx.addIssue({
          code: 'custom',
          path: ['applications', index, 'platformApplicationArn'],
          message: `is a ${arnPlatform} application; ${app.platform} needs ${SNS_PLATFORM[app.platform]}`,
        });
    });
  }),
);

const sesFields = {
  type: z.literal('ses'),
  fromAddress: senderAddressSchema.check(
    z.meta({ description: 'A verified SES identity (address or domain).' }),
  ),
  fromName: z.optional(fromNameSchema),
  replyTo: z.optional(senderAddressSchema),
  unsubscribeMailto: unsubscribeMailtoSchema,
  configurationSet: z
    .optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, _ or -')))
    .check(
      z.meta({
        description: "SES configuration set; the stack's own (with its event destination) when unset.",
      }),
    ),
};
const sesProviderSchema = z.strictObject(sesFields);

const smtpFields = {
  host: hostSchema,
  port: z
    .int('must be a whole number')
    .check(z.gte(1, 'must be 1 to 65535'), z.lte(65535, 'must be 1 to 65535')),
  secure: z
    .boolean()
    .check(z.meta({ description: 'TLS from the start (port 465); false: STARTTLS when offered.' })),
  username: z.optional(
    z
      .string()
      .check(z.minLength(1), z.maxLength(256), z.regex(/^\P{Cc}*$/u, 'must not contain control characters')),
  ),
  fromAddress: senderAddressSchema,
  fromName: z.optional(fromNameSchema),
  replyTo: z.optional(senderAddressSchema),
  unsubscribeMailto: unsubscribeMailtoSchema,
};

/** DKIM (RFC 6376): the signing domain and selector, shown; the private key write-only, like the password. */
const dkimFields = {
  domainName: z
    .string()
    .check(
      z.maxLength(253),
      z.regex(
        /^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/,
        'must be a domain name (example.com)',
      ),
      z.meta({ description: 'The signing domain (d=), usually the From domain.' }),
    ),
  keySelector: z
    .string()
    .check(
      z.regex(
        /^[A-Za-z0-9]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9_-]{0,62}))*$/,
        'must be a DNS label (s=)',
      ),
      z.maxLength(253),
      z.meta({ description: 'The selector (s=): the public key is at <selector>._domainkey.<domain>.' }),
    ),
};

/** A PEM private key Node can read (RSA or Ed25519), at most 16 KB. */
const dkimPrivateKeySchema = z.string().check(
  z.maxLength(16_384, 'must be at most 16384 characters'),
  z.refine((pem) => readablePrivateKey(pem), 'must be a PEM-encoded RSA or Ed25519 private key'),
  z.meta({ description: 'Write-only: PEM private key, stored encrypted, never returned or logged.' }),
);

function readablePrivateKey(pem: string): boolean {
  if (!/^-----BEGIN (RSA )?PRIVATE KEY-----/.test(pem.trim())) return false;
  try {
    const type = createPrivateKey(pem).asymmetricKeyType;
    return type === 'rsa' || type === 'ed25519';
  } catch {
    return false;
  }
}

const dkimInputSchema = z.strictObject({ ...dkimFields, privateKey: dkimPrivateKeySchema });
/** In a PATCH: without `privateKey` the stored key is kept (with the new domain and selector). */
const dkimPatchSchema = z.strictObject({ ...dkimFields, privateKey: z.optional(dkimPrivateKeySchema) });

const passwordSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(1024),
    z.meta({ description: 'Write-only: stored encrypted, never returned or logged.' }),
  );

const smtpProviderInput = z.strictObject({
  type: z.literal('smtp'),
  ...smtpFields,
  password: z.optional(passwordSchema),
  dkim: z.optional(dkimInputSchema),
});

/** A provider as a client sends it (the SMTP password in clear, once, over TLS). */
export const providerInputSchema = z
  .discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('sandbox') }),
      sesProviderSchema,
      smtpProviderInput,
      snsSmsProviderSchema,
      endUserMessagingProviderSchema,
      snsPushProviderSchema,
    ],
    {
      error: `must be a provider object whose type is one of ${PROVIDER_TYPES.join(', ')}`,
    },
  )
  .check(z.meta({ id: 'ChannelProviderInput' }));
export type ProviderInput = z.infer<typeof providerInputSchema>;

/** A provider as Herald shows it: never the password, only whether one is set. */
export const providerViewSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('sandbox') }),
    z.object(sesFields),
    z.object({
      type: z.literal('smtp'),
      ...smtpFields,
      passwordSet: z.boolean(),
      dkim: z
        .optional(z.object(dkimFields))
        .check(z.meta({ description: 'DKIM signing; the private key is never shown.' })),
    }),
    z.object(snsSmsFields),
    z.object(endUserMessagingFields),
    z.object(snsPushFields),
  ])
  .check(z.meta({ id: 'ChannelProvider' }));
export type ProviderView = z.infer<typeof providerViewSchema>;

export const rateLimitSchema = z.int('must be a whole number').check(
  z.gte(1, 'must be at least 1'),
  z.lte(10_000, 'must be at most 10000'),
  z.meta({
    description: "Messages per second across all dispatch workers; unset: no limit of Herald's own.",
  }),
);

/** The configuration a message moves to when this one's provider is down (ADR 0021). */
const fallbackSchema = uuidSchema.check(
  z.meta({
    description:
      "Another configuration of the same channel (not the sandbox provider) that sends a message when this one's provider is down: no connection, a 5xx answer, or throttling past 3 tries. Never both: a message is sent by at most one.",
  }),
);

export const createChannelConfigurationSchema = z
  .strictObject({
    name: nameSchema(100),
    channel: z.enum(CHANNELS),
    provider: providerInputSchema,
    rateLimitPerSec: z.optional(rateLimitSchema),
    fallback: z.optional(fallbackSchema),
    default: z._default(z.boolean(), false).check(
      z.meta({
        description:
          "The sandbox's configuration for the channel when a campaign names none; one per channel.",
      }),
    ),
  })
  .check(
    z.superRefine((input, ctx) => {
      if (!PROVIDER_CHANNELS[input.provider.type].includes(input.channel))
        ctx.addIssue({
          code: 'custom',
          path: ['provider', 'type'],
          message: `cannot carry the ${input.channel} channel (${input.provider.type} carries ${PROVIDER_CHANNELS[input.provider.type].join(', ')})`,
        });
    }),
  )
  .clone()
  .register(z.globalRegistry, { id: 'CreateChannelConfiguration' });
export type CreateChannelConfigurationInput = z.infer<typeof createChannelConfigurationSchema>;

/**
 * A change: the fields given replace the stored ones. A new `provider` replaces the whole provider;
 * an SMTP provider given without `password` keeps the stored password (it is write-only), and
 * `password: null` removes it; likewise `dkim` (absent: kept; `null`: removed; without
 * `privateKey`: the stored key with the new domain and selector). `rateLimitPerSec: null` removes the limit. The channel cannot change.
 */
export const patchChannelConfigurationSchema = z
  .strictObject({
    name: z.optional(nameSchema(100)),
    provider: z.optional(
      z.discriminatedUnion(
        'type',
        [
          z.strictObject({ type: z.literal('sandbox') }),
          sesProviderSchema,
          z.strictObject({
            type: z.literal('smtp'),
            ...smtpFields,
            password: z.optional(z.nullable(passwordSchema)),
            dkim: z.optional(z.nullable(dkimPatchSchema)),
          }),
          snsSmsProviderSchema,
          endUserMessagingProviderSchema,
          snsPushProviderSchema,
        ],
        { error: `must be a provider object whose type is one of ${PROVIDER_TYPES.join(', ')}` },
      ),
    ),
    rateLimitPerSec: z.optional(z.nullable(rateLimitSchema)),
    fallback: z.optional(z.nullable(fallbackSchema)),
    default: z.optional(z.boolean()),
  })
  .check(z.refine((patch) => Object.keys(patch).length > 0, 'must change at least one field'))
  .clone()
  .register(z.globalRegistry, { id: 'PatchChannelConfiguration' });
export type PatchChannelConfigurationInput = z.infer<typeof patchChannelConfigurationSchema>;

/** How the configuration's provider calls went lately (GET and list only; ADR 0028). */
export const providerHealthSchema = z
  .object({
    recentFailures: z.int().check(
      z.meta({
        description:
          "The provider's own failures (no connection, 5xx, throttling, timeouts; a message moved to the fallback counts for the primary) in the last windowMinutes: counted in 15-minute windows, the current one and the one before, so the last 15 to 30 minutes. A recipient's refusal (bounce, error, opt-out) is not one.",
      }),
    ),
    windowMinutes: z.int(),
    lastFailureAt: z.optional(isoDateTimeSchema),
    lastFailureCode: z.optional(z.string()),
    lastFailureReason: z.optional(z.string()),
    lastSuccessAt: z.optional(isoDateTimeSchema).check(
      z.meta({
        description:
          'When the provider last took a message, to within a minute (each dispatcher writes a success at most once a minute, and at once after a failure).',
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'ProviderHealth' });

export const channelConfigurationSchema = z
  .object({
    id: uuidSchema,
    name: z.string(),
    channel: z.enum(CHANNELS),
    provider: providerViewSchema,
    rateLimitPerSec: z.optional(z.int()),
    effectiveRateLimitPerSec: z.optional(z.number()),
    rateLimitUnit: z.optional(z.enum(['parts', 'messages'])),
    fallback: z.optional(z.string()),
    default: z.boolean(),
    createdAt: isoDateTimeSchema,
    modifiedAt: isoDateTimeSchema,
    health: z.optional(providerHealthSchema),
  })
  .register(z.globalRegistry, { id: 'ChannelConfiguration' });
export type ChannelConfigurationView = z.infer<typeof channelConfigurationSchema>;

export const channelConfigurationParamsSchema = z.strictObject({ id: uuidSchema });
