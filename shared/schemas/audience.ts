import * as z from 'zod';
import { isoDateTimeSchema, nameSchema, uuidSchema } from './common.ts';
import { identitySchema } from './profile.ts';

/** Identities per membership call; larger lists go through imports. */
export const MAX_MEMBERS_PER_CALL = 1_000;
/** Lines (CSV records) per import chunk. */
export const MAX_IMPORT_LINES = 1_000;
/** Columns of a CSV import's header. */
export const MAX_IMPORT_COLUMNS = 100;
export const IMPORT_FORMATS = ['ndjson', 'csv'] as const;

export const createAudienceSchema = z
  .strictObject({ name: nameSchema(256), description: z.string().max(2_000).optional() })
  .meta({ id: 'CreateAudience' });
export type CreateAudienceInput = z.infer<typeof createAudienceSchema>;

export const patchAudienceSchema = z
  .strictObject({
    name: nameSchema(256).optional(),
    description: z.string().max(2_000).nullable().optional(),
  })
  .meta({ id: 'PatchAudience' });
export type PatchAudienceInput = z.infer<typeof patchAudienceSchema>;

export const audienceSchema = z
  .object({
    id: uuidSchema,
    name: z.string(),
    description: z.string().optional(),
    memberCount: z.number().int().optional().meta({ description: 'Counted on read (single audience only).' }),
    createdAt: isoDateTimeSchema,
    modifiedAt: isoDateTimeSchema,
  })
  .meta({ id: 'Audience' });
export type AudienceView = z.infer<typeof audienceSchema>;

export const membersSchema = z
  .strictObject({
    identities: z
      .array(identitySchema)
      .min(1, 'must name at least one identity')
      .max(MAX_MEMBERS_PER_CALL, `must name at most ${MAX_MEMBERS_PER_CALL} identities; import larger lists`),
  })
  .meta({ id: 'AudienceMembers' });
export type MembersInput = z.infer<typeof membersSchema>;

export const rejectionSchema = z.object({ line: z.number().int(), reason: z.string() });

export const membershipResultSchema = z
  .object({
    added: z
      .number()
      .int()
      .meta({ description: 'Members added (already members count too: adding is idempotent).' }),
    created: z.number().int().meta({ description: 'Profiles created for identities Herald did not know.' }),
    rejected: z
      .array(rejectionSchema)
      .meta({ description: 'Identities refused, by position (0-based) and reason.' }),
  })
  .meta({ id: 'MembershipResult' });

export const removalResultSchema = z
  .object({ removed: z.number().int(), notMembers: z.number().int() })
  .meta({ id: 'MembershipRemoval' });

export const importChunkSchema = z
  .strictObject({
    importId: uuidSchema.optional().meta({ description: 'Continue an import; absent starts a new one.' }),
    format: z.enum(IMPORT_FORMATS).optional().meta({
      description:
        '`ndjson` (the default) or `csv`; a continued import keeps the format it started with (give the same or none).',
    }),
    lines: z.string().min(1).meta({
      description:
        'ndjson: one JSON object per line, an identity `{"namespace":"email","id":"a@example.com"}` or a profile `{"identities":[…],"attributes":{…},"consent":{"marketing":{"email":"y"}}}`. csv (RFC 4180): the first chunk starts with the header — columns named after an identity namespace (`email`, `phone`, a registered one), `attributes.<name>`, `consent.marketing.<email|sms|push>` (`y`/`n`); an empty cell is no value. A chunk ends at a record boundary.',
    }),
  })
  .meta({ id: 'AudienceImportChunk' });

export const importProgressSchema = z
  .object({
    importId: uuidSchema,
    audienceId: uuidSchema,
    format: z
      .enum(IMPORT_FORMATS)
      .optional()
      .meta({ description: 'Absent on imports started as ndjson before formats existed.' }),
    columns: z
      .array(z.string())
      .optional()
      .meta({ description: "A CSV import's header, as its first chunk gave it." }),
    chunks: z.number().int(),
    lines: z.number().int(),
    imported: z.number().int(),
    created: z.number().int(),
    rejected: z.number().int(),
    rejections: z
      .array(rejectionSchema)
      .meta({ description: 'The first 100 rejected lines (line numbers count across chunks, from 1).' }),
    startedAt: isoDateTimeSchema,
    modifiedAt: isoDateTimeSchema,
  })
  .meta({ id: 'AudienceImport' });
export type ImportProgress = z.infer<typeof importProgressSchema>;

export const audienceIdParamsSchema = z.strictObject({ id: uuidSchema });
export const importParamsSchema = z.strictObject({ id: uuidSchema, importId: uuidSchema });

export const memberSchema = z
  .object({
    profileId: z.string(),
    identities: z
      .array(identitySchema)
      .meta({ description: "The member's identities (empty if its profile was deleted)." }),
  })
  .meta({ id: 'AudienceMember' });
export type MemberView = z.infer<typeof memberSchema>;
