import {
  PinpointSMSVoiceV2Client,
  type PinpointSMSVoiceV2ClientConfig,
  PinpointSMSVoiceV2ServiceException,
  SendTextMessageCommand,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import {
  type ChannelProvider,
  type OutgoingMessage,
  optedOut,
  type SendOutcome,
  unanswered,
} from '../domain/channel.ts';
import { clipReason } from '../domain/email.ts';
import { SMS_CONTEXT_KEYS } from '../domain/sms-events.ts';

/** One End User Messaging SMS channel configuration. */
export interface EndUserMessagingSmsConfiguration {
  readonly originationIdentity: string;
  readonly configurationSet?: string | undefined;
  readonly maxPriceUsd?: number | undefined;
  readonly timeToLiveSeconds?: number | undefined;
}

/**
 * An End User Messaging SMS (pinpoint-sms-voice-v2) client for sending: created once per
 * container, the SDK's retries off for the reason SES's are (SendTextMessage has no idempotency
 * token). The endpoint comes from `AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2` when set.
 */
export function createEndUserMessagingClient(
  config: PinpointSMSVoiceV2ClientConfig = {},
): PinpointSMSVoiceV2Client {
  return new PinpointSMSVoiceV2Client({ maxAttempts: 1, ...config });
}

/** `MaxPrice` as the API takes it: at most 2 digits, a point, 1 to 5 decimals (`0.00581`). */
export function maxPrice(usd: number): string {
  return usd.toFixed(5).replace(/0+$/, '').replace(/\.$/, '.0');
}

/** Maps an End User Messaging error (or any error of the call) to Herald's outcome. */
export function endUserMessagingOutcome(error: unknown): SendOutcome {
  if (error instanceof PinpointSMSVoiceV2ServiceException) {
    const reasonCode = 'Reason' in error && typeof error.Reason === 'string' ? error.Reason : undefined;
    const code = `sms-voice-${reasonCode ?? error.name}`;
    const reason = clipReason(error.message || error.name);
    // ThrottlingException, and a quota (parts per second, spend limit) reached: not now.
    if (error.name === 'ThrottlingException' || error.name === 'ServiceQuotaExceededException')
      return { kind: 'retry-later', code, reason, throttled: true };
    if (error.name === 'InternalServerException' || error.$fault === 'server')
      return { kind: 'retry-later', code, reason, throttled: false, providerDown: true };
    // The number is on the opt-out list of the origination identity: the recipient's choice.
    if (error.name === 'ConflictException' && reasonCode === 'DESTINATION_PHONE_NUMBER_OPTED_OUT')
      return optedOut(code, reason);
    // ValidationException, AccessDenied,
    // ResourceNotFound (origination identity, configuration set): this message will not go.
    return { kind: 'failed', status: 'error', code, reason };
  }
  // No answer from the service (network, timeout, credentials): nothing is known to be sent.
  return unanswered('sms-voice', error);
}

/**
 * Sends an SMS through AWS End User Messaging SMS `SendTextMessage`: the origination identity,
 * `TRANSACTIONAL` or `PROMOTIONAL` from the campaign's category, the configuration set, price cap
 * and time to live where given, and a Context naming Herald's sandbox, execution and message,
 * which End User Messaging returns on the message's events. Claimed before the call, like SES.
 */
export class EndUserMessagingSmsProvider implements ChannelProvider {
  readonly name = 'end-user-messaging-sms';
  readonly idempotent = false;
  readonly #client: PinpointSMSVoiceV2Client;
  readonly #configuration: EndUserMessagingSmsConfiguration;

  constructor(client: PinpointSMSVoiceV2Client, configuration: EndUserMessagingSmsConfiguration) {
    this.#client = client;
    this.#configuration = configuration;
  }

  async send(message: OutgoingMessage, _now: Date): Promise<SendOutcome> {
    const { originationIdentity, configurationSet, maxPriceUsd, timeToLiveSeconds } = this.#configuration;
    const command = new SendTextMessageCommand({
      DestinationPhoneNumber: message.to,
      OriginationIdentity: originationIdentity,
      MessageBody: message.content.body ?? '',
      MessageType: message.campaignType === 'marketing' ? 'PROMOTIONAL' : 'TRANSACTIONAL',
      ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
      ...(maxPriceUsd !== undefined ? { MaxPrice: maxPrice(maxPriceUsd) } : {}),
      ...(timeToLiveSeconds !== undefined ? { TimeToLive: timeToLiveSeconds } : {}),
      Context: {
        [SMS_CONTEXT_KEYS.sandbox]: message.sandbox,
        [SMS_CONTEXT_KEYS.execution]: message.executionId,
        [SMS_CONTEXT_KEYS.message]: message.messageId,
      },
    });
    try {
      const answer = await this.#client.send(command);
      return { kind: 'accepted', providerMessageId: answer.MessageId ?? '', events: [] };
    } catch (error) {
      return endUserMessagingOutcome(error);
    }
  }
}
