import { isoDateTimeSchema, namespaceCodeSchema } from './common.ts';
import * as z from './zod.ts';

/** Profiles may name at most this many identities in one upsert (one transaction holds them all). */
export const MAX_IDENTITIES_PER_PROFILE = 20;
/** Serialized attributes of one profile are capped well under DynamoDB's 400 KB item limit. */
export const MAX_PROFILE_ATTRIBUTES_BYTES = 100_000;

export const identitySchema = z
  .strictObject({ namespace: namespaceCodeSchema, id: z.string().check(z.minLength(1), z.maxLength(256)) })
  .register(z.globalRegistry, { id: 'Identity' });
export type Identity = z.infer<typeof identitySchema>;

const consentValue = z.enum(['y', 'n']);
export const consentSchema = z
  .strictObject({
    marketing: z.optional(
      z.strictObject({
        email: z.optional(consentValue),
        sms: z.optional(consentValue),
        push: z.optional(consentValue),
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'Consent' });
export type Consent = z.infer<typeof consentSchema>;

/** A change of marketing consent the profile's owner made themselves (an unsubscribe link). */
export const consentChangeSchema = z
  .object({
    channel: z.enum(['email', 'sms', 'push']),
    value: consentValue,
    at: z.string(),
    via: z.enum(['one-click', 'unsubscribe-page', 'sms-stop', 'sms-opted-out']).check(
      z.meta({
        description:
          '`one-click`: a mailbox provider POSTed the List-Unsubscribe URL (RFC 8058); `unsubscribe-page`: the person confirmed on the page; `sms-stop`: the person texted an opt-out keyword (STOP…) to a sending number; `sms-opted-out`: the SMS provider refused a send because the number is on its opt-out list.',
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'ConsentChange' });
export type ConsentChange = z.infer<typeof consentChangeSchema>;

export const attributesSchema = z
  .record(z.string().check(z.minLength(1), z.maxLength(128)), z.unknown())
  .check(
    z.refine((value) => JSON.stringify(value).length <= MAX_PROFILE_ATTRIBUTES_BYTES, {
      message: `must serialize to at most ${MAX_PROFILE_ATTRIBUTES_BYTES} bytes`,
    }),
  );

export const upsertProfileSchema = z
  .strictObject({
    identities: z
      .array(identitySchema)
      .check(
        z.minLength(1, 'must name at least one identity'),
        z.maxLength(MAX_IDENTITIES_PER_PROFILE, `must name at most ${MAX_IDENTITIES_PER_PROFILE} identities`),
      ),
    attributes: z.optional(attributesSchema),
    consent: z.optional(consentSchema),
    audiences: z
      .optional(
        z
          .array(z.string().check(z.regex(/^[0-9a-f-]{36}$/, 'must be an audience id')))
          .check(z.maxLength(20)),
      )
      .check(z.meta({ description: 'Audiences (ids) the profile joins; each must exist in the sandbox.' })),
  })
  .register(z.globalRegistry, { id: 'UpsertProfile' });
export type UpsertProfileInput = z.infer<typeof upsertProfileSchema>;

export const profileSchema = z
  .object({
    profileId: z.string(),
    identities: z.array(identitySchema),
    attributes: z.record(z.string(), z.unknown()),
    consent: consentSchema,
    consentChanges: z
      .optional(z.array(consentChangeSchema))
      .check(
        z.meta({ description: 'The latest consent changes made through unsubscribe links, oldest first.' }),
      ),
    dataset: z.string().check(
      z.meta({
        description: '`profiles` (API upserts) or `interactive-messaging` (created by a trigger).',
      }),
    ),
    createdAt: isoDateTimeSchema,
    modifiedAt: isoDateTimeSchema,
  })
  .register(z.globalRegistry, { id: 'Profile' });
export type ProfileView = z.infer<typeof profileSchema>;

export const upsertProfileResultSchema = z
  .extend(profileSchema, {
    created: z.boolean().check(z.meta({ description: 'True when this call created the profile.' })),
  })
  .register(z.globalRegistry, { id: 'UpsertProfileResult' });

export const profileParamsSchema = z.strictObject({
  namespace: namespaceCodeSchema,
  id: z.string().check(z.minLength(1), z.maxLength(256)),
});

/** `GET /profiles/{namespace}/{id}/audiences`: the static audiences the profile is a member of. */
export const profileAudiencesSchema = z
  .strictObject({
    items: z.array(z.strictObject({ id: z.string(), name: z.string() })),
  })
  .check(z.meta({ id: 'ProfileAudiences' }));
export type ProfileAudiences = z.infer<typeof profileAudiencesSchema>;
