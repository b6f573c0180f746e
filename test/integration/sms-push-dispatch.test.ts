import { randomUUID } from 'node:crypto';
import { CreatePlatformApplicationCommand, SetEndpointAttributesCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnsClient } from '../../shared/channels/sns-client.ts';
import { type Client, sandboxWithKey, startTestHerald } from './harness.ts';
import { type Moto, motoSns, startMoto } from './moto.ts';
import { startReceiver, waitFor } from './receiver.ts';

/**
 * SMS and push through their SNS channel configurations, end to end: the runtime's dispatcher
 * sends through the real SNS client to moto_server (AWS_ENDPOINT_URL_SNS), records each
 * recipient's status (and an SMS's encoding and parts), and the feedback webhook gets them.
 */
type Recipient = {
  userId: string;
  status: string;
  statusCode?: string;
  encoding?: string;
  numberOfMessageParts?: number;
  history: { status: string; code?: string; reason?: string }[];
};
type Execution = { executionId: string; recipients: Recipient[] };

let moto: Moto;
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let api: Client;
let appArns: { fcm: string; apns: string };

beforeAll(async () => {
  moto = await startMoto();
  // The dispatcher's SNS client is built by the SDK from the environment, as on Lambda.
  process.env.AWS_ENDPOINT_URL_SNS = moto.url;
  herald = await startTestHerald();
  receiver = await startReceiver();
  ({ api } = await sandboxWithKey(herald, ['admin']));
  const webhook = await api.post('/webhooks', {
    name: 'feedback',
    url: receiver.url('/hook'),
    channels: ['sms', 'push'],
  });
  expect(webhook.status, JSON.stringify(webhook.body)).toBe(201);
  const sns = createSnsClient({
    endpoint: moto.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const app = async (platform: string) =>
    (
      await sns.send(
        new CreatePlatformApplicationCommand({
          Name: `shop-${randomUUID().slice(0, 8)}`,
          Platform: platform,
          Attributes: { PlatformCredential: 'test-credential' },
        }),
      )
    ).PlatformApplicationArn ?? '';
  appArns = { fcm: await app('GCM'), apns: await app('APNS') };
  sns.destroy();
});
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_SNS;
  await herald?.stop();
  await receiver?.stop();
  await moto?.stop();
});

let counter = 0;
async function liveCampaign(definition: Record<string, unknown>): Promise<string> {
  const created = await api.post<{ id: string }>('/campaigns', {
    name: `campaign ${++counter}`,
    category: 'transactional',
    createNewProfiles: true,
    enableWebhooks: true,
    ...definition,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const activated = await api.post(`/campaigns/${created.body.id}/activate`);
  expect(activated.status, JSON.stringify(activated.body)).toBe(200);
  return created.body.id;
}

async function trigger(campaignId: string, recipients: unknown[]): Promise<Execution> {
  const answer = await api.post<{ executionId: string }>('/im/executions/unitary', {
    requestId: `sms-push-${++counter}`,
    campaignId,
    recipients,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  let last: Execution | undefined;
  await waitFor(async () => {
    last = (await api.get<Execution>(`/executions/${answer.body.executionId}`)).body;
    return last.recipients.every((r) => r.status !== 'queued');
  }, 'the messages to be sent');
  return last as Execution;
}

type Feedback = {
  channel: string;
  messageExecution: { messageExecutionID: string };
  messageDeliveryFeedback: {
    feedbackStatus: { value: string };
    encoding: string | null;
    numberOfMessageParts: string | null;
  };
  identityMap: Record<string, { id: string }[]>;
};
const feedbackFor = (userId: string) =>
  receiver.received
    .map((r) => JSON.parse(r.body) as Feedback)
    .filter((f) => Object.values(f.identityMap).some((ids) => ids.some((i) => i.id === userId)));

describe('SMS through an SNS channel configuration (the runtime sending)', () => {
  beforeAll(async () => {
    const created = await api.post('/channel-configurations', {
      name: 'SNS SMS',
      channel: 'sms',
      provider: { type: 'sns-sms', originationNumber: '+18005550100' },
      default: true,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  });

  it('sends GSM-7 and emoji text, recording encoding and parts on the message and in the feedback', async () => {
    const campaign = await liveCampaign({
      channel: 'sms',
      identityNamespace: 'phone',
      content: { body: '{{context.text}}' },
    });
    const gsm = `${'Grüße aus Zürich {€} '.repeat(8)}`; // 168 characters; {, € and } count two septets each: 192 septets, two parts
    const emoji = 'Your order shipped 📦 track it in the app';
    const execution = await trigger(campaign, [
      { type: 'aep', userId: '+14155550101', namespace: 'phone', context: { text: gsm } },
      { type: 'aep', userId: '+14155550102', namespace: 'phone', context: { text: emoji } },
    ]);
    const byUser = Object.fromEntries(execution.recipients.map((r) => [r.userId, r]));
    expect(byUser['+14155550101']).toMatchObject({
      status: 'sent',
      encoding: 'GSM',
      numberOfMessageParts: 2,
    });
    expect(byUser['+14155550102']).toMatchObject({
      status: 'sent',
      encoding: 'UNICODE',
      numberOfMessageParts: 1,
    });
    const published = (await motoSns(moto.url)).sms;
    expect(published).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ phone_number: '+14155550101', message: gsm }),
        expect.objectContaining({ phone_number: '+14155550102', message: emoji }),
      ]),
    );
    await waitFor(() => feedbackFor('+14155550102').length > 0, 'the feedback webhook');
    expect(feedbackFor('+14155550102')[0]).toMatchObject({
      channel: 'sms',
      messageDeliveryFeedback: {
        feedbackStatus: { value: 'sent' },
        encoding: 'UNICODE',
        numberOfMessageParts: '1',
      },
    });
  });

  it('excludes a rendered SMS longer than smsMaxParts, and sends the ones that fit', async () => {
    const campaign = await liveCampaign({
      channel: 'sms',
      identityNamespace: 'phone',
      smsMaxParts: 1,
      content: { body: 'Code {{context.code}}' },
    });
    const execution = await trigger(campaign, [
      { type: 'aep', userId: '+14155550103', namespace: 'phone', context: { code: '1234' } },
      { type: 'aep', userId: '+14155550104', namespace: 'phone', context: { code: '😀'.repeat(40) } },
    ]);
    const byUser = Object.fromEntries(execution.recipients.map((r) => [r.userId, r]));
    expect(byUser['+14155550103']).toMatchObject({ status: 'sent', numberOfMessageParts: 1 });
    expect(byUser['+14155550104']).toMatchObject({
      status: 'exclude',
      statusCode: 'sms-too-many-parts',
      encoding: 'UNICODE',
      numberOfMessageParts: 2,
    });
    expect((await motoSns(moto.url)).sms.some((m) => m.phone_number === '+14155550104')).toBe(false);
  });

  it('refuses activation when the fixed text alone exceeds smsMaxParts, naming content.body', async () => {
    const created = await api.post<{ id: string }>('/campaigns', {
      name: 'too long',
      category: 'transactional',
      channel: 'sms',
      identityNamespace: 'phone',
      smsMaxParts: 1,
      content: { body: `${'a'.repeat(161)}{{context.code}}` },
    });
    expect(created.status).toBe(201);
    const activated = await api.post<{ fields: { path: string; message: string }[] }>(
      `/campaigns/${created.body.id}/activate`,
    );
    expect(activated.status).toBe(400);
    expect(activated.body.fields).toEqual([
      {
        path: 'content.body',
        message: "needs 2 SMS parts (GSM-7) without its variables; the campaign's smsMaxParts is 1",
      },
    ]);
  });
});

describe('push through an SNS mobile push channel configuration (the runtime sending)', () => {
  let configurationId: string;
  beforeAll(async () => {
    const created = await api.post<{ id: string }>('/channel-configurations', {
      name: 'Shop app',
      channel: 'push',
      provider: {
        type: 'sns-push',
        applications: [
          { appId: 'com.example.shop', platform: 'fcm', platformApplicationArn: appArns.fcm },
          { appId: 'com.example.shop', platform: 'apns', platformApplicationArn: appArns.apns },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    configurationId = created.body.id;
  });

  const pushCampaign = () =>
    liveCampaign({
      channel: 'push',
      identityNamespace: 'ecid',
      appId: 'com.example.shop',
      channelConfigurationId: configurationId,
      content: { title: 'Hi', body: 'Order {{context.order}} shipped', data: { order: '{{context.order}}' } },
    });
  const device = (token: string, platform: string, order = '42') => ({
    type: 'aep',
    // An ECID: 38 digits.
    userId: Array.from({ length: 38 }, () => Math.floor(Math.random() * 10)).join(''),
    namespace: 'ecid',
    channelData: { pushInfo: { appID: 'com.example.shop', platform, token } },
    context: { order },
  });

  it('sends to an Android and an iOS device through their platform applications', async () => {
    const campaign = await pushCampaign();
    const android = `fcm-${randomUUID()}`;
    const ios = `apns-${randomUUID()}`;
    const execution = await trigger(campaign, [device(android, 'android'), device(ios, 'ios')]);
    expect(execution.recipients.map((r) => r.status)).toEqual(['sent', 'sent']);
    const endpoints = (await motoSns(moto.url)).endpoints;
    const fcm = endpoints.find((e) => e.token === android);
    const apns = endpoints.find((e) => e.token === ios);
    expect(fcm?.arn).toContain(':endpoint/GCM/');
    expect(apns?.arn).toContain(':endpoint/APNS/');
    const [fcmMessage] = Object.values(fcm?.messages ?? {});
    expect(JSON.parse(JSON.parse(fcmMessage ?? '{}').GCM)).toEqual({
      fcmV1Message: {
        message: { notification: { title: 'Hi', body: 'Order 42 shipped' }, data: { order: '42' } },
      },
    });
  });

  it('answers a disabled endpoint with a bounce and suppresses the token', async () => {
    const campaign = await pushCampaign();
    const token = `stale-${randomUUID()}`;
    expect((await trigger(campaign, [device(token, 'fcm')])).recipients[0]?.status).toBe('sent');
    // FCM said the token is unregistered: SNS disables the endpoint.
    const endpoint = (await motoSns(moto.url)).endpoints.find((e) => e.token === token);
    const sns = createSnsClient({
      endpoint: moto.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    await sns.send(
      new SetEndpointAttributesCommand({
        EndpointArn: endpoint?.arn ?? '',
        Attributes: { Enabled: 'false' },
      }),
    );
    sns.destroy();
    const bounced = (await trigger(campaign, [device(token, 'fcm', '43')])).recipients[0];
    expect(bounced).toMatchObject({ status: 'bounce', statusCode: 'sns-EndpointDisabledException' });
    const again = (await trigger(campaign, [device(token, 'fcm', '44')])).recipients[0];
    expect(again).toMatchObject({ status: 'exclude', statusCode: 'suppressed-address' });
    expect(Object.keys(endpoint?.messages ?? {})).toHaveLength(1);
  });

  it('refuses a push campaign without an app, or with an app the configuration lacks, naming appId', async () => {
    const base = {
      name: 'no app',
      category: 'transactional',
      channel: 'push',
      identityNamespace: 'ecid',
      content: { title: 't', body: 'b' },
    };
    const none = await api.post<{ fields: { path: string }[] }>('/campaigns', base);
    expect(none.status).toBe(400);
    expect(none.body.fields.map((f) => f.path)).toEqual(['body.appId']);
    const other = await api.post<{ fields: { path: string; message: string }[] }>('/campaigns', {
      ...base,
      appId: 'com.example.other',
      channelConfigurationId: configurationId,
    });
    expect(other.status).toBe(400);
    expect(other.body.fields).toEqual([
      {
        path: 'body.appId',
        message: "is not an app of the campaign's channel configuration (it has com.example.shop)",
      },
    ]);
    expect((await api.get<{ items: unknown[] }>('/campaigns')).body.items).not.toContainEqual(
      expect.objectContaining({ name: 'no app' }),
    );
  });
});

describe('SMS and push configurations: bad input', () => {
  const refused = async (body: unknown, path: string, message: RegExp) => {
    const before = (await api.get<{ items: unknown[] }>('/channel-configurations')).body.items.length;
    const answer = await api.post<{ fields: { path: string; message: string }[] }>(
      '/channel-configurations',
      body,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.fields, JSON.stringify(answer.body.fields)).toContainEqual({
      path,
      message: expect.stringMatching(message),
    });
    expect((await api.get<{ items: unknown[] }>('/channel-configurations')).body.items).toHaveLength(before);
  };

  // '+1415555' has E.164's form but is too short for a North American number (the use case's check).
  it.each(['4155550100', '+1 415 555 0100', '+0123456', '+1415555010099999', 'Herald', '+1415555'])(
    'refuses the origination number %j (not a possible E.164 number)',
    async (originationNumber) => {
      await refused(
        { name: 'x', channel: 'sms', provider: { type: 'sns-sms', originationNumber } },
        'body.provider.originationNumber',
        /E\.164/,
      );
    },
  );

  it.each(['+1 415 555 0100', '+0123', 'pool id with spaces', '+1415555'])(
    'refuses the End User Messaging origination identity %j',
    async (originationIdentity) => {
      await refused(
        { name: 'x', channel: 'sms', provider: { type: 'end-user-messaging-sms', originationIdentity } },
        'body.provider.originationIdentity',
        /E\.164|phone number, pool or sender ID/,
      );
    },
  );

  it('takes an End User Messaging configuration from a number or a pool ARN', async () => {
    for (const originationIdentity of [
      '+18005550111',
      'arn:aws:sms-voice:us-east-1:123456789012:pool/pool-1',
    ])
      expect(
        (
          await api.post('/channel-configurations', {
            name: 'eum',
            channel: 'sms',
            provider: { type: 'end-user-messaging-sms', originationIdentity, timeToLiveSeconds: 600 },
          })
        ).status,
      ).toBe(201);
  });

  it('refuses an unknown push platform, an ARN of another platform, and SNS SMS on another channel', async () => {
    const app = (platform: string, platformApplicationArn = appArns.fcm) => ({
      name: 'x',
      channel: 'push',
      provider: {
        type: 'sns-push',
        applications: [{ appId: 'com.example.shop', platform, platformApplicationArn }],
      },
    });
    await refused(app('windows'), 'body.provider.applications[0].platform', /apns, apnsSandbox, fcm/);
    await refused(app('apns'), 'body.provider.applications[0].platformApplicationArn', /GCM application/);
    await refused(
      { name: 'x', channel: 'email', provider: { type: 'sns-sms' } },
      'body.provider.type',
      /cannot carry the email channel/,
    );
    await refused({ ...app('fcm'), channel: 'sms' }, 'body.provider.type', /cannot carry the sms channel/);
  });
});
