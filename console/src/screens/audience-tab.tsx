import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Field, fieldError, Modal, ProblemBanner, Toggle } from '../components.tsx';
import { href } from '../router.ts';
import { can } from '../scopes.ts';
import type { AudienceView, NamespaceView } from '../types.ts';
import type { TabProps } from './campaign-editor.tsx';

/** What the API tells a key without `profiles:read`: the standard namespaces are always there. */
const STANDARD: NamespaceView[] = ['email', 'phone', 'ecid'].map((code) => ({ code, standard: true }));

/** The channel's default namespace, where "create new profiles" puts a standard identity. */
const CHANNEL_NAMESPACE = { email: 'email', sms: 'phone', push: 'ecid' } as const;

/**
 * The reference system's Audience tab: the audience (marketing) or the API-call recipients
 * (transactional), the identity type, "create new profiles" and "enable webhooks".
 */
export function AudienceTab(props: TabProps) {
  const { form, set, error, readOnly, me } = props;
  const [namespaces, setNamespaces] = useState<NamespaceView[]>(STANDARD);
  const [namespaceError, setNamespaceError] = useState<unknown>();
  const loadNamespaces = () =>
    api
      .get<{ items: NamespaceView[] }>('/namespaces')
      .then((answer) => setNamespaces(answer.items), setNamespaceError);
  useEffect(() => {
    if (can(me, 'profiles:read')) void loadNamespaces();
  }, []);
  const standard = namespaces.filter((n) => n.standard);
  const custom = namespaces.filter((n) => !n.standard);
  const isCustom = custom.some((n) => n.code === form.identityNamespace);
  return (
    <div>
      <section aria-labelledby="audience-heading" class="group">
        <h2 id="audience-heading">Audience</h2>
        {form.category === 'marketing' ? (
          <MarketingAudience {...props} />
        ) : (
          <TransactionalRecipients {...props} />
        )}
      </section>
      <fieldset disabled={readOnly} class="group">
        <legend>Identity</legend>
        <Field
          label="Identity type"
          error={fieldError(error, 'identityNamespace')}
          hint="One namespace per campaign: recipients (and audience members) are looked up by their identity in it; members without one are excluded."
        >
          {(id, describedBy) => (
            <select
              id={id}
              aria-describedby={describedBy}
              value={form.identityNamespace}
              onChange={(e) => set({ identityNamespace: e.currentTarget.value })}
            >
              <optgroup label="Standard namespaces">
                {standard.map((n) => (
                  <option key={n.code} value={n.code}>
                    {n.code}
                    {n.name ? ` — ${n.name}` : ''}
                  </option>
                ))}
              </optgroup>
              {custom.length > 0 ? (
                <optgroup label="Custom namespaces">
                  {custom.map((n) => (
                    <option key={n.code} value={n.code}>
                      {n.code}
                      {n.name ? ` — ${n.name}` : ''}
                    </option>
                  ))}
                </optgroup>
              ) : null}
            </select>
          )}
        </Field>
        <ProblemBanner error={namespaceError} />
        {can(me, 'admin') && !readOnly ? (
          <NewNamespace
            onRegistered={async (code) => {
              await loadNamespaces();
              set({ identityNamespace: code });
            }}
          />
        ) : null}
      </fieldset>
      <fieldset disabled={readOnly} class="group">
        <legend>Options</legend>
        <Toggle
          label="Create new profiles"
          checked={form.category === 'transactional' && form.createNewProfiles}
          disabled={form.category !== 'transactional'}
          onChange={(createNewProfiles) => set({ createNewProfiles })}
          error={fieldError(error, 'createNewProfiles')}
        >
          {form.category === 'transactional' ? (
            <>
              A recipient without a profile gets one when the campaign runs, with the identity in{' '}
              {isCustom ? (
                <>
                  the campaign's custom namespace <code>{form.identityNamespace}</code>
                </>
              ) : (
                <>
                  the channel's default namespace <code>{CHANNEL_NAMESPACE[form.channel]}</code>
                </>
              )}
              . Off: an unknown recipient makes the whole API call fail, and nothing is sent. Meant for small
              volumes of new profiles.
            </>
          ) : (
            'Transactional campaigns only: a marketing campaign sends to existing audience members.'
          )}
        </Toggle>
        <Toggle
          label="Enable webhooks"
          checked={form.enableWebhooks}
          onChange={(enableWebhooks) => set({ enableWebhooks })}
          error={fieldError(error, 'enableWebhooks')}
        >
          Sends the delivery status of this campaign's messages (sent, delivered, bounce, exclude …) to the
          sandbox's <a href={href('admin', 'webhooks')}>Feedback webhooks</a>.
        </Toggle>
      </fieldset>
    </div>
  );
}

function MarketingAudience({ form, set, error, readOnly, me }: TabProps) {
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<AudienceView>();
  useEffect(() => {
    if (form.audienceId && can(me, 'audiences:read'))
      api.get<AudienceView>(`/audiences/${form.audienceId}`).then(setChosen, () => setChosen(undefined));
    else setChosen(undefined);
  }, [form.audienceId]);
  const message = fieldError(error, 'audience');
  return (
    <div class={`field${message ? ' invalid' : ''}`}>
      <p data-testid="selected-audience">
        {form.audienceId ? (
          <>
            Selected: <strong>{chosen?.name ?? form.audienceId}</strong>
            {chosen?.memberCount !== undefined ? ` (${chosen.memberCount} members)` : ''}
          </>
        ) : (
          'No audience selected: a marketing campaign needs one before it can be activated.'
        )}
      </p>
      {!readOnly && can(me, 'audiences:read') ? (
        <button type="button" aria-haspopup="dialog" onClick={() => setOpen(true)}>
          Select audience
        </button>
      ) : null}
      {!can(me, 'audiences:read') ? <p class="hint">Listing audiences needs audiences:read.</p> : null}
      {message ? <div class="field-error">{message}</div> : null}
      {open ? (
        <AudiencePicker
          selected={form.audienceId}
          onClose={() => setOpen(false)}
          onPick={(audience) => {
            set({ audienceId: audience.id });
            setChosen(audience);
            setOpen(false);
          }}
        />
      ) : null}
    </div>
  );
}

/** The sandbox's audiences with their member counts (each read on its own: the list has none). */
function AudiencePicker(props: { selected: string; onClose: () => void; onPick: (a: AudienceView) => void }) {
  const [audiences, setAudiences] = useState<AudienceView[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    api
      .get<{ items: AudienceView[] }>('/audiences')
      .then((answer) => Promise.all(answer.items.map((a) => api.get<AudienceView>(`/audiences/${a.id}`))))
      .then(setAudiences, setError);
  }, []);
  return (
    <Modal labelledBy="picker-title" onClose={props.onClose}>
      <h2 id="picker-title">Select audience</h2>
      <ProblemBanner error={error} />
      {audiences === undefined && !error ? <p class="loading">Loading audiences…</p> : null}
      {audiences?.length === 0 ? <p>This sandbox has no audience yet (POST /audiences).</p> : null}
      {audiences && audiences.length > 0 ? (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Members</th>
              <th scope="col">
                <span class="visually-hidden">Choose</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {audiences.map((a) => (
              <tr key={a.id} aria-current={a.id === props.selected ? 'true' : undefined}>
                <td>{a.name}</td>
                <td>{a.memberCount ?? '—'}</td>
                <td>
                  <button type="button" aria-label={`Choose ${a.name}`} onClick={() => props.onPick(a)}>
                    Choose
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div class="actions">
        <button type="button" onClick={props.onClose} autofocus>
          Cancel
        </button>
      </div>
    </Modal>
  );
}

function TransactionalRecipients({ form, campaign }: TabProps) {
  const [copied, setCopied] = useState(false);
  const example = JSON.stringify(
    {
      requestId: 'order-0001',
      campaignId: campaign?.id ?? '<this campaign’s id, once saved>',
      recipients: [
        {
          type: 'aep',
          userId: form.identityNamespace === 'email' ? 'ann@example.com' : 'user-1',
          namespace: form.identityNamespace,
          context: { link: 'https://example.com/reset?t=abc' },
        },
      ],
    },
    null,
    2,
  );
  const request = `curl -X POST ${location.origin}/im/executions/unitary \\\n  -H "Authorization: Bearer $KEY" -H 'content-type: application/json' \\\n  -d '${example}'`;
  return (
    <div>
      <p>
        Recipients are not chosen here: your backend names them in each API call —{' '}
        <strong>1 to 20 unique user ids</strong> per call, each in the campaign's identity type. A call that
        repeats a user id is refused as a whole.
      </p>
      <figure class="example">
        <figcaption>Example request</figcaption>
        <pre>{request}</pre>
      </figure>
      <button
        type="button"
        onClick={() =>
          navigator.clipboard?.writeText(request).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        Copy example request
      </button>
      {copied ? <span role="status"> Copied.</span> : null}
    </div>
  );
}

function NewNamespace({ onRegistered }: { onRegistered: (code: string) => Promise<void> }) {
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const register = async () => {
    setError(undefined);
    try {
      await api.post('/namespaces', { code, ...(name ? { name } : {}) });
      await onRegistered(code);
      setCode('');
      setName('');
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <details class="new-namespace">
      <summary>Register a new namespace</summary>
      <Field label="Namespace code" error={fieldError(error, 'code')} hint="e.g. crmId">
        {(id, describedBy) => (
          <input
            id={id}
            aria-describedby={describedBy}
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field label="Namespace name" error={fieldError(error, 'name')}>
        {(id) => <input id={id} value={name} onInput={(e) => setName(e.currentTarget.value)} />}
      </Field>
      <ProblemBanner error={error} />
      <button type="button" onClick={register}>
        Register namespace
      </button>
    </details>
  );
}
