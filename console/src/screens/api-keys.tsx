import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { CheckboxGroup, Field, fieldError, formatTime, ProblemBanner } from '../components.tsx';
import type { ApiKeyView, Scope, WhoamiView } from '../types.ts';

const SCOPES: readonly Scope[] = [
  'admin',
  'campaigns:read',
  'campaigns:write',
  'profiles:read',
  'profiles:write',
  'executions:read',
  'executions:write',
  'audiences:read',
  'audiences:write',
  'webhooks:admin',
  'channels:admin',
];

/** Administration › API keys (an admin key): the sandbox's keys, a new one (shown once), revoking. */
export function ApiKeys({ me }: { me: WhoamiView }) {
  const [keys, setKeys] = useState<ApiKeyView[]>();
  const [error, setError] = useState<unknown>();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['campaigns:read']);
  const [created, setCreated] = useState<string>();
  const reload = () => api.get<{ items: ApiKeyView[] }>('/api-keys').then((a) => setKeys(a.items), setError);
  useEffect(() => {
    void reload();
  }, []);
  const create = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      const answer = await api.post<{ key: string }>('/api-keys', { ...(name ? { name } : {}), scopes });
      setCreated(answer.key);
      setName('');
      await reload();
    } catch (caught) {
      setError(caught);
    }
  };
  const revoke = async (key: ApiKeyView) => {
    if (!confirm(`Revoke ${key.name ?? key.id}? Calls with it fail at once.`)) return;
    try {
      await api.delete(`/api-keys/${key.id}`);
      await reload();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <section aria-labelledby="keys-title">
      <p class="breadcrumb">Administration</p>
      <h1 id="keys-title">API keys</h1>
      <ProblemBanner error={error} />
      {created ? (
        <div class="secret" role="alert">
          <p>The new key, shown this once:</p>
          <code data-testid="new-api-key">{created}</code>
          <button type="button" onClick={() => setCreated(undefined)}>
            I have kept it
          </button>
        </div>
      ) : null}
      <table class="list">
        <caption>Keys of {me.sandbox}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Id</th>
            <th scope="col">Scopes</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span class="visually-hidden">Revoke</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(keys ?? []).map((k) => (
            <tr key={k.id}>
              <td>{k.name ?? ''}</td>
              <td>
                <code>{k.id}</code>
                {k.id === me.keyId ? ' (this key)' : ''}
              </td>
              <td>{k.scopes.join(', ')}</td>
              <td>{formatTime(k.createdAt)}</td>
              <td>
                {k.id !== me.keyId ? (
                  <button type="button" class="danger" onClick={() => revoke(k)}>
                    Revoke
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="group" onSubmit={create}>
        <h2>New API key</h2>
        <Field label="Key name" error={fieldError(error, 'name')}>
          {(id) => <input id={id} value={name} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <CheckboxGroup
          legend="Scopes"
          options={SCOPES}
          selected={scopes}
          onChange={setScopes}
          error={fieldError(error, 'scopes')}
        />
        <button type="submit" class="primary">
          Create key
        </button>
      </form>
    </section>
  );
}
