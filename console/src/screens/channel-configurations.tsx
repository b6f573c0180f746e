import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import {
  Field,
  fieldError,
  InputField,
  Notice,
  ProblemBanner,
  TextAreaField,
  Toggle,
} from '../components.tsx';
import { can } from '../scopes.ts';
import type { Channel, ChannelConfigurationFull, WhoamiView } from '../types.ts';

const CHANNELS: readonly Channel[] = ['email', 'sms', 'push'];

/** A starting provider object for each type the channel can use (the README lists every field). */
const TEMPLATES: Readonly<Record<Channel, Readonly<Record<string, unknown>>>> = {
  email: {
    type: 'smtp',
    host: 'smtp.example.com',
    port: 587,
    secure: false,
    fromAddress: 'news@example.com',
  },
  sms: { type: 'sns-sms', originationNumber: '+14155550123' },
  push: {
    type: 'sns-push',
    applications: [
      {
        appId: 'com.example.app',
        platform: 'fcm',
        platformApplicationArn: 'arn:aws:sns:us-east-1:123456789012:app/GCM/example',
      },
    ],
  },
};

/** The provider as the form edits it: the view without what is only shown (`passwordSet`). */
function editableProvider(configuration: ChannelConfigurationFull): string {
  const { passwordSet: _set, ...provider } = configuration.provider as Record<string, unknown>;
  return JSON.stringify(provider, null, 2);
}

/**
 * Administration › Channel configurations (channels:admin): the sandbox's providers per channel;
 * create, edit (only what changed is sent: a stored SMTP password or DKIM key is kept unless the
 * provider gives a new one) and delete (refused while campaigns name it).
 */
export function ChannelConfigurations({ me }: { me: WhoamiView }) {
  const [items, setItems] = useState<ChannelConfigurationFull[]>();
  const [error, setError] = useState<unknown>();
  const [editing, setEditing] = useState<ChannelConfigurationFull | 'new'>();
  const [notice, setNotice] = useState<string>();
  const reload = () =>
    api
      .get<{ items: ChannelConfigurationFull[] }>('/channel-configurations')
      .then((page) => setItems(page.items), setError);
  useEffect(() => {
    void reload();
  }, []);
  if (!can(me, 'channels:admin')) return <p>Managing channel configurations needs channels:admin.</p>;
  const remove = async (configuration: ChannelConfigurationFull) => {
    if (!confirm(`Delete the channel configuration “${configuration.name}”?`)) return;
    setError(undefined);
    setNotice(undefined);
    try {
      await api.delete(`/channel-configurations/${configuration.id}`);
      setNotice(`${configuration.name} deleted.`);
      void reload();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <section aria-labelledby="channels-title">
      <p class="breadcrumb">Administration › Channels</p>
      <h1 id="channels-title">Channel configurations</h1>
      <p class="hint">
        The provider that sends each channel: a campaign names one, or gets its channel's default; without
        any, the sandbox provider keeps messages for reading.
      </p>
      <ProblemBanner error={error} />
      <Notice text={notice} />
      <table class="list">
        <caption>Channel configurations</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Channel</th>
            <th scope="col">Provider</th>
            <th scope="col">Default</th>
            <th scope="col">Rate limit</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {(items ?? []).map((c) => (
            <tr key={c.id}>
              <td>{c.name}</td>
              <td>{c.channel}</td>
              <td>{(c.provider as { type: string }).type}</td>
              <td>{c.default ? 'default' : ''}</td>
              <td>{c.rateLimitPerSec !== undefined ? `${c.rateLimitPerSec}/s` : '—'}</td>
              <td>
                <button
                  type="button"
                  aria-label={`Edit ${c.name}`}
                  onClick={() => {
                    setNotice(undefined);
                    setEditing(c);
                  }}
                >
                  Edit
                </button>{' '}
                <button
                  type="button"
                  class="danger"
                  aria-label={`Delete ${c.name}`}
                  onClick={() => remove(c)}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
          {items?.length === 0 ? (
            <tr>
              <td colSpan={6}>No channel configuration: every channel sends through the sandbox provider.</td>
            </tr>
          ) : null}
        </tbody>
      </table>
      {editing === undefined ? (
        <button type="button" onClick={() => setEditing('new')}>
          New channel configuration
        </button>
      ) : (
        <ConfigurationForm
          key={editing === 'new' ? 'new' : editing.id}
          editing={editing === 'new' ? undefined : editing}
          others={items ?? []}
          onCancel={() => setEditing(undefined)}
          onSaved={(saved) => {
            setEditing(undefined);
            setNotice(`${saved.name} saved.`);
            void reload();
          }}
        />
      )}
    </section>
  );
}

function ConfigurationForm({
  editing,
  others,
  onSaved,
  onCancel,
}: {
  editing: ChannelConfigurationFull | undefined;
  others: readonly ChannelConfigurationFull[];
  onSaved: (saved: ChannelConfigurationFull) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(editing?.name ?? '');
  const [channel, setChannel] = useState<Channel>(editing?.channel ?? 'email');
  const initialProvider = editing ? editableProvider(editing) : JSON.stringify(TEMPLATES.email, null, 2);
  const [provider, setProvider] = useState(initialProvider);
  const [rate, setRate] = useState(editing?.rateLimitPerSec?.toString() ?? '');
  const [fallback, setFallback] = useState(editing?.fallback ?? '');
  const [isDefault, setDefault] = useState(editing?.default ?? false);
  const [error, setError] = useState<unknown>();
  const [jsonError, setJsonError] = useState<string>();
  const save = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setJsonError(undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(provider);
    } catch (caught) {
      setJsonError(`is not JSON: ${(caught as Error).message}`);
      return;
    }
    const rateLimit = rate.trim() === '' ? undefined : Number(rate);
    try {
      if (editing) {
        const changes: Record<string, unknown> = {};
        if (name !== editing.name) changes.name = name;
        if (provider !== initialProvider) changes.provider = parsed;
        if (rateLimit !== editing.rateLimitPerSec) changes.rateLimitPerSec = rateLimit ?? null;
        if (fallback !== (editing.fallback ?? '')) changes.fallback = fallback || null;
        if (isDefault !== editing.default) changes.default = isDefault;
        onSaved(await api.patch<ChannelConfigurationFull>(`/channel-configurations/${editing.id}`, changes));
      } else {
        onSaved(
          await api.post<ChannelConfigurationFull>('/channel-configurations', {
            name,
            channel,
            provider: parsed,
            ...(rateLimit !== undefined ? { rateLimitPerSec: rateLimit } : {}),
            ...(fallback ? { fallback } : {}),
            default: isDefault,
          }),
        );
      }
    } catch (caught) {
      setError(caught);
    }
  };
  const fallbacks = others.filter((o) => o.channel === channel && o.id !== editing?.id);
  const titleId = editing ? `edit-configuration-${editing.id}` : 'new-configuration-title';
  return (
    <form class="group" aria-labelledby={titleId} onSubmit={save}>
      <h2 id={titleId}>{editing ? `Edit ${editing.name}` : 'New channel configuration'}</h2>
      <InputField
        label="Configuration name"
        error={fieldError(error, 'name')}
        value={name}
        onValue={setName}
      />
      <Field
        label="Channel"
        error={fieldError(error, 'channel')}
        hint={editing ? 'A configuration keeps its channel.' : undefined}
      >
        {(id, describedBy) => (
          <select
            id={id}
            aria-describedby={describedBy}
            value={channel}
            disabled={editing !== undefined}
            onChange={(e) => {
              const next = e.currentTarget.value as Channel;
              setChannel(next);
              if (provider === JSON.stringify(TEMPLATES[channel], null, 2))
                setProvider(JSON.stringify(TEMPLATES[next], null, 2));
            }}
          >
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        )}
      </Field>
      <TextAreaField
        label="Provider (JSON)"
        error={jsonError ?? fieldError(error, 'provider')}
        hint={
          editing
            ? 'Passwords and DKIM private keys are never shown: left out, the stored ones are kept; "password": null removes it.'
            : 'type: sandbox, ses, smtp (email); sns-sms, end-user-messaging-sms (SMS); sns-push (push). Secrets are write-only.'
        }
        rows={10}
        code
        value={provider}
        onValue={setProvider}
      />
      <InputField
        label="Rate limit (messages per second)"
        type="number"
        min={1}
        max={10000}
        error={fieldError(error, 'rateLimitPerSec')}
        hint="1 to 10,000 across every dispatcher; empty: none of Herald's own."
        value={rate}
        onValue={setRate}
      />
      <Field
        label="Fallback"
        error={fieldError(error, 'fallback')}
        hint="Another configuration of this channel that sends when this one's provider is down."
      >
        {(id, describedBy) => (
          <select
            id={id}
            aria-describedby={describedBy}
            value={fallback}
            onChange={(e) => setFallback(e.currentTarget.value)}
          >
            <option value="">none</option>
            {fallbacks.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Toggle
        label="Default for the channel"
        checked={isDefault}
        onChange={setDefault}
        error={fieldError(error, 'default')}
      >
        Campaigns that name no configuration send through the channel's default.
      </Toggle>
      <ProblemBanner error={error} />
      <div class="actions">
        <button type="submit" class="primary">
          {editing ? 'Save configuration' : 'Create configuration'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
