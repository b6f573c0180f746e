import {
  SESv2Client,
  type SESv2ClientConfig,
  SESv2ServiceException,
  SendEmailCommand,
} from '@aws-sdk/client-sesv2';
import {
  type ChannelProvider,
  type OutgoingMessage,
  type SendOutcome,
  unanswered,
} from '../domain/channel.ts';
import { checkedHeaders, clipReason, type EmailSender } from '../domain/email.ts';
import { heraldTags } from '../domain/ses-events.ts';

/** One SES channel configuration. */
export interface SesConfiguration extends EmailSender {
  /** Configuration set whose event destination feeds the provider-events queue. */
  readonly configurationSet?: string;
}

/** SES answers that mean "not now": nothing was sent, the job is retried with backoff. */
const THROTTLING = new Set(['TooManyRequestsException', 'LimitExceededException', 'ThrottlingException']);
/**
 * Also retried, but not a request to slow down: sending is paused for the account or the
 * configuration set (an operator resumes it), or SES had an internal error. A paused account is
 * retried on the schedule rather than failed, so resuming it delivers what was waiting.
 */
const TRANSIENT = new Set(['SendingPausedException', 'InternalServiceErrorException', 'ServiceUnavailable']);

/**
 * An SES v2 client for sending: created once per container. The SDK's own retries are off
 * (`maxAttempts: 1`): SendEmail has no idempotency token, so an SDK retry after a timeout could
 * send twice without Herald knowing; Herald's job retries instead, with its backoff and counts.
 * The endpoint comes from `AWS_ENDPOINT_URL_SESV2` when set (moto locally), as for DynamoDB/SQS.
 */
export function createSesClient(config: SESv2ClientConfig = {}): SESv2Client {
  return new SESv2Client({ maxAttempts: 1, ...config });
}

/** Maps an SES error (or any error of the call) to Herald's outcome. */
export function sesOutcome(error: unknown): SendOutcome {
  if (error instanceof SESv2ServiceException) {
    const code = `ses-${error.name}`;
    const reason = clipReason(error.message || error.name);
    if (THROTTLING.has(error.name)) return { kind: 'retry-later', code, reason, throttled: true };
    if (error.name === 'SendingPausedException')
      return { kind: 'retry-later', code, reason, throttled: false };
    if (TRANSIENT.has(error.name) || error.$fault === 'server') {
      return { kind: 'retry-later', code, reason, throttled: false, providerDown: true };
    }
    // MessageRejected, MailFromDomainNotVerifiedException, AccountSuspendedException,
    // BadRequestException, NotFoundException (configuration set)…: this message will not go.
    return { kind: 'failed', status: 'error', code, reason };
  }
  // No answer from the service (network, timeout, credentials): nothing is known to be sent.
  return unanswered('ses', error);
}

/**
 * Sends through Amazon SES v2 `SendEmail` with Simple content (subject, HTML, text, headers), the
 * configuration set, and EmailTags naming Herald's sandbox, execution and message, which come back
 * on every event SES publishes (see ses-events.ts).
 *
 * Duplicates: SendEmail has no idempotency key. A call that times out after SES accepted it is
 * retried and sends a second copy; the events of both carry the same Herald message tags, so
 * feedback still lands on the one message (the first `sent` wins, later ones are repeats).
 */
export class SesProvider implements ChannelProvider {
  readonly name = 'ses';
  readonly idempotent = false;
  readonly #client: SESv2Client;
  readonly #configuration: SesConfiguration;

  constructor(client: SESv2Client, configuration: SesConfiguration) {
    this.#client = client;
    this.#configuration = configuration;
  }

  async send(message: OutgoingMessage, _now: Date): Promise<SendOutcome> {
    const { fromAddress, fromName, replyTo, configurationSet } = this.#configuration;
    const { subject, html, text } = message.content;
    const headers = checkedHeaders(message.headers).map(([Name, Value]) => ({ Name, Value }));
    const command = new SendEmailCommand({
      FromEmailAddress: fromName ? `${quotedName(fromName)} <${fromAddress}>` : fromAddress,
      Destination: { ToAddresses: [message.to] },
      ...(replyTo ? { ReplyToAddresses: [replyTo] } : {}),
      Content: {
        Simple: {
          Subject: { Data: subject ?? '', Charset: 'UTF-8' },
          Body: {
            ...(text !== undefined ? { Text: { Data: text, Charset: 'UTF-8' } } : {}),
            ...(html !== undefined ? { Html: { Data: html, Charset: 'UTF-8' } } : {}),
          },
          ...(headers.length ? { Headers: headers } : {}),
        },
      },
      ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
      EmailTags: heraldTags(message),
    });
    try {
      const answer = await this.#client.send(command);
      return { kind: 'accepted', providerMessageId: answer.MessageId ?? '', events: [] };
    } catch (error) {
      return sesOutcome(error);
    }
  }
}

/**
 * A display name for `FromEmailAddress`. SES reads the address as RFC 5322 and wants non-ASCII
 * names as RFC 2047 encoded words ("=?charset?encoding?text?="), so a non-ASCII name is sent
 * base64-encoded; an ASCII one is quoted, with `"` and `\` escaped.
 */
export function quotedName(name: string): string {
  if (/^[\x20-\x7e]*$/.test(name)) return `"${name.replace(/["\\]/g, '\\$&')}"`;
  return `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?=`;
}
