import * as z from 'zod';
import { CHANNELS } from './campaign.ts';
import { isoDateTimeSchema, pageQuerySchema } from './common.ts';

export const suppressionSchema = z
  .object({
    channel: z.enum(CHANNELS),
    address: z.string().meta({ description: 'The email address, E.164 phone number or push token.' }),
    code: z.string().meta({
      description: 'The status code that suppressed it: `hard-bounce`, `abuse`, `smtp-550`, `unreachable`, …',
    }),
    messageId: z.string().meta({ description: 'The message whose bounce or complaint suppressed it.' }),
    suppressedAt: isoDateTimeSchema,
  })
  .meta({ id: 'Suppression' });
export type SuppressionView = z.infer<typeof suppressionSchema>;

export const listSuppressionsQuerySchema = pageQuerySchema.extend({
  channel: z.enum(CHANNELS).meta({ description: 'The channel whose list to read.' }),
});

export const suppressionParamsSchema = z.strictObject({
  channel: z.enum(CHANNELS),
  address: z.string().min(1).max(4096).meta({
    description: 'The address, percent-encoded; normalized as sends normalize it (email case, E.164 phone).',
  }),
});
