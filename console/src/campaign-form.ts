import type { CampaignDefinition, CampaignView, Category, Channel } from './types.ts';

/** The editor's state: every field as the form holds it (strings and booleans). */
export interface CampaignForm {
  name: string;
  description: string;
  category: Category;
  channel: Channel;
  identityNamespace: string;
  audienceId: string;
  channelConfigurationId: string;
  createNewProfiles: boolean;
  enableWebhooks: boolean;
  subject: string;
  html: string;
  text: string;
  body: string;
  title: string;
  startDate: string;
  endDate: string;
  throttleRatePerSec: string;
}

export const emptyForm: CampaignForm = {
  name: '',
  description: '',
  category: 'transactional',
  channel: 'email',
  identityNamespace: 'email',
  audienceId: '',
  channelConfigurationId: '',
  createNewProfiles: false,
  enableWebhooks: false,
  subject: '',
  html: '',
  text: '',
  body: '',
  title: '',
  startDate: '',
  endDate: '',
  throttleRatePerSec: '',
};

/** `datetime-local` holds local time without a zone; the API takes ISO 8601 instants. */
const toLocalInput = (iso: string | undefined) => {
  if (!iso) return '';
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (value: string) => (value ? new Date(value).toISOString() : undefined);

/** The form for a campaign: its pending draft version when it has one (a live campaign's edits). */
export function formOf(campaign: CampaignView): CampaignForm {
  const d: CampaignDefinition = campaign.draft ?? campaign;
  return {
    name: d.name,
    description: d.description ?? '',
    category: d.category,
    channel: d.channel,
    identityNamespace: d.identityNamespace,
    audienceId: d.audience?.id ?? '',
    channelConfigurationId: d.channelConfigurationId ?? '',
    createNewProfiles: d.createNewProfiles,
    enableWebhooks: d.enableWebhooks,
    subject: d.content.subject ?? '',
    html: d.content.html ?? '',
    text: d.content.text ?? '',
    body: d.content.body ?? '',
    title: d.content.title ?? '',
    startDate: toLocalInput(d.schedule?.startDate),
    endDate: toLocalInput(d.schedule?.endDate),
    throttleRatePerSec: d.throttleRatePerSec === undefined ? '' : String(d.throttleRatePerSec),
  };
}

const filled = (value: string) => (value === '' ? undefined : value);

/** The content members the channel takes; empty fields are left out (the API says what is missing). */
function contentOf(f: CampaignForm): Record<string, string> {
  const members =
    f.channel === 'email'
      ? { subject: f.subject, html: f.html, text: f.text }
      : f.channel === 'sms'
        ? { body: f.body }
        : { title: f.title, body: f.body };
  return Object.fromEntries(Object.entries(members).filter(([, value]) => value !== ''));
}

/**
 * The body of `POST /campaigns` (`patch: false`) or `PATCH /campaigns/{id}` (`patch: true`, where
 * `null` clears a member). Options that do not apply to the category are sent off, so a campaign
 * switched to marketing does not keep "create new profiles".
 */
export function bodyOf(f: CampaignForm, patch: boolean): Record<string, unknown> {
  const clear = patch ? null : undefined;
  const schedule =
    f.startDate || f.endDate
      ? { startDate: fromLocalInput(f.startDate), endDate: fromLocalInput(f.endDate) }
      : clear;
  const throttle = f.category === 'marketing' && f.throttleRatePerSec ? Number(f.throttleRatePerSec) : clear;
  const body: Record<string, unknown> = {
    name: f.name,
    description: filled(f.description) ?? clear,
    category: f.category,
    channel: f.channel,
    identityNamespace: f.identityNamespace,
    audience: f.category === 'marketing' && f.audienceId ? { id: f.audienceId } : clear,
    channelConfigurationId: filled(f.channelConfigurationId) ?? clear,
    createNewProfiles: f.category === 'transactional' && f.createNewProfiles,
    enableWebhooks: f.enableWebhooks,
    content: contentOf(f),
    schedule,
    throttleRatePerSec: throttle,
  };
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}
