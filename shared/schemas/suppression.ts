import { CHANNELS } from './campaign.ts';
import { isoDateTimeSchema, pageQuerySchema } from './common.ts';
import * as z from './zod.ts';

export const suppressionSchema = z
  .object({
    channel: z.enum(CHANNELS),
    address: z
      .string()
      .check(z.meta({ description: 'The email address, E.164 phone number or push token.' })),
    code: z.string().check(
      z.meta({
        description:
          'The status code that suppressed it: `hard-bounce`, `abuse`, `smtp-550`, `unreachable`, …',
      }),
    ),
    messageId: z
      .string()
      .check(z.meta({ description: 'The message whose bounce or complaint suppressed it.' })),
    suppressedAt: isoDateTimeSchema,
  })
  .register(z.globalRegistry, { id: 'Suppression' });
export type SuppressionView = z.infer<typeof suppressionSchema>;

export const listSuppressionsQuerySchema = z.extend(pageQuerySchema, {
  channel: z.enum(CHANNELS).check(z.meta({ description: 'The channel whose list to read.' })),
});

export const suppressionParamsSchema = z.strictObject({
  channel: z.enum(CHANNELS),
  address: z.string().check(
    z.minLength(1),
    z.maxLength(4096),
    z.meta({
      description:
        'The address, percent-encoded; normalized as sends normalize it (email case, E.164 phone).',
    }),
  ),
});
