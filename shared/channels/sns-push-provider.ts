import {
  CreatePlatformEndpointCommand,
  PublishCommand,
  type SNSClient,
  SNSServiceException,
} from '@aws-sdk/client-sns';
import type { ChannelProvider, OutgoingMessage, SendOutcome } from '../domain/channel.ts';
import type { PushApplication } from '../domain/channel-configuration.ts';
import type { RenderedContent } from '../domain/message.ts';
import { type PushPlatform, SNS_PLATFORM } from '../schemas/channel-configuration.ts';
import { snsOutcome } from './sns-client.ts';

/**
 * Device endpoints a container created (or SNS gave back), per platform application and token,
 * so a token is registered once per container, not once per message. CreatePlatformEndpoint is
 * itself idempotent (the same token answers the same endpoint), so a lost cache costs a call, never
 * a second endpoint. Bounded: past `limit` the oldest entry goes.
 */
export class PushEndpointCache {
  readonly #arns = new Map<string, string>();
  readonly #limit: number;

  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  get(applicationArn: string, token: string): string | undefined {
    return this.#arns.get(`${applicationArn}\n${token}`);
  }

  set(applicationArn: string, token: string, endpointArn: string): void {
    if (this.#arns.size >= this.#limit) {
      const oldest = this.#arns.keys().next().value;
      if (oldest !== undefined) this.#arns.delete(oldest);
    }
    this.#arns.set(`${applicationArn}\n${token}`, endpointArn);
  }

  delete(applicationArn: string, token: string): void {
    this.#arns.delete(`${applicationArn}\n${token}`);
  }
}

/**
 * The SNS errors that mean the token will never reach a device: SNS disabled the endpoint (APNs or
 * FCM said the token is unregistered or invalid), or SNS refused the token when registering it.
 * They are answered `bounce`, and dispatch suppresses the token.
 */
const TOKEN_GONE = new Set(['EndpointDisabledException', 'InvalidParameterException']);

/** The platforms a call's `pushInfo.platform` may mean, in the order they are tried. */
const PLATFORMS_OF: Readonly<
  Record<NonNullable<NonNullable<OutgoingMessage['push']>['platform']>, readonly PushPlatform[]>
> = {
  apns: ['apns'],
  apnsSandbox: ['apnsSandbox'],
  ios: ['apns', 'apnsSandbox'],
  fcm: ['fcm'],
  android: ['fcm'],
};

/**
 * The application that carries a message: the campaign's app on the device's platform. Without a
 * platform in the call, the app's only application (an app with several needs the platform).
 */
export function applicationFor(
  applications: readonly PushApplication[],
  push: OutgoingMessage['push'],
): PushApplication | undefined {
  if (!push) return undefined;
  const ofApp = applications.filter((app) => app.appId === push.appId);
  if (push.platform === undefined) return ofApp.length === 1 ? ofApp[0] : undefined;
  for (const platform of PLATFORMS_OF[push.platform]) {
    const found = ofApp.find((app) => app.platform === platform);
    if (found) return found;
  }
  return undefined;
}

/**
 * The per-platform message SNS sends (MessageStructure `json`): APNs gets `aps.alert` with the
 * title and body and the campaign's data as custom keys beside `aps`; FCM gets an HTTP v1 message
 * (`fcmV1Message`) with a notification and the data (FCM's data values are strings, as Herald's
 * are); `default` is the body, for any other transport.
 */
export function pushMessage(platform: PushPlatform, content: RenderedContent): string {
  const notification = {
    ...(content.title !== undefined ? { title: content.title } : {}),
    body: content.body ?? '',
  };
  const data = content.data ?? {};
  const payload =
    platform === 'fcm'
      ? { fcmV1Message: { message: { notification, ...(Object.keys(data).length > 0 ? { data } : {}) } } }
      : { ...data, aps: { alert: notification } };
  return JSON.stringify({ default: content.body ?? '', [SNS_PLATFORM[platform]]: JSON.stringify(payload) });
}

/**
 * Sends a push notification through Amazon SNS mobile push: finds the campaign's app on the
 * device's platform, registers the token as an endpoint of that platform application (once per
 * container, see PushEndpointCache), and publishes the per-platform message to the endpoint.
 * A disabled endpoint or a refused token is a `bounce` (the token is suppressed).
 */
export class SnsPushProvider implements ChannelProvider {
  readonly name = 'sns-push';
  readonly idempotent = false;
  readonly #client: SNSClient;
  readonly #applications: readonly PushApplication[];
  readonly #endpoints: PushEndpointCache;

  constructor(client: SNSClient, applications: readonly PushApplication[], endpoints: PushEndpointCache) {
    this.#client = client;
    this.#applications = applications;
    this.#endpoints = endpoints;
  }

  async send(message: OutgoingMessage, _now: Date): Promise<SendOutcome> {
    const application = applicationFor(this.#applications, message.push);
    if (!application) {
      const platform = message.push?.platform ?? 'no platform given';
      return {
        kind: 'failed',
        status: 'error',
        code: 'push-no-application',
        reason: `The channel configuration has no platform application for app ${message.push?.appId ?? '(none)'} on ${platform}.`,
      };
    }
    const arn = application.platformApplicationArn;
    const publish = async (endpointArn: string) =>
      this.#client.send(
        new PublishCommand({
          TargetArn: endpointArn,
          MessageStructure: 'json',
          Message: pushMessage(application.platform, message.content),
        }),
      );
    try {
      const cached = this.#endpoints.get(arn, message.to);
      if (cached) {
        try {
          const answer = await publish(cached);
          return { kind: 'accepted', providerMessageId: answer.MessageId ?? '', events: [] };
        } catch (error) {
          // The endpoint was deleted since it was cached: nothing was sent, register it again.
          if (!(error instanceof SNSServiceException && error.name === 'NotFoundException')) throw error;
          this.#endpoints.delete(arn, message.to);
        }
      }
      const created = await this.#client.send(
        new CreatePlatformEndpointCommand({ PlatformApplicationArn: arn, Token: message.to }),
      );
      if (!created.EndpointArn) throw new Error('SNS answered CreatePlatformEndpoint without an EndpointArn');
      this.#endpoints.set(arn, message.to, created.EndpointArn);
      const answer = await publish(created.EndpointArn);
      return { kind: 'accepted', providerMessageId: answer.MessageId ?? '', events: [] };
    } catch (error) {
      return snsOutcome(error, TOKEN_GONE);
    }
  }
}
