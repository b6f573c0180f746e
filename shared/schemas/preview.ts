import * as z from 'zod';
import { contentSchema } from './campaign.ts';
import { renderedContentShape } from './execution.ts';
import { identitySchema } from './profile.ts';

const sampleValues = z
  .record(z.string().max(256), z.unknown())
  .refine((value) => JSON.stringify(value).length <= 200_000, 'must be at most 200 KB as JSON');

/** `POST /previews`: content rendered by Herald's own template engine, nothing stored or sent. */
export const previewSchema = z
  .strictObject({
    content: contentSchema,
    profile: identitySchema
      .optional()
      .meta({ description: "Render against this profile's attributes (found by one of its identities)." }),
    sampleProfile: sampleValues
      .optional()
      .meta({ description: 'Or against these attributes, as `{{profile.*}}` would read them.' }),
    context: sampleValues.optional().meta({ description: 'The call context, as `{{context.*}}` reads it.' }),
  })
  .refine((body) => !(body.profile && body.sampleProfile), {
    path: ['sampleProfile'],
    message: 'give either profile or sampleProfile, not both',
  })
  .meta({ id: 'Preview' });
export type PreviewInput = z.infer<typeof previewSchema>;

export const previewResultSchema = z
  .object({
    rendered: z.object(renderedContentShape),
    missingVariables: z.array(z.string()).meta({ description: 'Variables with no value (rendered empty).' }),
  })
  .meta({ id: 'PreviewResult' });
export type PreviewResult = z.infer<typeof previewResultSchema>;
