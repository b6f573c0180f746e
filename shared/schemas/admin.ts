import * as z from 'zod';
import { isoDateTimeSchema, nameSchema, namespaceCodeSchema, sandboxNameSchema } from './common.ts';

/** Whether libphonenumber-js knows the country is checked by the use case (schemas stay library-free). */
export const countryCodeSchema = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code in capitals, e.g. US')
  .meta({
    description:
      'ISO 3166-1 alpha-2. Phone numbers in national form (`(415) 555-0123`) are read as numbers of this country; without it they must be international (`+14155550123`).',
    example: 'US',
  });

export const createSandboxSchema = z
  .strictObject({ name: sandboxNameSchema, defaultCountry: countryCodeSchema.optional() })
  .meta({ id: 'CreateSandbox' });
export type CreateSandboxInput = z.infer<typeof createSandboxSchema>;

export const patchSandboxSchema = z
  .strictObject({
    defaultCountry: countryCodeSchema
      .nullable()
      .optional()
      .meta({ description: '`null` removes it: national numbers are refused again.' }),
  })
  .meta({ id: 'PatchSandbox' });
export type PatchSandboxInput = z.infer<typeof patchSandboxSchema>;

export const sandboxParamsSchema = z.strictObject({ name: sandboxNameSchema });

export const sandboxSchema = z
  .object({
    name: sandboxNameSchema,
    defaultCountry: z.string().optional(),
    createdAt: isoDateTimeSchema,
    modifiedAt: isoDateTimeSchema.optional(),
  })
  .meta({ id: 'Sandbox' });

/** Every scope a sandbox key can carry. `admin` implies all the others within its sandbox. */
export const SCOPES = [
  'admin',
  'campaigns:read',
  'campaigns:write',
  'profiles:read',
  'profiles:write',
  'executions:write',
  'executions:read',
  'webhooks:admin',
  'channels:admin',
  'audiences:read',
  'audiences:write',
] as const;
export type Scope = (typeof SCOPES)[number];

export const scopeSchema = z.enum(SCOPES);

export const createApiKeySchema = z
  .strictObject({
    sandbox: sandboxNameSchema.optional().meta({
      description: 'Required with the root key; a sandbox admin key may only name its own sandbox.',
    }),
    scopes: z
      .array(scopeSchema)
      .min(1, 'must name at least one scope')
      .refine((s) => new Set(s).size === s.length, 'must not repeat a scope'),
    name: nameSchema(100).optional(),
  })
  .meta({ id: 'CreateApiKey' });
export type CreateApiKeyInput = z.infer<typeof createApiKeySchema>;

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string().optional(),
    sandbox: sandboxNameSchema,
    scopes: z.array(scopeSchema),
    createdAt: isoDateTimeSchema,
    createdBy: z.string(),
  })
  .meta({ id: 'ApiKey' });
export type ApiKeyView = z.infer<typeof apiKeySchema>;

export const createdApiKeySchema = apiKeySchema
  .extend({ key: z.string().meta({ description: 'The secret. Shown only in this answer; store it now.' }) })
  .meta({ id: 'CreatedApiKey' });

export const listApiKeysQuerySchema = z.strictObject({
  sandbox: sandboxNameSchema.optional().meta({ description: 'Required with the root key.' }),
});

export const apiKeyIdParamsSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a key id'),
});

export const createNamespaceSchema = z
  .strictObject({
    code: namespaceCodeSchema,
    name: nameSchema(100).optional(),
    description: z.string().max(1000).optional(),
  })
  .meta({ id: 'CreateNamespace' });
export type CreateNamespaceInput = z.infer<typeof createNamespaceSchema>;

export const namespaceSchema = z
  .object({
    code: namespaceCodeSchema,
    name: z.string().optional(),
    description: z.string().optional(),
    standard: z.boolean(),
    createdAt: isoDateTimeSchema.optional(),
  })
  .meta({ id: 'Namespace' });
export type NamespaceView = z.infer<typeof namespaceSchema>;
