import { isoDateTimeSchema, uuidSchema } from './common.ts';
import { channelDataSchema } from './execution.ts';
import * as z from './zod.ts';

const MAX_SAMPLE_BYTES = 200_000;

const sampleValues = z.record(z.string().check(z.maxLength(256)), z.unknown()).check(
  z.refine((value) => JSON.stringify(value).length <= MAX_SAMPLE_BYTES, {
    message: 'must be at most 200 KB as JSON',
  }),
);

/**
 * `POST /campaigns/{id}/tests`: send the campaign's content once to an address the caller names,
 * through the campaign's own channel configuration. Not an execution of the campaign: it is
 * marked `test`, is not in the execution log, publishes no status events and counts in no metric.
 */
export const testSendSchema = z
  .strictObject({
    version: z.optional(
      z.enum(['draft', 'live']).check(
        z.meta({
          description:
            'Which content: `draft` (the default) sends the pending edits (or the draft campaign itself); `live` the active definition (400 for a campaign never activated).',
        }),
      ),
    ),
    channelData: channelDataSchema.check(
      z.meta({
        description:
          "Where to send: `emailAddress` (email), `mobilePhoneNumber` (SMS) or `pushInfo` (push), the one for the campaign's channel.",
      }),
    ),
    sampleProfile: z.optional(
      sampleValues.check(z.meta({ description: 'Attributes `{{profile.*}}` reads (nothing is stored).' })),
    ),
    context: z.optional(sampleValues.check(z.meta({ description: 'Values for `{{context.*}}`.' }))),
  })
  .check(z.meta({ id: 'TestSend' }));
export type TestSendInput = z.infer<typeof testSendSchema>;

export const testSendAcceptedSchema = z
  .strictObject({
    executionId: uuidSchema,
    messageId: uuidSchema,
    campaignId: uuidSchema,
    version: z.enum(['draft', 'live']),
    test: z.literal(true),
    to: z.string().check(z.meta({ description: 'The address as normalised (what the provider is given).' })),
    createdAt: isoDateTimeSchema,
  })
  .check(
    z.meta({
      id: 'TestSendAccepted',
      description:
        'Queued for sending: `GET /executions/{executionId}` shows its status (and, with the sandbox provider, the rendered message).',
    }),
  );
export type TestSendAccepted = z.infer<typeof testSendAcceptedSchema>;
