import { contentTemplates } from '../domain/campaign.ts';
import { ValidationError } from '../domain/errors.ts';
import { renderContent } from '../domain/message.ts';
import { compileTemplate, RenderBudgetError, TemplateSyntaxError } from '../domain/template.ts';
import type { PreviewInput, PreviewResult } from '../schemas/preview.ts';
import { findProfile, type ProfileDeps } from './profiles.ts';

export type PreviewDeps = Pick<ProfileDeps, 'profiles' | 'namespaces' | 'sandboxSettings'>;

/** What `{{unsubscribeUrl}}` shows in a preview: no token is signed for it. */
const PREVIEW_UNSUBSCRIBE_URL = 'https://unsubscribe.invalid/preview';

/**
 * Renders content as a send would, against a profile or sample attributes and a context; stores
 * and sends nothing. Primary course: check every template (an error names its field and offset,
 * as a save does), read the profile when one is named, render.
 */
export async function previewContent(
  deps: PreviewDeps,
  sandbox: string,
  input: PreviewInput,
): Promise<PreviewResult> {
  const issues: { path: string; message: string }[] = [];
  for (const [path, source] of contentTemplates(input.content)) {
    try {
      compileTemplate(source);
    } catch (error) {
      if (!(error instanceof TemplateSyntaxError)) throw error;
      issues.push({ path: `body.${path}`, message: error.message });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
  const attributes = input.profile
    ? (await findProfile(deps, sandbox, input.profile.namespace, input.profile.id)).attributes
    : (input.sampleProfile ?? {});
  let result: ReturnType<typeof renderContent>;
  try {
    result = renderContent(input.content, {
      profile: attributes,
      context: input.context ?? {},
      unsubscribeUrl: PREVIEW_UNSUBSCRIBE_URL,
    });
  } catch (error) {
    if (!(error instanceof RenderBudgetError)) throw error;
    throw new ValidationError([
      { path: 'body.content', message: `renders larger than a message may be (${error.maxLength} bytes)` },
    ]);
  }
  const { rendered, missing } = result;
  return { rendered: { ...rendered }, missingVariables: missing };
}
