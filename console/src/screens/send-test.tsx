import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Field, fieldError, ProblemBanner } from '../components.tsx';
import { href } from '../router.ts';
import type { CampaignView, Channel, TestSendAccepted } from '../types.ts';

const ADDRESS: Record<
  Channel,
  { label: string; field: string; mode: 'email' | 'tel' | 'text'; hint: string }
> = {
  email: { label: 'Test email address', field: 'emailAddress', mode: 'email', hint: 'name@example.com' },
  sms: {
    label: 'Test phone number',
    field: 'mobilePhoneNumber',
    mode: 'tel',
    hint: 'E.164, e.g. +33612345678',
  },
  push: { label: 'Test push token', field: 'pushInfo', mode: 'text', hint: "The device's push token" },
};

/**
 * "Send test": the saved content (the pending edits, or the live version) once to an address of
 * the user's choice, through the campaign's channel configuration (`POST /campaigns/{id}/tests`).
 * A test is in no execution list or count; the link opens its status and rendered message.
 */
export function SendTest({ campaign }: { campaign: CampaignView }) {
  const [address, setAddress] = useState('');
  const [version, setVersion] = useState<'draft' | 'live'>('draft');
  const [error, setError] = useState<unknown>();
  const [sent, setSent] = useState<TestSendAccepted>();
  const [busy, setBusy] = useState(false);
  const channel = campaign.channel;
  const spec = ADDRESS[channel];
  const hasBoth = campaign.status !== 'draft' && campaign.draft !== undefined;
  const send = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setSent(undefined);
    try {
      const channelData = channel === 'push' ? { pushInfo: { token: address } } : { [spec.field]: address };
      setSent(
        await api.post<TestSendAccepted>(`/campaigns/${campaign.id}/tests`, {
          channelData,
          ...(hasBoth ? { version } : {}),
        }),
      );
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="group send-test" aria-labelledby="send-test-title" onSubmit={send}>
      <h2 id="send-test-title">Send test</h2>
      <p class="hint">
        Sends the saved content once to the address below through this campaign's channel configuration (save
        your edits first). Tests are not counted in executions or reports; 10 a minute per sandbox.
      </p>
      <Field
        label={spec.label}
        hint={spec.hint}
        error={fieldError(error, `channelData.${spec.field}`) ?? fieldError(error, 'channelData')}
      >
        {(id, describedBy) => (
          <input
            id={id}
            inputMode={spec.mode}
            autoComplete="off"
            aria-describedby={describedBy}
            value={address}
            onInput={(e) => setAddress(e.currentTarget.value)}
          />
        )}
      </Field>
      {hasBoth ? (
        <Field label="Content to send" error={fieldError(error, 'version')}>
          {(id) => (
            <select
              id={id}
              value={version}
              onChange={(e) => setVersion(e.currentTarget.value as 'draft' | 'live')}
            >
              <option value="draft">the pending edits (draft version)</option>
              <option value="live">the {campaign.status} version</option>
            </select>
          )}
        </Field>
      ) : null}
      <ProblemBanner error={error} />
      <button type="submit" disabled={busy}>
        Send test
      </button>
      {sent ? (
        <p class="notice" role="status">
          Test queued to <strong>{sent.to}</strong>.{' '}
          <a href={href('executions', sent.executionId)}>See its status and rendered message</a>
        </p>
      ) : null}
    </form>
  );
}
