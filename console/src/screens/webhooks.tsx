import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import {
  CheckboxGroup,
  Field,
  fieldError,
  formatTime,
  InputField,
  Notice,
  ProblemBanner,
  Toggle,
} from '../components.tsx';
import { can } from '../scopes.ts';
import type { AttemptView, CreatedWebhookView, Page, WebhookView, WhoamiView } from '../types.ts';

/** How often an open attempt log is read again (deliveries and retries arrive on their own). */
const LOG_POLL_MS = 2000;
const CHANNELS = ['email', 'sms', 'push'] as const;

/** Administration › Feedback webhooks: the sandbox's webhooks, a new one, tests, attempt logs. */
export function Webhooks({ me }: { me: WhoamiView }) {
  const [webhooks, setWebhooks] = useState<WebhookView[]>();
  const [error, setError] = useState<unknown>();
  const [created, setCreated] = useState<CreatedWebhookView>();
  const [openLog, setOpenLog] = useState<string>();
  const [editing, setEditing] = useState<WebhookView>();
  const [saved, setSaved] = useState<string>();
  const reload = () =>
    api.get<{ items: WebhookView[] }>('/webhooks').then((a) => setWebhooks(a.items), setError);
  useEffect(() => {
    void reload();
  }, []);
  if (!can(me, 'webhooks:admin')) return <p>Managing feedback webhooks needs webhooks:admin.</p>;
  return (
    <section aria-labelledby="webhooks-title">
      <p class="breadcrumb">Administration › Channels</p>
      <h1 id="webhooks-title">Feedback webhooks</h1>
      <p class="hint">
        Every status event (sent, delivered, bounce, exclude …) of campaigns with <em>Enable webhooks</em> on
        is posted to these URLs, signed (Standard Webhooks) and retried until the receiver takes it.
      </p>
      <ProblemBanner error={error} />
      {created ? (
        <div class="secret" role="alert">
          <p>
            Webhook <strong>{created.name}</strong> created. Its signing secret is shown this once — keep it
            where your receiver verifies signatures:
          </p>
          <code data-testid="webhook-secret">{created.secret}</code>
          <button type="button" onClick={() => setCreated(undefined)}>
            I have kept it
          </button>
        </div>
      ) : null}
      <table class="list">
        <caption>Webhooks</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">URL</th>
            <th scope="col">Channels</th>
            <th scope="col">State</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {(webhooks ?? []).map((w) => (
            <WebhookRow
              key={w.id}
              webhook={w}
              logOpen={openLog === w.id}
              onToggleLog={() => setOpenLog(openLog === w.id ? undefined : w.id)}
              onEdit={() => {
                setSaved(undefined);
                setEditing(w);
              }}
            />
          ))}
          {webhooks?.length === 0 ? (
            <tr>
              <td colSpan={5}>No feedback webhook yet.</td>
            </tr>
          ) : null}
        </tbody>
      </table>
      {openLog ? <AttemptLog webhookId={openLog} /> : null}
      <Notice text={saved} />
      {editing ? (
        <WebhookForm
          key={editing.id}
          editing={editing}
          onCancel={() => setEditing(undefined)}
          onSaved={(webhook) => {
            setEditing(undefined);
            setSaved(`Webhook ${webhook.name} saved.`);
            void reload();
          }}
        />
      ) : null}
      <WebhookForm
        onSaved={(webhook) => {
          if ('secret' in webhook) setCreated(webhook);
          void reload();
        }}
      />
    </section>
  );
}

function WebhookRow(props: {
  webhook: WebhookView;
  logOpen: boolean;
  onToggleLog: () => void;
  onEdit: () => void;
}) {
  const { webhook } = props;
  const [test, setTest] = useState<AttemptView>();
  const [rotated, setRotated] = useState<string>();
  const [error, setError] = useState<unknown>();
  return (
    <tr>
      <td>{webhook.name}</td>
      <td>
        <code>{webhook.url}</code>
      </td>
      <td>{webhook.channels.join(', ')}</td>
      <td>
        {webhook.enabled
          ? 'enabled'
          : `disabled${webhook.disabledReason ? `: ${webhook.disabledReason}` : ''}`}
      </td>
      <td>
        <button
          type="button"
          aria-label={`Send a test to ${webhook.name}`}
          onClick={() => {
            setError(undefined);
            api.post<AttemptView>(`/webhooks/${webhook.id}/test`).then(setTest, setError);
          }}
        >
          Send test
        </button>{' '}
        <button type="button" aria-expanded={props.logOpen} onClick={props.onToggleLog}>
          Attempt log
        </button>{' '}
        <button type="button" aria-label={`Edit ${webhook.name}`} onClick={props.onEdit}>
          Edit
        </button>{' '}
        <button
          type="button"
          aria-label={`Rotate the secret of ${webhook.name}`}
          onClick={() => {
            setError(undefined);
            api
              .post<{ secret: string }>(`/webhooks/${webhook.id}/rotate-secret`)
              .then((r) => setRotated(r.secret), setError);
          }}
        >
          Rotate secret
        </button>
        {rotated ? (
          <div role="alert" class="secret">
            New secret (shown once; the old one also signs for 24 hours): <code>{rotated}</code>
          </div>
        ) : null}
        {test ? (
          <div role="status" class="hint">
            Test {test.outcome}
            {test.statusCode ? ` (HTTP ${test.statusCode})` : ''} in {Math.round(test.durationMs)} ms
            {test.error ? ` — ${test.error}` : ''}
          </div>
        ) : null}
        <ProblemBanner error={error} />
      </td>
    </tr>
  );
}

/** The webhook's attempts, newest first, read again every two seconds while open. */
function AttemptLog({ webhookId }: { webhookId: string }) {
  const [attempts, setAttempts] = useState<AttemptView[]>();
  const [error, setError] = useState<unknown>();
  const [queued, setQueued] = useState<string>();
  const [since, setSince] = useState('');
  const resend = (eventId: string) =>
    api
      .post<{ queued: number }>(`/webhooks/${webhookId}/events/${eventId}/resend`)
      .then((r) => setQueued(`${r.queued} delivery queued again.`), setError);
  const recover = (event: Event) => {
    event.preventDefault();
    if (!since) return;
    api
      .post<{ queued: number }>(`/webhooks/${webhookId}/recover`, { since: new Date(since).toISOString() })
      .then((r) => setQueued(`${r.queued} failed deliveries queued again.`), setError);
  };
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const page = await api.get<Page<AttemptView>>(`/webhooks/${webhookId}/attempts?limit=50`);
        if (!stopped) setAttempts(page.items);
      } catch (caught) {
        if (!stopped) setError(caught);
      }
      if (!stopped) timer = setTimeout(tick, LOG_POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [webhookId]);
  return (
    <section aria-labelledby="log-title" class="group">
      <h2 id="log-title">Attempt log</h2>
      <ProblemBanner error={error} />
      <table class="list">
        <thead>
          <tr>
            <th scope="col">At</th>
            <th scope="col">Event</th>
            <th scope="col">Attempt</th>
            <th scope="col">Outcome</th>
            <th scope="col">HTTP status</th>
            <th scope="col">Duration</th>
            <th scope="col">Answer or error</th>
            <th scope="col">
              <span class="visually-hidden">Resend</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(attempts ?? []).map((a) => (
            <tr key={`${a.eventId}-${a.attempt}-${a.at}`}>
              <td>{formatTime(a.at)}</td>
              <td>
                <code>{a.eventId}</code>
              </td>
              <td>{a.attempt}</td>
              <td>
                <span class={`status out-${a.outcome}`}>{a.outcome}</span>
              </td>
              <td>{a.statusCode ?? '—'}</td>
              <td>{Math.round(a.durationMs)} ms</td>
              <td class="clip">{a.error ?? a.responseBody ?? ''}</td>
              <td>
                <button
                  type="button"
                  aria-label={`Resend event ${a.eventId}`}
                  onClick={() => resend(a.eventId)}
                >
                  Resend
                </button>
              </td>
            </tr>
          ))}
          {attempts?.length === 0 ? (
            <tr>
              <td colSpan={8}>No attempt yet.</td>
            </tr>
          ) : null}
        </tbody>
      </table>
      {queued ? <p role="status">{queued}</p> : null}
      <form onSubmit={recover} class="actions">
        <Field label="Failed since" hint="Recover: deliver again every event that failed since then.">
          {(id, describedBy) => (
            <input
              id={id}
              type="datetime-local"
              aria-describedby={describedBy}
              value={since}
              onInput={(e) => setSince(e.currentTarget.value)}
            />
          )}
        </Field>
        <button type="submit">Recover</button>
      </form>
    </section>
  );
}

type AuthChoice = 'keep' | 'none' | 'bearer' | 'basic';

/** `Name: value` lines as a headers object; a line without a colon is kept whole, for the API to refuse by name. */
function headersOf(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const colon = line.indexOf(':');
    if (colon < 0) headers[line.trim()] = '';
    else headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * A webhook's URL, channels, authentication and custom headers: a new one (POST /webhooks), or
 * changes to `editing` (PATCH /webhooks/{id}: only what the form changes is sent; credentials and
 * header values are never shown, so they are kept unless replaced).
 */
function WebhookForm({
  editing,
  onSaved,
  onCancel,
}: {
  editing?: WebhookView;
  onSaved: (webhook: CreatedWebhookView | WebhookView) => void;
  onCancel?: () => void;
}) {
  const [name, setName] = useState(editing?.name ?? '');
  const [url, setUrl] = useState(editing?.url ?? '');
  const [channels, setChannels] = useState<string[]>(editing?.channels ?? ['email']);
  const [enabled, setEnabled] = useState(editing?.enabled ?? true);
  const [auth, setAuth] = useState<AuthChoice>(editing ? 'keep' : 'none');
  const [token, setToken] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [replaceHeaders, setReplaceHeaders] = useState(!editing);
  const [headers, setHeaders] = useState('');
  const [error, setError] = useState<unknown>();
  const prefix = editing ? `${editing.name}: ` : '';
  const authBody =
    auth === 'bearer'
      ? { type: 'bearer', token }
      : auth === 'basic'
        ? { type: 'basic', username, password }
        : auth === 'none'
          ? { type: 'none' }
          : undefined;
  const save = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      if (editing) {
        const changes: Record<string, unknown> = {};
        if (name !== editing.name) changes.name = name;
        if (url !== editing.url) changes.url = url;
        if (channels.join() !== editing.channels.join()) changes.channels = channels;
        if (enabled !== editing.enabled) changes.enabled = enabled;
        if (authBody) changes.auth = authBody;
        if (replaceHeaders) changes.headers = headersOf(headers);
        onSaved(await api.patch<WebhookView>(`/webhooks/${editing.id}`, changes));
        return;
      }
      const headerValues = headersOf(headers);
      const webhook = await api.post<CreatedWebhookView>('/webhooks', {
        name,
        url,
        channels,
        ...(authBody && auth !== 'none' ? { auth: authBody } : {}),
        ...(Object.keys(headerValues).length > 0 ? { headers: headerValues } : {}),
      });
      setName('');
      setUrl('');
      setToken('');
      setPassword('');
      setHeaders('');
      onSaved(webhook);
    } catch (caught) {
      setError(caught);
    }
  };
  const titleId = editing ? `edit-webhook-${editing.id}` : 'new-webhook-title';
  return (
    <form onSubmit={save} class="group" aria-labelledby={titleId}>
      <h2 id={titleId}>{editing ? `Edit ${editing.name}` : 'New feedback webhook'}</h2>
      <InputField label="Webhook name" error={fieldError(error, 'name')} value={name} onValue={setName} />
      <Field
        label="URL"
        error={fieldError(error, 'url')}
        hint="https; a deployed Herald refuses private addresses."
      >
        {(id, describedBy) => (
          <input
            id={id}
            type="url"
            aria-describedby={describedBy}
            value={url}
            onInput={(e) => setUrl(e.currentTarget.value)}
          />
        )}
      </Field>
      <CheckboxGroup
        legend="Channels"
        options={CHANNELS}
        selected={channels}
        onChange={setChannels}
        error={fieldError(error, 'channels')}
      />
      {editing ? (
        <Toggle label="Enabled" checked={enabled} onChange={setEnabled} error={fieldError(error, 'enabled')}>
          {editing.disabledReason ? `Disabled: ${editing.disabledReason}. ` : ''}Turning it on re-enables
          deliveries.
        </Toggle>
      ) : null}
      <Field
        label="Authentication"
        error={fieldError(error, 'auth')}
        hint={
          editing
            ? `Now: ${editing.auth.type}. Credentials are never shown: keep them, or give new ones.`
            : 'How Herald authenticates to the receiver; credentials are never shown again.'
        }
      >
        {(id, describedBy) => (
          <select
            id={id}
            aria-describedby={describedBy}
            value={auth}
            onChange={(e) => setAuth(e.currentTarget.value as AuthChoice)}
          >
            {editing ? <option value="keep">keep the current ({editing.auth.type})</option> : null}
            <option value="none">none</option>
            <option value="bearer">bearer token</option>
            <option value="basic">basic (username and password)</option>
          </select>
        )}
      </Field>
      {auth === 'bearer' ? (
        <InputField
          label={`${prefix}Bearer token`}
          type="password"
          error={fieldError(error, 'auth.token')}
          value={token}
          onValue={setToken}
        />
      ) : null}
      {auth === 'basic' ? (
        <>
          <InputField
            label={`${prefix}Username`}
            error={fieldError(error, 'auth.username')}
            value={username}
            onValue={setUsername}
          />
          <InputField
            label={`${prefix}Password`}
            type="password"
            error={fieldError(error, 'auth.password')}
            value={password}
            onValue={setPassword}
          />
        </>
      ) : null}
      {editing ? (
        <Toggle label="Replace the custom headers" checked={replaceHeaders} onChange={setReplaceHeaders}>
          Now: {editing.headers.length > 0 ? editing.headers.join(', ') : 'none'} (values are never shown).
          On: the lines below replace them all (empty: none).
        </Toggle>
      ) : null}
      {replaceHeaders ? (
        <Field
          label={`${prefix}Custom headers`}
          error={fieldError(error, 'headers')}
          hint="One per line, Name: value (at most 20); sent with every delivery."
        >
          {(id, describedBy) => (
            <textarea
              id={id}
              rows={3}
              aria-describedby={describedBy}
              value={headers}
              onInput={(e) => setHeaders(e.currentTarget.value)}
            />
          )}
        </Field>
      ) : null}
      <ProblemBanner error={error} />
      <div class="actions">
        <button type="submit" class="primary">
          {editing ? 'Save webhook' : 'Create webhook'}
        </button>
        {onCancel ? (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
