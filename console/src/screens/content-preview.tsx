import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Field, fieldError, ProblemBanner } from '../components.tsx';

interface Preview {
  readonly rendered: Record<string, string | Record<string, string> | undefined>;
  readonly missingVariables: string[];
}

/** How long typing pauses before the preview is asked for again. */
const DEBOUNCE_MS = 300;

const parseJson = (text: string, name: string): Record<string, unknown> => {
  if (!text.trim()) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new Error(`${name} must be a JSON object`);
};

/**
 * The content rendered by Herald itself (`POST /previews`) as it is typed, against sample
 * data or a stored profile. A template error comes back as the field's message (`onProblem`).
 */
export function ContentPreview(props: {
  content: Record<string, string>;
  onProblem: (error: unknown) => void;
}) {
  const [source, setSource] = useState<'sample' | 'profile'>('sample');
  const [sampleProfile, setSampleProfile] = useState('{"firstName": "Ann"}');
  const [context, setContext] = useState('{}');
  const [identity, setIdentity] = useState({ namespace: 'email', id: '' });
  const [preview, setPreview] = useState<Preview>();
  const [error, setError] = useState<unknown>();
  const key = JSON.stringify([props.content, source, sampleProfile, context, identity]);
  useEffect(() => {
    const timer = setTimeout(async () => {
      try {
        const body = {
          content: props.content,
          context: parseJson(context, 'Context'),
          ...(source === 'sample'
            ? { sampleProfile: parseJson(sampleProfile, 'Sample profile') }
            : identity.id
              ? { profile: identity }
              : {}),
        };
        setPreview(await api.post<Preview>('/previews', body));
        setError(undefined);
        props.onProblem(undefined);
      } catch (caught) {
        setPreview(undefined);
        setError(caught);
        props.onProblem(caught);
      }
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [key]);
  const shown = (name: string) => {
    const value = preview?.rendered[name];
    return typeof value === 'string' ? value : undefined;
  };
  return (
    <section class="group" aria-labelledby="preview-title">
      <h2 id="preview-title">Preview</h2>
      <fieldset>
        <legend>Render with</legend>
        <label class="inline">
          <input type="radio" checked={source === 'sample'} onChange={() => setSource('sample')} /> sample
          data
        </label>
        <label class="inline">
          <input type="radio" checked={source === 'profile'} onChange={() => setSource('profile')} /> a
          profile
        </label>
      </fieldset>
      {source === 'sample' ? (
        <Field label="Sample profile (JSON)" error={fieldError(error, 'sampleProfile')}>
          {(id) => (
            <textarea
              id={id}
              rows={2}
              value={sampleProfile}
              onInput={(e) => setSampleProfile(e.currentTarget.value)}
            />
          )}
        </Field>
      ) : (
        <div class="filters">
          <label>
            Profile namespace
            <input
              value={identity.namespace}
              onInput={(e) => setIdentity({ ...identity, namespace: e.currentTarget.value })}
            />
          </label>
          <label>
            Profile identity
            <input
              value={identity.id}
              onInput={(e) => setIdentity({ ...identity, id: e.currentTarget.value })}
            />
          </label>
        </div>
      )}
      <Field label="Context (JSON)" error={fieldError(error, 'context')}>
        {(id) => (
          <textarea id={id} rows={2} value={context} onInput={(e) => setContext(e.currentTarget.value)} />
        )}
      </Field>
      {error && !fieldError(error, 'content') ? <ProblemBanner error={error} /> : null}
      {preview ? (
        <div class="rendered" data-testid="preview" aria-live="polite">
          {shown('subject') !== undefined ? (
            <p>
              Subject: <strong>{shown('subject')}</strong>
            </p>
          ) : null}
          {shown('title') !== undefined ? (
            <p>
              Title: <strong>{shown('title')}</strong>
            </p>
          ) : null}
          {shown('text') !== undefined ? <pre>{shown('text')}</pre> : null}
          {shown('body') !== undefined ? <pre>{shown('body')}</pre> : null}
          {shown('html') !== undefined ? (
            <details>
              <summary>HTML as sent</summary>
              <pre>{shown('html')}</pre>
            </details>
          ) : null}
          {preview.missingVariables.length > 0 ? (
            <p class="hint">Missing (rendered empty): {preview.missingVariables.join(', ')}</p>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
