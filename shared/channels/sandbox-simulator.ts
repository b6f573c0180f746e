import type { ProviderEvent } from '../domain/channel.ts';
import type { Channel } from '../schemas/campaign.ts';

type Events = readonly ProviderEvent[];

/**
 * What the sandbox provider reports for an address, so every status path can be exercised without
 * a real provider. Email follows the SES mailbox simulator; phones and push tokens follow Herald's
 * own documented scheme (README, "Sandbox provider").
 */
export function simulatedEvents(channel: Channel, to: string): Events {
  if (channel === 'email') {
    switch (to) {
      case 'bounce@simulator.amazonses.com':
        return [
          { status: 'bounce', code: 'hard-bounce', reason: 'Permanent: General (mailbox does not exist)' },
        ];
      case 'complaint@simulator.amazonses.com':
        return [
          { status: 'delivered' },
          { status: 'complaint', code: 'abuse', reason: 'The recipient marked the message as spam' },
        ];
      case 'suppressionlist@simulator.amazonses.com':
        return [
          {
            status: 'bounce',
            code: 'on-suppression-list',
            reason: "Permanent: OnAccountSuppressionList (the provider's own list)",
          },
        ];
      default:
        // success@simulator.amazonses.com, ooto@… and any other address reach the sandbox mailbox.
        return [{ status: 'delivered' }];
    }
  }
  if (channel === 'sms') {
    if (to.endsWith('0001'))
      return [{ status: 'bounce', code: 'unreachable', reason: 'Permanent: the number cannot receive SMS' }];
    if (to.endsWith('0002'))
      return [{ status: 'error', code: 'carrier-rejected', reason: 'The carrier rejected the message' }];
    return [{ status: 'delivered' }];
  }
  if (to.startsWith('bounce-'))
    return [
      { status: 'bounce', code: 'token-unregistered', reason: 'The device token is no longer registered' },
    ];
  if (to.startsWith('error-'))
    return [{ status: 'error', code: 'push-service-error', reason: 'The push service refused the message' }];
  return [{ status: 'delivered' }];
}
