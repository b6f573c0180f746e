import { contentSchema } from './campaign.ts';
import { renderedContentShape } from './execution.ts';
import { identitySchema } from './profile.ts';
import * as z from './zod.ts';

const sampleValues = z
  .record(z.string().check(z.maxLength(256)), z.unknown())
  .check(z.refine((value) => JSON.stringify(value).length <= 200_000, 'must be at most 200 KB as JSON'));

/** `POST /previews`: content rendered by Herald's own template engine, nothing stored or sent. */
export const previewSchema = z
  .strictObject({
    content: contentSchema,
    profile: z
      .optional(identitySchema)
      .check(
        z.meta({ description: "Render against this profile's attributes (found by one of its identities)." }),
      ),
    sampleProfile: z
      .optional(sampleValues)
      .check(z.meta({ description: 'Or against these attributes, as `{{profile.*}}` would read them.' })),
    context: z
      .optional(sampleValues)
      .check(z.meta({ description: 'The call context, as `{{context.*}}` reads it.' })),
  })
  .check(
    z.refine((body) => !(body.profile && body.sampleProfile), {
      path: ['sampleProfile'],
      message: 'give either profile or sampleProfile, not both',
    }),
  )
  .clone()
  .register(z.globalRegistry, { id: 'Preview' });
export type PreviewInput = z.infer<typeof previewSchema>;

export const previewResultSchema = z
  .object({
    rendered: z.object(renderedContentShape),
    missingVariables: z
      .array(z.string())
      .check(z.meta({ description: 'Variables with no value (rendered empty).' })),
  })
  .register(z.globalRegistry, { id: 'PreviewResult' });
export type PreviewResult = z.infer<typeof previewResultSchema>;
