import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreatePlatformApplicationCommand,
  SetEndpointAttributesCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createSnsClient } from '../../shared/channels/sns-client.ts';
import { PushEndpointCache, pushMessage, SnsPushProvider } from '../../shared/channels/sns-push-provider.ts';
import { SnsSmsProvider } from '../../shared/channels/sns-sms-provider.ts';
import type { OutgoingMessage } from '../../shared/domain/channel.ts';
import { closedPort, type Moto, motoSns, startMoto } from './moto.ts';

/**
 * The SNS providers (SMS to a phone number, mobile push to APNs/FCM endpoints) against
 * moto_server through the real SDK client. moto keeps the SMS it was given (number, text) and
 * each endpoint's messages; the message attributes it does not keep are read from the request the
 * client put on the wire. moto must be installed: without it this file fails, it never skips.
 */

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const now = new Date('2030-01-01T00:00:00Z');

let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});

function client(endpoint = moto.url): SNSClient {
  const sns = createSnsClient({ endpoint, region: 'us-east-1', credentials });
  onTestFinished(() => sns.destroy());
  return sns;
}

/** The form parameters of each request this client sent (SNS speaks the AWS query protocol). */
function recordRequests(sns: SNSClient): URLSearchParams[] {
  const sent: URLSearchParams[] = [];
  sns.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { body?: unknown }; // an HttpRequest once serialized
      if (typeof request.body !== 'string')
        throw new Error(`an SNS request body of type ${typeof request.body}`);
      sent.push(new URLSearchParams(request.body));
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordRequests' },
  );
  return sent;
}

/** The message attributes of a query-protocol Publish, as a name → value map. */
function attributesOf(params: URLSearchParams): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (let i = 1; params.has(`MessageAttributes.entry.${i}.Name`); i++)
    attributes[params.get(`MessageAttributes.entry.${i}.Name`) ?? ''] =
      params.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '';
  return attributes;
}

function sms(extra: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    sandbox: 'prod',
    executionId: randomUUID(),
    messageId: randomUUID(),
    channel: 'sms',
    campaignType: 'transactional',
    to: '+14155550123',
    content: { body: 'Your code is 1234 🎉' },
    ...extra,
  };
}

describe('SNS SMS provider against moto_server', () => {
  it('publishes the text to the number, Transactional, from the origination number, with sender and price cap', async () => {
    const sns = client();
    const wire = recordRequests(sns);
    const provider = new SnsSmsProvider(sns, {
      originationNumber: '+18005550100',
      senderId: 'Herald',
      maxPriceUsd: 0.5,
    });
    const to = `+1415555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
    const outcome = await provider.send(sms({ to }), now);

    expect(outcome).toMatchObject({ kind: 'accepted', events: [] });
    const id = outcome.kind === 'accepted' ? outcome.providerMessageId : '';
    expect((await motoSns(moto.url)).sms.find((m) => m.message_id === id)).toEqual({
      message_id: id,
      phone_number: to,
      message: 'Your code is 1234 🎉',
    });
    expect(wire).toHaveLength(1);
    const [params] = wire;
    expect(params?.get('Action')).toBe('Publish');
    expect(params?.get('PhoneNumber')).toBe(to);
    expect(attributesOf(params ?? new URLSearchParams())).toEqual({
      'AWS.SNS.SMS.SMSType': 'Transactional',
      'AWS.MM.SMS.OriginationNumber': '+18005550100',
      'AWS.SNS.SMS.SenderID': 'Herald',
      'AWS.SNS.SMS.MaxPrice': '0.5',
    });
  });

  it('sends a marketing campaign’s SMS as Promotional, and only the type when nothing else is set', async () => {
    const sns = client();
    const wire = recordRequests(sns);
    const outcome = await new SnsSmsProvider(sns, {}).send(sms({ campaignType: 'marketing' }), now);
    expect(outcome.kind).toBe('accepted');
    expect(attributesOf(wire[0] ?? new URLSearchParams())).toEqual({ 'AWS.SNS.SMS.SMSType': 'Promotional' });
  });

  it('with checkOptOut, asks CheckIfPhoneNumberIsOptedOut and publishes nothing to an opted-out number', async () => {
    const sns = client();
    const wire = recordRequests(sns);
    const provider = new SnsSmsProvider(sns, { checkOptOut: true });
    // moto 5.2.1 answers isOptedOut: true for numbers ending in 99.
    expect(await provider.send(sms({ to: '+14155550199' }), now)).toMatchObject({
      kind: 'failed',
      status: 'exclude',
      code: 'opted-out',
      optedOut: true,
    });
    expect(wire.map((params) => params.get('Action'))).toEqual(['CheckIfPhoneNumberIsOptedOut']);
    expect(await provider.send(sms({ to: '+14155550198' }), now)).toMatchObject({ kind: 'accepted' });
    expect(wire.map((params) => params.get('Action'))).toEqual([
      'CheckIfPhoneNumberIsOptedOut',
      'CheckIfPhoneNumberIsOptedOut',
      'Publish',
    ]);
  });

  it('maps no answer at all (a closed port) to a retry, not a failure', async () => {
    const provider = new SnsSmsProvider(client(`http://127.0.0.1:${await closedPort()}`), {});
    expect(await provider.send(sms(), now)).toMatchObject({
      kind: 'retry-later',
      throttled: false,
      providerDown: true,
    });
  });
});

/**
 * SNS's throttling and internal errors cannot be provoked in moto, so these run against an HTTP
 * endpoint that answers as SNS's query protocol does (status and an XML ErrorResponse): the real
 * SDK client parses it into its exception classes, and the providers map those.
 */
async function snsErrorEndpoint(status: number, code: string, message: string): Promise<string> {
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(status, { 'content-type': 'text/xml' });
      response.end(
        `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`; // listen() on a port gives an AddressInfo
}

describe('SNS outcome mapping of SNS error answers', () => {
  it.each([
    [429, 'Throttled', 'Rate exceeded', true],
    [500, 'InternalError', 'Internal error', false],
    [503, 'ServiceUnavailable', 'Service unavailable', false],
  ])('%i %s → retry later (throttled: %s)', async (status, code, message, throttled) => {
    const provider = new SnsSmsProvider(client(await snsErrorEndpoint(status, code, message)), {});
    expect(await provider.send(sms(), now)).toMatchObject({
      kind: 'retry-later',
      reason: message,
      throttled,
    });
  });

  it.each([
    [400, 'InvalidParameter', 'Invalid parameter: PhoneNumber Reason: +1 is not valid to publish to'],
    [403, 'AuthorizationError', 'User is not authorized to perform SNS:Publish'],
  ])('%i %s → error with the code, the number stays usable', async (status, code, message) => {
    const provider = new SnsSmsProvider(client(await snsErrorEndpoint(status, code, message)), {});
    expect(await provider.send(sms(), now)).toEqual({
      kind: 'failed',
      status: 'error',
      code: expect.stringMatching(/^sns-/),
      reason: message,
    });
  });
});

describe('SNS OptedOutException', () => {
  it('is an opted-out exclusion, not an error', async () => {
    const provider = new SnsSmsProvider(
      client(await snsErrorEndpoint(400, 'OptedOut', 'Phone number is opted out')),
      {},
    );
    expect(await provider.send(sms(), now)).toMatchObject({
      kind: 'failed',
      status: 'exclude',
      code: 'opted-out',
      optedOut: true,
    });
  });
});

describe('SNS mobile push provider against moto_server', () => {
  async function applications(sns: SNSClient) {
    const name = `app-${randomUUID().slice(0, 8)}`;
    const create = async (platform: string) =>
      (
        await sns.send(
          new CreatePlatformApplicationCommand({
            Name: name,
            Platform: platform,
            Attributes: { PlatformCredential: 'test-credential' },
          }),
        )
      ).PlatformApplicationArn ?? '';
    return [
      { appId: 'com.example.app', platform: 'fcm' as const, platformApplicationArn: await create('GCM') },
      { appId: 'com.example.app', platform: 'apns' as const, platformApplicationArn: await create('APNS') },
    ];
  }

  function push(token: string, platform?: NonNullable<OutgoingMessage['push']>['platform']): OutgoingMessage {
    return {
      ...sms(),
      channel: 'push',
      to: token,
      content: { title: 'Sale 🎉', body: 'Today only', data: { deepLink: 'app://sale' } },
      push: { appId: 'com.example.app', ...(platform ? { platform } : {}) },
    };
  }

  it('registers the token once, then publishes the per-platform message to its endpoint', async () => {
    const sns = client();
    const apps = await applications(sns);
    const wire = recordRequests(sns);
    const endpoints = new PushEndpointCache();
    const provider = new SnsPushProvider(sns, apps, endpoints);
    const token = `fcm-${randomUUID()}`;

    const first = await provider.send(push(token, 'android'), now);
    const second = await provider.send(push(token, 'fcm'), now);

    expect(first.kind).toBe('accepted');
    expect(second.kind).toBe('accepted');
    expect(wire.map((p) => p.get('Action'))).toEqual(['CreatePlatformEndpoint', 'Publish', 'Publish']);
    const endpoint = (await motoSns(moto.url)).endpoints.find((e) => e.token === token);
    expect(endpoint?.arn).toContain(':endpoint/GCM/');
    const published = Object.values(endpoint?.messages ?? {}).map(
      (m) => JSON.parse(m) as Record<string, string>,
    );
    expect(published).toHaveLength(2);
    expect(published[0]).toEqual({ default: 'Today only', GCM: expect.any(String) });
    expect(JSON.parse(published[0]?.GCM ?? '')).toEqual({
      fcmV1Message: {
        message: { notification: { title: 'Sale 🎉', body: 'Today only' }, data: { deepLink: 'app://sale' } },
      },
    });
  });

  it('builds the APNs message for an iOS device: aps.alert and the data beside it', async () => {
    const sns = client();
    const provider = new SnsPushProvider(sns, await applications(sns), new PushEndpointCache());
    const token = `apns-${randomUUID()}`;
    expect((await provider.send(push(token, 'ios'), now)).kind).toBe('accepted');
    const endpoint = (await motoSns(moto.url)).endpoints.find((e) => e.token === token);
    expect(endpoint?.arn).toContain(':endpoint/APNS/');
    const [message] = Object.values(endpoint?.messages ?? {});
    expect(JSON.parse(JSON.parse(message ?? '{}').APNS)).toEqual({
      aps: { alert: { title: 'Sale 🎉', body: 'Today only' } },
      deepLink: 'app://sale',
    });
  });

  it('answers a disabled endpoint (an unregistered token) as a bounce', async () => {
    const sns = client();
    const endpoints = new PushEndpointCache();
    const provider = new SnsPushProvider(sns, await applications(sns), endpoints);
    const token = `gone-${randomUUID()}`;
    expect((await provider.send(push(token, 'fcm'), now)).kind).toBe('accepted');
    // What SNS does when FCM says the token is unregistered: it disables the endpoint.
    const endpoint = (await motoSns(moto.url)).endpoints.find((e) => e.token === token);
    await sns.send(
      new SetEndpointAttributesCommand({
        EndpointArn: endpoint?.arn ?? '',
        Attributes: { Enabled: 'false' },
      }),
    );
    expect(await provider.send(push(token, 'fcm'), now)).toEqual({
      kind: 'failed',
      status: 'bounce',
      code: 'sns-EndpointDisabledException',
      reason: 'Endpoint is disabled',
    });
  });

  it('fails (an error, not a bounce) when the configuration has no application for the app and platform', async () => {
    const sns = client();
    const provider = new SnsPushProvider(sns, (await applications(sns)).slice(0, 1), new PushEndpointCache());
    expect(await provider.send(push('t-1', 'ios'), now)).toMatchObject({
      kind: 'failed',
      status: 'error',
      code: 'push-no-application',
    });
    // Without a platform the app's only application is used.
    expect((await provider.send(push(`t-${randomUUID()}`), now)).kind).toBe('accepted');
  });

  it('answers a token SNS refuses to register (InvalidParameter) as a bounce', async () => {
    const provider = new SnsPushProvider(
      client(await snsErrorEndpoint(400, 'InvalidParameter', 'Invalid parameter: Token Reason: malformed')),
      [
        {
          appId: 'com.example.app',
          platform: 'fcm',
          platformApplicationArn: 'arn:aws:sns:us-east-1:123456789012:app/GCM/x',
        },
      ],
      new PushEndpointCache(),
    );
    expect(await provider.send(push('bad', 'fcm'), now)).toMatchObject({ kind: 'failed', status: 'bounce' });
  });
});

describe('push messages', () => {
  it('leave out an absent title and data', () => {
    expect(JSON.parse(pushMessage('fcm', { body: 'Hi' }))).toEqual({
      default: 'Hi',
      GCM: JSON.stringify({ fcmV1Message: { message: { notification: { body: 'Hi' } } } }),
    });
    expect(JSON.parse(pushMessage('apnsSandbox', { body: 'Hi' }))).toEqual({
      default: 'Hi',
      APNS_SANDBOX: JSON.stringify({ aps: { alert: { body: 'Hi' } } }),
    });
  });
});
