import { useEffect, useState } from 'preact/hooks';
import { useAction } from '../action.ts';
import { api } from '../api.ts';
import { bodyOf, type CampaignForm, emptyForm, formOf } from '../campaign-form.ts';
import {
  Field,
  fieldError,
  formatTime,
  InputField,
  Notice,
  ProblemBanner,
  TextAreaField,
} from '../components.tsx';
import { href, navigate } from '../router.ts';
import { can } from '../scopes.ts';
import type {
  AudienceExecutionAccepted,
  CampaignView,
  ChannelConfigurationView,
  WhoamiView,
} from '../types.ts';
import { AudienceTab } from './audience-tab.tsx';
import { ContentPreview } from './content-preview.tsx';
import { SendTest } from './send-test.tsx';

const TABS = ['Properties', 'Audience', 'Content', 'Schedule'] as const;
type Tab = (typeof TABS)[number];

export interface EditorProps {
  readonly me: WhoamiView;
  /** Undefined for a new campaign (saved with POST /campaigns). */
  readonly id: string | undefined;
  readonly initialTab: string | undefined;
}

/** Props every tab gets: the form, a setter, the last problem, and whether the key may write. */
export interface TabProps {
  readonly me: WhoamiView;
  readonly form: CampaignForm;
  readonly set: (changes: Partial<CampaignForm>) => void;
  readonly error: unknown;
  readonly readOnly: boolean;
  readonly campaign: CampaignView | undefined;
}

export function CampaignEditor({ me, id, initialTab }: EditorProps) {
  const [campaign, setCampaign] = useState<CampaignView>();
  const [form, setForm] = useState<CampaignForm>(emptyForm);
  const [tab, setTab] = useState<Tab>(TABS.find((t) => t.toLowerCase() === initialTab) ?? 'Properties');
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const writable = can(me, 'campaigns:write');
  const load = (loaded: CampaignView) => {
    setCampaign(loaded);
    setForm(formOf(loaded));
  };
  useEffect(() => {
    if (id) api.get<CampaignView>(`/campaigns/${id}`).then(load, setError);
  }, [id]);
  const set = (changes: Partial<CampaignForm>) => setForm((f) => ({ ...f, ...changes }));

  const { busy: acting, perform } = useAction<true>(setError, setNotice);
  const busy = acting === true;
  /** Runs one action; its problem (if any) is shown in the banner and next to the fields. */
  const act = (what: string, action: () => Promise<void>) =>
    perform(true, async () => {
      await action();
      return what;
    });
  const save = () =>
    act('Saved.', async () => {
      if (!campaign) {
        const created = await api.post<CampaignView>('/campaigns', bodyOf(form, false));
        navigate('campaigns', created.id);
        return;
      }
      load(await api.patch<CampaignView>(`/campaigns/${campaign.id}`, bodyOf(form, true)));
    });
  const lifecycle = (action: 'activate' | 'stop' | 'archive', done: string) =>
    act(done, async () => {
      if (campaign) load(await api.post<CampaignView>(`/campaigns/${campaign.id}/${action}`));
    });
  const duplicate = () =>
    act('Duplicated.', async () => {
      if (!campaign) return;
      const copy = await api.post<CampaignView>(`/campaigns/${campaign.id}/duplicate`);
      navigate('campaigns', copy.id);
    });
  const remove = () =>
    act('Deleted.', async () => {
      if (!campaign || !confirm(`Delete the draft “${campaign.name}”?`)) return;
      await api.delete(`/campaigns/${campaign.id}`);
      navigate('campaigns');
    });
  const run = () =>
    act('Run started.', async () => {
      if (!campaign) return;
      const accepted = await api.post<AudienceExecutionAccepted>('/im/executions/audience', {
        campaignId: campaign.id,
        requestId: `console-${crypto.randomUUID()}`,
      });
      navigate('executions', accepted.executionId);
    });

  const status = campaign?.status ?? 'draft';
  const editingLive = status === 'live' || status === 'scheduled';
  const readOnly = !writable || status === 'stopped' || status === 'completed' || status === 'archived';
  const tabProps: TabProps = { me, form, set, error, readOnly, campaign };
  return (
    <section aria-labelledby="editor-title">
      <p>
        <a href={href('campaigns')}>← Campaigns</a>
      </p>
      <div class="title-row">
        <h1 id="editor-title">{campaign ? campaign.name : 'New campaign'}</h1>
        <span class={`status st-${status}`} data-testid="campaign-status">
          {status}
        </span>
      </div>
      {campaign ? (
        <p class="meta">
          Version {campaign.version} · updated {formatTime(campaign.modifiedAt)} by {campaign.modifiedBy}
          {campaign.duplicatedFrom ? (
            <>
              {' '}
              · copy of <a href={href('campaigns', campaign.duplicatedFrom)}>the original</a>
            </>
          ) : null}
        </p>
      ) : null}
      {editingLive ? (
        <p class="note" role="note">
          This campaign is {status}: edits are saved to its draft version
          {campaign?.draft ? ' (there are pending edits)' : ''}, and the {status} version keeps running until
          you activate the draft, which then replaces it.
        </p>
      ) : null}
      {!writable ? (
        <p class="note" role="note">
          This key may read campaigns but not change them (campaigns:write).
        </p>
      ) : null}
      <div class="tabs" role="tablist" aria-label="Campaign">
        {TABS.map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            id={`tab-${t}`}
            aria-selected={tab === t}
            aria-controls={`panel-${t}`}
            tabIndex={tab === t ? 0 : -1}
            onClick={() => setTab(t)}
            onKeyDown={(e) => {
              const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
              if (!step) return;
              const next = TABS[(TABS.indexOf(t) + step + TABS.length) % TABS.length] ?? t;
              setTab(next);
              document.getElementById(`tab-${next}`)?.focus();
            }}
          >
            {t}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} class="panel">
        {tab === 'Properties' ? <PropertiesTab {...tabProps} /> : null}
        {tab === 'Audience' ? <AudienceTab {...tabProps} /> : null}
        {tab === 'Content' ? <ContentTab {...tabProps} /> : null}
        {tab === 'Schedule' ? <ScheduleTab {...tabProps} /> : null}
      </div>
      <ProblemBanner error={error} />
      <Notice text={notice} />
      {writable ? (
        <div class="actions">
          {!readOnly ? (
            <button type="button" class="primary" disabled={busy} onClick={save}>
              Save
            </button>
          ) : null}
          {campaign && (status === 'draft' || (editingLive && campaign.draft)) ? (
            <button type="button" disabled={busy} onClick={() => lifecycle('activate', 'Activated.')}>
              Activate
            </button>
          ) : null}
          {campaign && editingLive ? (
            <button type="button" disabled={busy} onClick={() => lifecycle('stop', 'Stopped.')}>
              Stop
            </button>
          ) : null}
          {campaign ? (
            <button type="button" disabled={busy} onClick={duplicate}>
              Duplicate
            </button>
          ) : null}
          {campaign && (status === 'stopped' || status === 'completed') ? (
            <button type="button" disabled={busy} onClick={() => lifecycle('archive', 'Archived.')}>
              Archive
            </button>
          ) : null}
          {campaign && status === 'draft' ? (
            <button type="button" class="danger" disabled={busy} onClick={remove}>
              Delete
            </button>
          ) : null}
        </div>
      ) : null}
      {campaign && status === 'live' && campaign.category === 'marketing' && can(me, 'executions:write') ? (
        <div class="actions">
          <button type="button" disabled={busy} onClick={run}>
            Run now
          </button>
          <span class="hint">Sends the live version to its audience (POST /im/executions/audience).</span>
        </div>
      ) : null}
      {campaign && status !== 'archived' && can(me, 'executions:write') ? (
        <SendTest campaign={campaign} />
      ) : null}
    </section>
  );
}

function PropertiesTab({ form, set, error, readOnly, me }: TabProps) {
  const [configurations, setConfigurations] = useState<ChannelConfigurationView[]>();
  useEffect(() => {
    // Listing channel configurations needs channels:admin; without it the id is typed in.
    if (can(me, 'channels:admin'))
      api.get<{ items: ChannelConfigurationView[] }>('/channel-configurations').then(
        (a) => setConfigurations(a.items),
        () => setConfigurations(undefined),
      );
  }, []);
  const forChannel = configurations?.filter((c) => c.channel === form.channel);
  return (
    <fieldset disabled={readOnly}>
      <legend class="visually-hidden">Properties</legend>
      <InputField
        label="Name"
        error={fieldError(error, 'name')}
        value={form.name}
        onValue={(name) => set({ name })}
      />
      <TextAreaField
        label="Description"
        error={fieldError(error, 'description')}
        value={form.description}
        onValue={(description) => set({ description })}
      />
      <Field
        label="Category"
        error={fieldError(error, 'category')}
        hint="Marketing: promotional, needs opt-in consent, sent to an audience. Transactional: service messages, recipients named in the API call."
      >
        {(id, describedBy) => (
          <select
            id={id}
            aria-describedby={describedBy}
            value={form.category}
            onChange={(e) => set({ category: e.currentTarget.value as CampaignForm['category'] })}
          >
            <option value="marketing">marketing</option>
            <option value="transactional">transactional</option>
          </select>
        )}
      </Field>
      <Field label="Channel" error={fieldError(error, 'channel')}>
        {(id) => (
          <select
            id={id}
            value={form.channel}
            onChange={(e) => set({ channel: e.currentTarget.value as CampaignForm['channel'] })}
          >
            <option value="email">email</option>
            <option value="sms">sms</option>
            <option value="push">push</option>
          </select>
        )}
      </Field>
      <Field
        label="Channel configuration"
        error={fieldError(error, 'channelConfigurationId')}
        hint="The provider that sends this campaign; empty: the sandbox's default for the channel, or the sandbox provider."
      >
        {(id, describedBy) =>
          forChannel ? (
            <select
              id={id}
              aria-describedby={describedBy}
              value={form.channelConfigurationId}
              onChange={(e) => set({ channelConfigurationId: e.currentTarget.value })}
            >
              <option value="">the sandbox's default</option>
              {forChannel.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                  {c.default ? ' (default)' : ''}
                </option>
              ))}
            </select>
          ) : (
            <input
              id={id}
              aria-describedby={describedBy}
              value={form.channelConfigurationId}
              onInput={(e) => set({ channelConfigurationId: e.currentTarget.value })}
            />
          )
        }
      </Field>
    </fieldset>
  );
}

function ContentTab({ form, set, error: saveError, readOnly }: TabProps) {
  const [previewError, setPreviewError] = useState<unknown>();
  // A template error from the preview is shown next to its field as one from a save would be.
  const error = fieldError(previewError, 'content') ? previewError : saveError;
  const content = bodyOf(form, false).content as Record<string, string>;
  const text = (label: string, name: 'subject' | 'title', hint?: string) => (
    <InputField
      label={label}
      error={fieldError(error, `content.${name}`)}
      hint={hint}
      value={form[name]}
      onValue={(value) => set({ [name]: value })}
    />
  );
  const area = (label: string, name: 'html' | 'text' | 'body') => (
    <TextAreaField
      label={label}
      error={fieldError(error, `content.${name}`)}
      rows={name === 'html' ? 8 : 4}
      value={form[name]}
      onValue={(value) => set({ [name]: value })}
    />
  );
  return (
    <fieldset disabled={readOnly}>
      <legend class="visually-hidden">Content</legend>
      <p class="hint">
        Personalize with <code>{'{{profile.firstName}}'}</code> and <code>{'{{context.link}}'}</code>; the
        template is checked when you save.
      </p>
      {form.channel === 'email' ? (
        <>
          {text('Subject', 'subject')}
          {area('HTML', 'html')}
          {area('Text', 'text')}
        </>
      ) : null}
      {form.channel === 'sms' ? area('Message', 'body') : null}
      {form.channel === 'push' ? (
        <>
          {text('Title', 'title')}
          {area('Message', 'body')}
        </>
      ) : null}
      <ProblemBanner error={fieldError(saveError, 'content') ? saveError : undefined} />
      {Object.keys(content).length > 0 ? (
        <ContentPreview content={content} onProblem={setPreviewError} />
      ) : null}
    </fieldset>
  );
}

function ScheduleTab({ form, set, error, readOnly }: TabProps) {
  return (
    <fieldset disabled={readOnly}>
      <legend class="visually-hidden">Schedule</legend>
      <p class="hint">
        Optional. Outside the window the campaign is not executed and API calls fail; without an end date a
        live campaign stays live until stopped.
      </p>
      <InputField
        label="Start date"
        type="datetime-local"
        error={fieldError(error, 'schedule.startDate')}
        value={form.startDate}
        onValue={(startDate) => set({ startDate })}
      />
      <InputField
        label="End date"
        type="datetime-local"
        error={fieldError(error, 'schedule.endDate')}
        value={form.endDate}
        onValue={(endDate) => set({ endDate })}
      />
      {form.category === 'marketing' ? (
        <InputField
          label="Throttle (messages per second)"
          type="number"
          min={1}
          max={2000}
          error={fieldError(error, 'throttleRatePerSec')}
          hint="1 to 2,000; empty: as fast as the provider allows."
          value={form.throttleRatePerSec}
          onValue={(throttleRatePerSec) => set({ throttleRatePerSec })}
        />
      ) : null}
    </fieldset>
  );
}
