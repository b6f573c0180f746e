/**
 * Herald's personalization templates: Handlebars-style `{{profile.path}}` and `{{context.path}}`,
 * and `{{unsubscribeUrl}}` (the recipient's one-click unsubscribe link, in marketing email), with
 * `{{{…}}}` for unescaped output in HTML. Written here rather than taken from Handlebars
 * because Herald needs only variable substitution, must report which variables were missing, and
 * must never evaluate helpers or partials from user content (see docs/adr/0004-templates.md).
 */

export type TemplateRoot = 'profile' | 'context' | 'unsubscribeUrl';

/** Names that stand alone, without a path. */
const BARE_NAMES: ReadonlySet<string> = new Set(['unsubscribeUrl']);

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'variable';
      readonly root: TemplateRoot;
      readonly path: readonly string[];
      readonly raw: boolean;
    };

export interface CompiledTemplate {
  readonly parts: readonly TemplatePart[];
  /** Every variable the template names, as `profile.a.b`. */
  readonly variables: readonly string[];
}

export class TemplateSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'TemplateSyntaxError';
    this.offset = offset;
  }
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

export function compileTemplate(source: string): CompiledTemplate {
  const parts: TemplatePart[] = [];
  const variables: string[] = [];
  let index = 0;
  while (index < source.length) {
    const open = source.indexOf('{{', index);
    if (open === -1) {
      parts.push({ kind: 'text', text: source.slice(index) });
      break;
    }
    if (open > index) parts.push({ kind: 'text', text: source.slice(index, open) });
    const raw = source.startsWith('{{{', open);
    const closer = raw ? '}}}' : '}}';
    const start = open + (raw ? 3 : 2);
    const close = source.indexOf(closer, start);
    if (close === -1)
      throw new TemplateSyntaxError(`'${raw ? '{{{' : '{{'}' at offset ${open} is never closed`, open);
    const expression = source.slice(start, close).trim();
    const segments = expression.split('.');
    const [root, ...path] = segments;
    if (root === 'unsubscribeUrl' && path.length === 0) {
      parts.push({ kind: 'variable', root, path, raw });
      variables.push(expression);
      index = close + closer.length;
      continue;
    }
    if (root !== 'profile' && root !== 'context') {
      throw new TemplateSyntaxError(
        `'{{${expression}}}' at offset ${open}: only profile.*, context.* and unsubscribeUrl are supported`,
        open,
      );
    }
    if (path.length === 0 || !path.every((s) => SEGMENT.test(s))) {
      throw new TemplateSyntaxError(`'{{${expression}}}' at offset ${open} is not a variable path`, open);
    }
    parts.push({ kind: 'variable', root, path, raw });
    variables.push(expression);
    index = close + closer.length;
  }
  return { parts, variables };
}

export interface RenderScope {
  readonly profile: Readonly<Record<string, unknown>>;
  readonly context: Readonly<Record<string, unknown>>;
  /** Marketing email only: the recipient's unsubscribe link. */
  readonly unsubscribeUrl?: string;
}

export interface RenderResult {
  readonly output: string;
  /** Variables that had no value (rendered empty). */
  readonly missing: readonly string[];
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
  '=': '&#61;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`=]/g, (c) => HTML_ESCAPES[c] ?? c);
}

function lookup(scope: RenderScope, root: TemplateRoot, path: readonly string[]): unknown {
  if (BARE_NAMES.has(root)) return path.length === 0 ? scope[root as 'unsubscribeUrl'] : undefined;
  let current: unknown = scope[root as 'profile' | 'context'];
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function stringify(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A rendering that grew past its budget (a template repeating a large value, say). */
export class RenderBudgetError extends Error {
  readonly maxLength: number;
  constructor(maxLength: number) {
    super(`the rendered message is larger than ${maxLength}`);
    this.maxLength = maxLength;
    this.name = 'RenderBudgetError';
  }
}

/**
 * Renders; `escape` HTML-escapes `{{…}}` values (never `{{{…}}}`). Missing values render empty.
 * Stops with RenderBudgetError as soon as the output passes `maxLength` characters, so no template
 * can build a string larger than a message may be.
 */
export function renderTemplate(
  template: CompiledTemplate,
  scope: RenderScope,
  htmlEscape: boolean,
  maxLength = Number.POSITIVE_INFINITY,
): RenderResult {
  let output = '';
  const missing: string[] = [];
  for (const part of template.parts) {
    if (part.kind === 'text') {
      output += part.text;
      continue;
    }
    const value = stringify(lookup(scope, part.root, part.path));
    if (value === undefined) {
      const name = `${part.root}.${part.path.join('.')}`;
      if (!missing.includes(name)) missing.push(name);
      continue;
    }
    output += htmlEscape && !part.raw ? escapeHtml(value) : value;
    if (output.length > maxLength) throw new RenderBudgetError(maxLength);
  }
  if (output.length > maxLength) throw new RenderBudgetError(maxLength);
  return { output, missing };
}
