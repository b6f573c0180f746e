import type { CampaignContent, Channel } from '../schemas/campaign.ts';
import type { ChannelData, MessageStatus } from '../schemas/execution.ts';
import { jsonBytes, MAX_RENDERED_BYTES } from '../schemas/limits.ts';
import type { Identity } from '../schemas/profile.ts';
import { normalizeEmail } from './identity.ts';
import { normalizePhone } from './phone.ts';
import { compileTemplate, RenderBudgetError, type RenderScope, renderTemplate } from './template.ts';

/** Exclusion codes: stable, documented, and carried to the feedback webhooks. */
export const EXCLUSION_CODES = {
  missingAddress: 'missing-address',
  malformedAddress: 'malformed-address',
  suppressedAddress: 'suppressed-address',
  /** The rendered message is larger than MAX_RENDERED_BYTES. */
  contentTooLarge: 'content-too-large',
  /** The rendered SMS needs more parts than the campaign's smsMaxParts. */
  smsTooManyParts: 'sms-too-many-parts',
  /** The SMS provider refused the number: it is on its opt-out list (channel.ts `optedOut`). */
  optedOut: 'opted-out',
} as const;

/** Statuses after which nothing more happens to a message. */
const SETTLED: readonly MessageStatus[] = ['delivered', 'bounce', 'complaint', 'error', 'exclude'];

export function isSettled(status: MessageStatus): boolean {
  return SETTLED.includes(status);
}

export type AddressChoice =
  | { readonly ok: true; readonly address: string }
  | { readonly ok: false; readonly code: string; readonly reason: string };

/**
 * Where a message goes: the address given in the call's channelData first, then the profile's
 * identity in the channel's namespace (email, phone), then for push the profile's `pushToken`
 * attribute. Malformed addresses are excluded, never sent.
 */
export function chooseAddress(
  channel: Channel,
  channelData: ChannelData | undefined,
  profile: { identities: readonly Identity[]; attributes: Readonly<Record<string, unknown>> } | undefined,
): AddressChoice {
  const fromProfile = (namespace: string) => profile?.identities.find((i) => i.namespace === namespace)?.id;
  if (channel === 'email') {
    const raw = channelData?.emailAddress ?? fromProfile('email');
    if (!raw)
      return {
        ok: false,
        code: EXCLUSION_CODES.missingAddress,
        reason: 'No email address in the call or on the profile.',
      };
    const email = normalizeEmail(raw);
    return email.ok
      ? { ok: true, address: email.value }
      : { ok: false, code: EXCLUSION_CODES.malformedAddress, reason: `'${raw}' ${email.message}.` };
  }
  if (channel === 'sms') {
    const raw = channelData?.mobilePhoneNumber ?? fromProfile('phone');
    if (!raw)
      return {
        ok: false,
        code: EXCLUSION_CODES.missingAddress,
        reason: 'No phone number in the call or on the profile.',
      };
    const phone = normalizePhone(raw);
    return phone.ok
      ? { ok: true, address: phone.value }
      : { ok: false, code: EXCLUSION_CODES.malformedAddress, reason: `'${raw}' ${phone.message}.` };
  }
  const attribute = profile?.attributes.pushToken;
  const token = channelData?.pushInfo?.token ?? (typeof attribute === 'string' ? attribute : undefined);
  if (!token)
    return {
      ok: false,
      code: EXCLUSION_CODES.missingAddress,
      reason: 'No push token in the call or on the profile.',
    };
  if (!/^[\x21-\x7e]{1,4096}$/.test(token)) {
    return {
      ok: false,
      code: EXCLUSION_CODES.malformedAddress,
      reason: 'The push token has characters no push service issues.',
    };
  }
  return { ok: true, address: token };
}

export interface RenderedContent {
  readonly subject?: string;
  readonly html?: string;
  readonly text?: string;
  readonly title?: string;
  readonly body?: string;
  readonly data?: Record<string, string>;
}

/**
 * Renders every template of the content. Values are HTML-escaped in email HTML only; missing
 * variables render empty and are listed, so a client can see what its data lacked.
 */
export function renderContent(
  content: CampaignContent,
  scope: RenderScope,
): { rendered: RenderedContent; missing: string[] } {
  const missing = new Set<string>();
  // One budget for every part: a message is at most MAX_RENDERED_BYTES, whatever its templates do.
  let budget = MAX_RENDERED_BYTES;
  const render = (source: string | undefined, htmlEscape: boolean) => {
    if (source === undefined) return undefined;
    const result = renderTemplate(compileTemplate(source), scope, htmlEscape, budget);
    budget -= result.output.length;
    for (const name of result.missing) missing.add(name);
    return result.output;
  };
  const rendered: Record<string, unknown> = {};
  for (const key of ['subject', 'text', 'title', 'body'] as const) {
    const value = render(content[key], false);
    if (value !== undefined) rendered[key] = value;
  }
  const html = render(content.html, true);
  if (html !== undefined) rendered.html = html;
  if (content.data) {
    rendered.data = Object.fromEntries(
      Object.entries(content.data).map(([k, v]) => [k, render(v, false) ?? '']),
    );
  }
  if (jsonBytes(rendered) > MAX_RENDERED_BYTES) throw new RenderBudgetError(MAX_RENDERED_BYTES);
  return { rendered: rendered as RenderedContent, missing: [...missing] };
}
