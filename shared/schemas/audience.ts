import { isoDateTimeSchema, nameSchema, uuidSchema } from './common.ts';
import { identitySchema } from './profile.ts';
import * as z from './zod.ts';

/** Identities per membership call; larger lists go through imports. */
export const MAX_MEMBERS_PER_CALL = 1_000;
/** Lines (CSV records) per import chunk. */
export const MAX_IMPORT_LINES = 1_000;
/** Columns of a CSV import's header. */
export const MAX_IMPORT_COLUMNS = 100;
export const IMPORT_FORMATS = ['ndjson', 'csv'] as const;

export const createAudienceSchema = z
  .strictObject({ name: nameSchema(256), description: z.optional(z.string().check(z.maxLength(2_000))) })
  .register(z.globalRegistry, { id: 'CreateAudience' });
export type CreateAudienceInput = z.infer<typeof createAudienceSchema>;

export const patchAudienceSchema = z
  .strictObject({
    name: z.optional(nameSchema(256)),
    description: z.optional(z.nullable(z.string().check(z.maxLength(2_000)))),
  })
  .register(z.globalRegistry, { id: 'PatchAudience' });
export type PatchAudienceInput = z.infer<typeof patchAudienceSchema>;

export const audienceSchema = z
  .object({
    id: uuidSchema,
    name: z.string(),
    description: z.optional(z.string()),
    memberCount: z
      .optional(z.int())
      .check(z.meta({ description: 'Counted on read (single audience only).' })),
    createdAt: isoDateTimeSchema,
    modifiedAt: isoDateTimeSchema,
  })
  .register(z.globalRegistry, { id: 'Audience' });
export type AudienceView = z.infer<typeof audienceSchema>;

export const membersSchema = z
  .strictObject({
    identities: z
      .array(identitySchema)
      .check(
        z.minLength(1, 'must name at least one identity'),
        z.maxLength(
          MAX_MEMBERS_PER_CALL,
          `must name at most ${MAX_MEMBERS_PER_CALL} identities; import larger lists`,
        ),
      ),
  })
  .register(z.globalRegistry, { id: 'AudienceMembers' });
export type MembersInput = z.infer<typeof membersSchema>;

export const rejectionSchema = z.object({ line: z.int(), reason: z.string() });

export const membershipResultSchema = z
  .object({
    added: z
      .int()
      .check(z.meta({ description: 'Members added (already members count too: adding is idempotent).' })),
    created: z.int().check(z.meta({ description: 'Profiles created for identities Herald did not know.' })),
    rejected: z
      .array(rejectionSchema)
      .check(z.meta({ description: 'Identities refused, by position (0-based) and reason.' })),
  })
  .register(z.globalRegistry, { id: 'MembershipResult' });

export const removalResultSchema = z
  .object({ removed: z.int(), notMembers: z.int() })
  .register(z.globalRegistry, { id: 'MembershipRemoval' });

export const importChunkSchema = z
  .strictObject({
    importId: z
      .optional(uuidSchema)
      .check(z.meta({ description: 'Continue an import; absent starts a new one.' })),
    format: z.optional(z.enum(IMPORT_FORMATS)).check(
      z.meta({
        description:
          '`ndjson` (the default) or `csv`; a continued import keeps the format it started with (give the same or none).',
      }),
    ),
    lines: z.string().check(
      z.minLength(1),
      z.meta({
        description:
          'ndjson: one JSON object per line, an identity `{"namespace":"email","id":"a@example.com"}` or a profile `{"identities":[…],"attributes":{…},"consent":{"marketing":{"email":"y"}}}`. csv (RFC 4180): the first chunk starts with the header — columns named after an identity namespace (`email`, `phone`, a registered one), `attributes.<name>`, `consent.marketing.<email|sms|push>` (`y`/`n`); an empty cell is no value. A chunk ends at a record boundary.',
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'AudienceImportChunk' });

export const importProgressSchema = z
  .object({
    importId: uuidSchema,
    audienceId: uuidSchema,
    format: z
      .optional(z.enum(IMPORT_FORMATS))
      .check(z.meta({ description: 'Absent on imports started as ndjson before formats existed.' })),
    columns: z
      .optional(z.array(z.string()))
      .check(z.meta({ description: "A CSV import's header, as its first chunk gave it." })),
    chunks: z.int(),
    lines: z.int(),
    imported: z.int(),
    created: z.int(),
    rejected: z.int(),
    rejections: z
      .array(rejectionSchema)
      .check(
        z.meta({ description: 'The first 100 rejected lines (line numbers count across chunks, from 1).' }),
      ),
    startedAt: isoDateTimeSchema,
    modifiedAt: isoDateTimeSchema,
  })
  .register(z.globalRegistry, { id: 'AudienceImport' });
export type ImportProgress = z.infer<typeof importProgressSchema>;

export const audienceIdParamsSchema = z.strictObject({ id: uuidSchema });
export const importParamsSchema = z.strictObject({ id: uuidSchema, importId: uuidSchema });

export const memberSchema = z
  .object({
    profileId: z.string(),
    identities: z
      .array(identitySchema)
      .check(z.meta({ description: "The member's identities (empty if its profile was deleted)." })),
  })
  .register(z.globalRegistry, { id: 'AudienceMember' });
export type MemberView = z.infer<typeof memberSchema>;
