import { useState } from 'preact/hooks';
import { ApiProblem, call } from '../api.ts';
import { ProblemBanner } from '../components.tsx';
import { session } from '../session.ts';
import type { WhoamiView } from '../types.ts';

/** Paste a sandbox's API key: it is checked with `GET /whoami`, then kept in sessionStorage. */
export function SignIn({ onSignedIn }: { onSignedIn: (me: WhoamiView) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const me = await call<WhoamiView>('GET', '/whoami', undefined, key.trim());
      if (me.kind === 'root') {
        throw new ApiProblem(403, {
          title: 'The root key belongs to no sandbox',
          detail: 'Sign in with a key of a sandbox (POST /api-keys).',
        });
      }
      session.signIn(key.trim());
      onSignedIn(me);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>Herald console</h1>
      <form onSubmit={submit} aria-label="Sign in to Herald">
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
        <p class="hint">
          The key stays in this tab (sessionStorage) and is sent only to this Herald, as a bearer token.
        </p>
        <ProblemBanner error={error} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
