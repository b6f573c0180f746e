import { isoDateTimeSchema, uuidSchema } from './common.ts';
import * as z from './zod.ts';

export const EXECUTION_KINDS = ['unitary', 'high-throughput', 'audience'] as const;

/** `GET /executions`: newest first, a page at a time, optionally one campaign's, one kind, since a date. */
export const listExecutionsQuerySchema = z
  .strictObject({
    limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 25),
    cursor: z
      .optional(z.string().check(z.maxLength(512)))
      .check(z.meta({ description: 'The `nextCursor` of the previous page.' })),
    campaignId: z.optional(uuidSchema),
    kind: z.optional(z.enum(EXECUTION_KINDS)),
    since: z
      .optional(isoDateTimeSchema)
      .check(z.meta({ description: 'Only executions created at or after this instant.' })),
  })
  .register(z.globalRegistry, { id: 'ListExecutionsQuery' });
export type ListExecutionsQuery = z.infer<typeof listExecutionsQuerySchema>;

export const executionSummarySchema = z
  .object({
    executionId: uuidSchema,
    kind: z.enum(EXECUTION_KINDS).check(
      z.meta({
        description:
          'unitary and high-throughput: read with GET /executions/{executionId}; audience: GET /im/executions/audience/{executionId}.',
      }),
    ),
    campaignId: uuidSchema,
    requestId: z.optional(z.string()),
    audienceId: z.optional(uuidSchema),
    createdAt: isoDateTimeSchema,
    createdBy: z.string(),
  })
  .register(z.globalRegistry, { id: 'ExecutionSummary' });
export type ExecutionSummary = z.infer<typeof executionSummarySchema>;
