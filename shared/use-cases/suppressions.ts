import type { SuppressionList, SuppressionRecord } from '../domain/channel.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { chooseAddress } from '../domain/message.ts';
import type { Channel } from '../schemas/campaign.ts';
import type { SuppressionView } from '../schemas/suppression.ts';

export interface SuppressionDeps {
  readonly suppressions: SuppressionList;
}

export function toSuppressionView(record: SuppressionRecord): SuppressionView {
  return {
    channel: record.channel as Channel,
    address: record.address,
    code: record.code,
    messageId: record.messageId,
    suppressedAt: record.at,
  };
}

/**
 * The address as sends store it on the list (an email address in lower case, a phone
 * number in E.164), so an address is found however it was typed; a malformed one is a 400.
 */
function normalized(channel: Channel, address: string): string {
  const given =
    channel === 'email'
      ? { emailAddress: address }
      : channel === 'sms'
        ? { mobilePhoneNumber: address }
        : { pushInfo: { token: address } };
  const choice = chooseAddress(channel, given, undefined);
  if (!choice.ok) throw new ValidationError([{ path: 'path.address', message: choice.reason }]);
  return choice.address;
}

export async function listSuppressions(
  deps: SuppressionDeps,
  sandbox: string,
  query: { channel: Channel; limit: number; cursor?: string | undefined },
) {
  const page = await deps.suppressions.list(sandbox, query.channel, query);
  return { ...page, items: page.items.map(toSuppressionView) };
}

export async function getSuppression(
  deps: SuppressionDeps,
  sandbox: string,
  channel: Channel,
  address: string,
) {
  const found = await deps.suppressions.get(sandbox, channel, normalized(channel, address));
  if (!found) throw new NotFoundError('Suppression', `${channel} ${address}`);
  return toSuppressionView(found);
}

/** Takes an address off the list: sends to it are no longer excluded `suppressed-address`. */
export async function removeSuppression(
  deps: SuppressionDeps,
  sandbox: string,
  channel: Channel,
  address: string,
): Promise<void> {
  if (!(await deps.suppressions.remove(sandbox, channel, normalized(channel, address))))
    throw new NotFoundError('Suppression', `${channel} ${address}`);
}
