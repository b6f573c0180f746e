import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  createEndUserMessagingClient,
  EndUserMessagingSmsProvider,
  maxPrice,
} from '../../shared/channels/end-user-messaging-sms-provider.ts';
import type { OutgoingMessage } from '../../shared/domain/channel.ts';
import { closedPort } from './moto.ts';

/**
 * The End User Messaging SMS provider through the real SDK client (pinpoint-sms-voice-v2). moto
 * 5.2.1 does not serve this API, so the client talks to a local HTTP server that checks each
 * request against the service's published API shape — the awsJson1_0 protocol
 * (`X-Amz-Target: PinpointSMSVoiceV2.SendTextMessage`) and the SendTextMessage request members
 * with their documented patterns and lengths — and answers as the service does: `{MessageId}`,
 * or an error document (`__type`, `Message`, `Reason`) with its status.
 */

/** SendTextMessage's request members, as the API reference gives them. */
const SHAPE: Record<string, (value: unknown) => boolean> = {
  DestinationPhoneNumber: (v) => typeof v === 'string' && /^\+?[1-9][0-9]{1,18}$/.test(v),
  OriginationIdentity: (v) => typeof v === 'string' && /^[A-Za-z0-9_:/+-]{1,256}$/.test(v),
  MessageBody: (v) => typeof v === 'string' && v.length >= 1 && v.length <= 1600,
  MessageType: (v) => v === 'TRANSACTIONAL' || v === 'PROMOTIONAL',
  ConfigurationSetName: (v) => typeof v === 'string' && /^[A-Za-z0-9_:/-]{1,256}$/.test(v),
  MaxPrice: (v) =>
    typeof v === 'string' && /^[0-9]{0,2}\.[0-9]{1,5}$/.test(v) && v.length >= 2 && v.length <= 8,
  TimeToLive: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 5 && v <= 259_200,
  Context: (v) =>
    typeof v === 'object' &&
    v !== null &&
    Object.keys(v).length <= 5 &&
    Object.entries(v).every(
      ([key, value]) => /^\S{1,100}$/.test(key) && typeof value === 'string' && /^\S{1,800}$/.test(value),
    ),
};

interface Recorded {
  readonly target: string | undefined;
  readonly contentType: string | undefined;
  readonly body: Record<string, unknown>;
  /** Members not in the shape, or whose value breaks its rule. */
  readonly violations: string[];
}

async function endpoint(
  answer: (body: Record<string, unknown>) => { status: number; body: unknown } = () => ({
    status: 200,
    body: { MessageId: randomUUID() },
  }),
): Promise<{ url: string; recorded: Recorded[] }> {
  const recorded: Recorded[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const violations = Object.entries(body).flatMap(([key, value]) => (SHAPE[key]?.(value) ? [] : [key]));
      for (const required of ['DestinationPhoneNumber']) if (!(required in body)) violations.push(required);
      recorded.push({
        target: request.headers['x-amz-target'] as string | undefined,
        contentType: request.headers['content-type'],
        body,
        violations,
      });
      const { status, body: reply } = answer(body);
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, recorded }; // listen() on a port gives an AddressInfo
}

function client(url: string) {
  const sms = createEndUserMessagingClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  onTestFinished(() => sms.destroy());
  return sms;
}

const message = (extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  sandbox: 'prod',
  executionId: randomUUID(),
  messageId: randomUUID(),
  channel: 'sms',
  campaignType: 'transactional',
  to: '+14155550123',
  content: { body: 'Your code is 1234' },
  ...extra,
});
const now = new Date('2030-01-01T00:00:00Z');

describe('End User Messaging SMS provider (the request the SDK builds, against the published shape)', () => {
  it('sends SendTextMessage with the identity, type, configuration set, price, TTL and Herald’s context', async () => {
    const { url, recorded } = await endpoint();
    const provider = new EndUserMessagingSmsProvider(client(url), {
      originationIdentity: '+18005550100',
      configurationSet: 'herald-sms',
      maxPriceUsd: 0.5,
      timeToLiveSeconds: 3600,
    });
    const sent = message();
    const outcome = await provider.send(sent, now);
    expect(outcome).toMatchObject({ kind: 'accepted', events: [] });
    expect(recorded).toEqual([
      {
        target: 'PinpointSMSVoiceV2.SendTextMessage',
        contentType: 'application/x-amz-json-1.0',
        violations: [],
        body: {
          DestinationPhoneNumber: '+14155550123',
          OriginationIdentity: '+18005550100',
          MessageBody: 'Your code is 1234',
          MessageType: 'TRANSACTIONAL',
          ConfigurationSetName: 'herald-sms',
          MaxPrice: '0.5',
          TimeToLive: 3600,
          Context: {
            'herald-sandbox': 'prod',
            'herald-execution': sent.executionId,
            'herald-message': sent.messageId,
          },
        },
      },
    ]);
  });

  it('sends a marketing campaign’s SMS as PROMOTIONAL, from a pool ARN, with only what is set', async () => {
    const { url, recorded } = await endpoint();
    const pool = 'arn:aws:sms-voice:us-east-1:123456789012:pool/pool-1234567890abcdef';
    await new EndUserMessagingSmsProvider(client(url), { originationIdentity: pool }).send(
      message({ campaignType: 'marketing' }),
      now,
    );
    expect(recorded[0]?.violations).toEqual([]);
    expect(Object.keys(recorded[0]?.body ?? {}).sort()).toEqual([
      'Context',
      'DestinationPhoneNumber',
      'MessageBody',
      'MessageType',
      'OriginationIdentity',
    ]);
    expect(recorded[0]?.body).toMatchObject({ MessageType: 'PROMOTIONAL', OriginationIdentity: pool });
  });

  it('writes MaxPrice in the API’s form', () => {
    expect([0.5, 0.00581, 12, 99.99999].map(maxPrice)).toEqual(['0.5', '0.00581', '12.0', '99.99999']);
  });

  it.each([
    [400, 'ConflictException', 'DESTINATION_PHONE_NUMBER_NOT_VERIFIED', 'failed'],
    [400, 'ValidationException', 'INVALID_PARAMETER', 'failed'],
    [429, 'ThrottlingException', undefined, 'retry-later'],
    [402, 'ServiceQuotaExceededException', 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT', 'retry-later'],
    [500, 'InternalServerException', undefined, 'retry-later'],
  ])('maps %i %s (%s) to %s', async (status, type, reason, kind) => {
    const { url } = await endpoint(() => ({
      status,
      body: { __type: type, Message: `${type} happened`, ...(reason ? { Reason: reason } : {}) },
    }));
    const outcome = await new EndUserMessagingSmsProvider(client(url), {
      originationIdentity: '+18005550100',
    }).send(message(), now);
    expect(outcome).toMatchObject({ kind, code: `sms-voice-${reason ?? type}`, reason: `${type} happened` });
    if (type === 'InternalServerException') expect(outcome).toMatchObject({ providerDown: true });
  });

  it('maps ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT to an opted-out exclusion, never a retry', async () => {
    const { url } = await endpoint(() => ({
      status: 400,
      body: {
        __type: 'ConflictException',
        Message: 'The destination phone number is opted out.',
        Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT',
        ResourceType: 'opt-out-list',
        ResourceId: 'Default',
      },
    }));
    const outcome = await new EndUserMessagingSmsProvider(client(url), {
      originationIdentity: '+18005550100',
    }).send(message(), now);
    expect(outcome).toEqual({
      kind: 'failed',
      status: 'exclude',
      code: 'opted-out',
      reason:
        'The number opted out with the provider (sms-voice-DESTINATION_PHONE_NUMBER_OPTED_OUT: The destination phone number is opted out.)',
      optedOut: true,
    });
  });

  it('maps no answer at all (a closed port) to a retry the fallback may take', async () => {
    const outcome = await new EndUserMessagingSmsProvider(client(`http://127.0.0.1:${await closedPort()}`), {
      originationIdentity: '+18005550100',
    }).send(message(), now);
    expect(outcome).toMatchObject({ kind: 'retry-later', providerDown: true });
  });
});
