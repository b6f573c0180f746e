import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { CheckboxGroup, Field, fieldError, formatTime, ProblemBanner } from '../components.tsx';
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
      <NewWebhook
        onCreated={(webhook) => {
          setCreated(webhook);
          void reload();
        }}
      />
    </section>
  );
}

function WebhookRow(props: { webhook: WebhookView; logOpen: boolean; onToggleLog: () => void }) {
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

function NewWebhook({ onCreated }: { onCreated: (webhook: CreatedWebhookView) => void }) {
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [channels, setChannels] = useState<string[]>(['email']);
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>();
  const create = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      const webhook = await api.post<CreatedWebhookView>('/webhooks', {
        name,
        url,
        channels,
        ...(token ? { auth: { type: 'bearer', token } } : {}),
      });
      setName('');
      setUrl('');
      setToken('');
      onCreated(webhook);
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <form onSubmit={create} class="group" aria-labelledby="new-webhook-title">
      <h2 id="new-webhook-title">New feedback webhook</h2>
      <Field label="Webhook name" error={fieldError(error, 'name')}>
        {(id) => <input id={id} value={name} onInput={(e) => setName(e.currentTarget.value)} />}
      </Field>
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
      <Field
        label="Bearer token (optional)"
        error={fieldError(error, 'auth')}
        hint="Sent as Authorization: Bearer … to the receiver; never shown again."
      >
        {(id, describedBy) => (
          <input
            id={id}
            type="password"
            autocomplete="off"
            aria-describedby={describedBy}
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
          />
        )}
      </Field>
      <ProblemBanner error={error} />
      <button type="submit" class="primary">
        Create webhook
      </button>
    </form>
  );
}
