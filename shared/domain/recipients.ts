/**
 * The recipient rules of a unitary or high-throughput call (count, namespace, identity and phone
 * forms, duplicates, context): kept apart from execution.ts because they parse phone numbers, and
 * libphonenumber-js (~120 KB) should be in the bundles of the functions that take calls, not in
 * every one that reads an execution.
 */
import type { UnitaryExecutionInput, UnitaryRecipient } from '../schemas/execution.ts';
import { jsonBytes, MAX_CONTEXT_BYTES, MAX_RECIPIENTS } from '../schemas/limits.ts';
import type { CampaignRecord } from './campaign.ts';
import {
  ContextTooLargeError,
  DuplicateRecipientsError,
  type FieldIssue,
  InvalidChannelDataError,
  InvalidUserIdError,
  NamespaceMismatchError,
  RecipientCountError,
  ReservedContextError,
} from './errors.ts';
import { CHANNEL_DEFAULT_NAMESPACE, type IdentityOptions } from './identity.ts';
import { normalizeIdentity, normalizePhone } from './phone.ts';

/** The channelData field that carries a channel's address. */
const ADDRESS_FIELD = { email: 'emailAddress', sms: 'mobilePhoneNumber', push: 'pushInfo' } as const;

/**
 * An external recipient's address: it has no profile, so the call must give it — in channelData,
 * or as the userId when that is in the channel's own namespace (an email address for email, a
 * phone number for SMS), which is then written into channelData for the dispatcher.
 */
function externalAddress(
  recipient: ResolvedRecipient,
  index: number,
  campaign: CampaignRecord,
  issues: FieldIssue[],
): ResolvedRecipient {
  const field = ADDRESS_FIELD[campaign.channel];
  if (recipient.channelData?.[field] !== undefined) return recipient;
  if (field !== 'pushInfo' && recipient.namespace === CHANNEL_DEFAULT_NAMESPACE[campaign.channel]) {
    return { ...recipient, channelData: { ...recipient.channelData, [field]: recipient.userId } };
  }
  issues.push({
    path: `body.recipients[${index}].channelData.${field}`,
    message: `is required for an external recipient of ${campaign.channel === 'email' ? 'an' : 'a'} ${campaign.channel} campaign (it has no profile to take the address from)`,
  });
  return recipient;
}

/** A recipient whose userId (and channelData phone) is normalised for the campaign's namespace. */
export type ResolvedRecipient = UnitaryRecipient & { readonly rawUserId: string };

/** The phone numbers a call carries (userIds in `phone`, channelData), to know if it needs the sandbox's country. */
export function phoneValues(input: UnitaryExecutionInput): string[] {
  return input.recipients.flatMap((r) => [
    ...(r.namespace === 'phone' ? [r.userId] : []),
    ...(r.channelData?.mobilePhoneNumber !== undefined ? [r.channelData.mobilePhoneNumber] : []),
  ]);
}

/**
 * The call's recipient rules, in the order a client fixes them: count, namespace, userId form,
 * channelData phone form, duplicates (after normalisation, so `A@x.com` and `a@x.com` are one
 * person), reserved and oversized context. Returns the recipients with normalised userIds and
 * phone numbers (national ones read in the sandbox's default country).
 */
export function checkUnitaryRecipients(
  input: UnitaryExecutionInput,
  campaign: CampaignRecord,
  options: IdentityOptions = {},
): ResolvedRecipient[] {
  const { recipients } = input;
  if (recipients.length < 1 || recipients.length > MAX_RECIPIENTS) {
    throw new RecipientCountError(recipients.length, MAX_RECIPIENTS);
  }
  const wrongNamespace: FieldIssue[] = [];
  recipients.forEach((r, i) => {
    if (r.namespace !== campaign.identityNamespace) {
      wrongNamespace.push({
        path: `body.recipients[${i}].namespace`,
        message: `must be '${campaign.identityNamespace}'`,
      });
    }
  });
  if (wrongNamespace.length > 0) throw new NamespaceMismatchError(wrongNamespace, campaign.identityNamespace);

  const invalid: FieldIssue[] = [];
  const identified: ResolvedRecipient[] = [];
  recipients.forEach((r, i) => {
    const normalized = normalizeIdentity(r.namespace, r.userId, options);
    if (normalized.ok) identified.push({ ...r, userId: normalized.value, rawUserId: r.userId });
    else invalid.push({ path: `body.recipients[${i}].userId`, message: normalized.message });
  });
  if (invalid.length > 0) throw new InvalidUserIdError(invalid);

  // A number that cannot be read is refused now, not excluded after the 202.
  const badChannelData: FieldIssue[] = [];
  const addressed = identified.map((r, i): ResolvedRecipient => {
    const raw = r.channelData?.mobilePhoneNumber;
    if (raw === undefined) return r;
    const phone = normalizePhone(raw, options);
    if (phone.ok) return { ...r, channelData: { ...r.channelData, mobilePhoneNumber: phone.value } };
    badChannelData.push({
      path: `body.recipients[${i}].channelData.mobilePhoneNumber`,
      message: phone.message,
    });
    return r;
  });
  if (badChannelData.length > 0) throw new InvalidChannelDataError(badChannelData);
  const resolved = addressed.map((r, i) =>
    r.type === 'external' ? externalAddress(r, i, campaign, badChannelData) : r,
  );
  if (badChannelData.length > 0) throw new InvalidChannelDataError(badChannelData);

  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const r of resolved) {
    if (seen.has(r.userId)) duplicates.add(r.userId);
    seen.add(r.userId);
  }
  if (duplicates.size > 0) throw new DuplicateRecipientsError([...duplicates]);

  const reserved: FieldIssue[] = [];
  recipients.forEach((r, i) => {
    if (r.context && Object.hasOwn(r.context, 'system')) {
      reserved.push({ path: `body.recipients[${i}].context.system`, message: 'is reserved' });
    }
  });
  if (reserved.length > 0) throw new ReservedContextError(reserved);

  // Both are copied into the dispatch job, so they share the reference system's context budget.
  const contextBytes = recipients.reduce((sum, r) => sum + jsonBytes(r.context) + jsonBytes(r.profile), 0);
  if (contextBytes > MAX_CONTEXT_BYTES) {
    throw new ContextTooLargeError(contextBytes, MAX_CONTEXT_BYTES, 'body.recipients');
  }
  return resolved;
}
