import {
  CheckIfPhoneNumberIsOptedOutCommand,
  type MessageAttributeValue,
  PublishCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { type ChannelProvider, type OutgoingMessage, optedOut, type SendOutcome } from '../domain/channel.ts';
import { snsOutcome } from './sns-client.ts';

/** One SNS SMS channel configuration. */
export interface SnsSmsConfiguration {
  readonly originationNumber?: string | undefined;
  readonly senderId?: string | undefined;
  readonly maxPriceUsd?: number | undefined;
  /** Ask SNS whether the number opted out before publishing (one more call per message). */
  readonly checkOptOut?: boolean | undefined;
}

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

/**
 * The message attributes SNS reads for an SMS: the type (marketing campaigns are Promotional, the
 * rest Transactional: carriers and SNS route and price them differently, and Promotional is what
 * quiet hours and opt-outs apply to), and the sender, origination number and price cap when the
 * configuration sets them.
 */
export function smsAttributes(
  configuration: SnsSmsConfiguration,
  campaignType: OutgoingMessage['campaignType'],
): Record<string, MessageAttributeValue> {
  return {
    'AWS.SNS.SMS.SMSType': text(campaignType === 'marketing' ? 'Promotional' : 'Transactional'),
    ...(configuration.originationNumber
      ? { 'AWS.MM.SMS.OriginationNumber': text(configuration.originationNumber) }
      : {}),
    ...(configuration.senderId ? { 'AWS.SNS.SMS.SenderID': text(configuration.senderId) } : {}),
    ...(configuration.maxPriceUsd !== undefined
      ? { 'AWS.SNS.SMS.MaxPrice': { DataType: 'Number', StringValue: String(configuration.maxPriceUsd) } }
      : {}),
  };
}

/**
 * Sends an SMS through Amazon SNS `Publish` to a phone number (E.164, as dispatch normalized it).
 * SNS says nothing later about an SMS unless delivery status logging is on (to CloudWatch Logs,
 * not a queue), so a message sent this way ends `sent`; see ADR 0020 for the End User Messaging
 * provider, whose events would say more.
 *
 * Duplicates: as with SES, Publish has no idempotency key; dispatch claims the message first
 * (`idempotent: false`), so a redelivered job never publishes it twice.
 *
 * Opted-out numbers: SNS's Publish accepts a message to a number that opted out and does not
 * deliver it (its API lists no opt-out error; the delivery status log says "Phone is currently
 * opted out"). With `checkOptOut` the provider asks `CheckIfPhoneNumberIsOptedOut` first and
 * answers `optedOut` without publishing (ADR 0028); an `OptedOutException` SNS might answer is
 * read the same way.
 */
export class SnsSmsProvider implements ChannelProvider {
  readonly name = 'sns-sms';
  readonly idempotent = false;
  readonly #client: SNSClient;
  readonly #configuration: SnsSmsConfiguration;

  constructor(client: SNSClient, configuration: SnsSmsConfiguration) {
    this.#client = client;
    this.#configuration = configuration;
  }

  async send(message: OutgoingMessage, _now: Date): Promise<SendOutcome> {
    if (this.#configuration.checkOptOut) {
      try {
        const check = await this.#client.send(
          new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: message.to }),
        );
        if (check.isOptedOut === true)
          return optedOut('sns-CheckIfPhoneNumberIsOptedOut', 'isOptedOut: true; not published');
      } catch (error) {
        return snsOutcome(error);
      }
    }
    const command = new PublishCommand({
      PhoneNumber: message.to,
      Message: message.content.body ?? '',
      MessageAttributes: smsAttributes(this.#configuration, message.campaignType),
    });
    try {
      const answer = await this.#client.send(command);
      return { kind: 'accepted', providerMessageId: answer.MessageId ?? '', events: [] };
    } catch (error) {
      return snsOutcome(error);
    }
  }
}
