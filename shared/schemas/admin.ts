import { isoDateTimeSchema, nameSchema, namespaceCodeSchema, sandboxNameSchema } from './common.ts';
import * as z from './zod.ts';

/** Whether libphonenumber-js knows the country is checked by the use case (schemas stay library-free). */
export const countryCodeSchema = z.string().check(
  z.regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code in capitals, e.g. US'),
  z.meta({
    description:
      'ISO 3166-1 alpha-2. Phone numbers in national form (`(415) 555-0123`) are read as numbers of this country; without it they must be international (`+14155550123`).',
    example: 'US',
  }),
);

export const createSandboxSchema = z
  .strictObject({ name: sandboxNameSchema, defaultCountry: z.optional(countryCodeSchema) })
  .register(z.globalRegistry, { id: 'CreateSandbox' });
export type CreateSandboxInput = z.infer<typeof createSandboxSchema>;

export const patchSandboxSchema = z
  .strictObject({
    defaultCountry: z
      .optional(z.nullable(countryCodeSchema))
      .check(z.meta({ description: '`null` removes it: national numbers are refused again.' })),
  })
  .register(z.globalRegistry, { id: 'PatchSandbox' });
export type PatchSandboxInput = z.infer<typeof patchSandboxSchema>;

export const sandboxParamsSchema = z.strictObject({ name: sandboxNameSchema });

export const sandboxSchema = z
  .object({
    name: sandboxNameSchema,
    defaultCountry: z.optional(z.string()),
    createdAt: isoDateTimeSchema,
    modifiedAt: z.optional(isoDateTimeSchema),
  })
  .register(z.globalRegistry, { id: 'Sandbox' });

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
    sandbox: z.optional(sandboxNameSchema).check(
      z.meta({
        description: 'Required with the root key; a sandbox admin key may only name its own sandbox.',
      }),
    ),
    scopes: z.array(scopeSchema).check(
      z.minLength(1, 'must name at least one scope'),
      z.refine((s) => new Set(s).size === s.length, 'must not repeat a scope'),
    ),
    name: z.optional(nameSchema(100)),
  })
  .register(z.globalRegistry, { id: 'CreateApiKey' });
export type CreateApiKeyInput = z.infer<typeof createApiKeySchema>;

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.optional(z.string()),
    sandbox: sandboxNameSchema,
    scopes: z.array(scopeSchema),
    createdAt: isoDateTimeSchema,
    createdBy: z.string(),
  })
  .register(z.globalRegistry, { id: 'ApiKey' });
export type ApiKeyView = z.infer<typeof apiKeySchema>;

export const createdApiKeySchema = z
  .extend(apiKeySchema, {
    key: z.string().check(z.meta({ description: 'The secret. Shown only in this answer; store it now.' })),
  })
  .register(z.globalRegistry, { id: 'CreatedApiKey' });

export const listApiKeysQuerySchema = z.strictObject({
  sandbox: z.optional(sandboxNameSchema).check(z.meta({ description: 'Required with the root key.' })),
});

export const apiKeyIdParamsSchema = z.strictObject({
  id: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a key id')),
});

export const createNamespaceSchema = z
  .strictObject({
    code: namespaceCodeSchema,
    name: z.optional(nameSchema(100)),
    description: z.optional(z.string().check(z.maxLength(1000))),
  })
  .register(z.globalRegistry, { id: 'CreateNamespace' });
export type CreateNamespaceInput = z.infer<typeof createNamespaceSchema>;

export const namespaceSchema = z
  .object({
    code: namespaceCodeSchema,
    name: z.optional(z.string()),
    description: z.optional(z.string()),
    standard: z.boolean(),
    createdAt: z.optional(isoDateTimeSchema),
  })
  .register(z.globalRegistry, { id: 'Namespace' });
export type NamespaceView = z.infer<typeof namespaceSchema>;
