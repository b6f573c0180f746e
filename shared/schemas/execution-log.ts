import * as z from 'zod';
import { isoDateTimeSchema, uuidSchema } from './common.ts';

export const EXECUTION_KINDS = ['unitary', 'high-throughput', 'audience'] as const;

/** `GET /executions`: newest first, a page at a time, optionally one campaign's, one kind, since a date. */
export const listExecutionsQuerySchema = z
  .strictObject({
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(512).optional().meta({ description: 'The `nextCursor` of the previous page.' }),
    campaignId: uuidSchema.optional(),
    kind: z.enum(EXECUTION_KINDS).optional(),
    since: isoDateTimeSchema
      .optional()
      .meta({ description: 'Only executions created at or after this instant.' }),
  })
  .meta({ id: 'ListExecutionsQuery' });
export type ListExecutionsQuery = z.infer<typeof listExecutionsQuerySchema>;

export const executionSummarySchema = z
  .object({
    executionId: uuidSchema,
    kind: z.enum(EXECUTION_KINDS).meta({
      description:
        'unitary and high-throughput: read with GET /executions/{executionId}; audience: GET /im/executions/audience/{executionId}.',
    }),
    campaignId: uuidSchema,
    requestId: z.string().optional(),
    audienceId: uuidSchema.optional(),
    createdAt: isoDateTimeSchema,
    createdBy: z.string(),
  })
  .meta({ id: 'ExecutionSummary' });
export type ExecutionSummary = z.infer<typeof executionSummarySchema>;
