import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, sandboxWithKey, startTestHerald } from './harness.ts';
import { waitFor } from './receiver.ts';

/**
 * End User Messaging SMS end to end: the runtime's dispatcher sends through the real SDK client
 * (AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2) to a local server answering as SendTextMessage does
 * (moto does not serve this API); then the events the configuration set's destination publishes
 * — the documented SMS event JSON, carrying the Context Herald sent — are put on the
 * provider-events queue, and the worker records them on the message.
 */
interface Sent {
  readonly body: { DestinationPhoneNumber: string; Context: Record<string, string> };
  readonly messageId: string;
}

let service: http.Server;
const sent: Sent[] = [];
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;
let sqs: SQSClient;
let queueUrl: string;
let campaignId: string;

beforeAll(async () => {
  service = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const messageId = randomUUID();
      sent.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Sent['body'], messageId });
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify({ MessageId: messageId }));
    });
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  // The dispatcher's client is built by the SDK from the environment, as on Lambda.
  process.env.AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 = `http://127.0.0.1:${(service.address() as AddressInfo).port}`; // listen() on a port gives an AddressInfo
  herald = await startTestHerald();
  ({ api } = await sandboxWithKey(herald, ['admin']));
  const configuration = await api.post('/channel-configurations', {
    name: 'End User Messaging',
    channel: 'sms',
    provider: {
      type: 'end-user-messaging-sms',
      originationIdentity: '+18005550122',
      configurationSet: 'herald',
    },
    default: true,
  });
  expect(configuration.status, JSON.stringify(configuration.body)).toBe(201);
  const campaign = await api.post<{ id: string }>('/campaigns', {
    name: 'codes',
    category: 'transactional',
    channel: 'sms',
    identityNamespace: 'phone',
    createNewProfiles: true,
    content: { body: 'Code {{context.code}}' },
  });
  campaignId = campaign.body.id;
  expect((await api.post(`/campaigns/${campaignId}/activate`)).status).toBe(200);
  sqs = new SQSClient({ endpoint: herald.endpoints.sqs, region: 'us-east-1' });
  queueUrl = herald.queueUrls.PROVIDER_EVENTS_QUEUE_URL ?? '';
}, 60_000);
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2;
  sqs?.destroy();
  await herald?.stop();
  await new Promise<void>((resolve) => service.close(() => resolve()));
});

type Recipient = {
  status: string;
  statusCode?: string;
  history: { status: string; code?: string; reason?: string }[];
};
type Execution = { recipients: Recipient[] };

let counter = 0;
async function sendTo(phone: string): Promise<{ executionId: string; sent: Sent }> {
  const answer = await api.post<{ executionId: string }>('/im/executions/unitary', {
    requestId: `eum-${++counter}`,
    campaignId,
    recipients: [{ type: 'aep', userId: phone, namespace: 'phone', context: { code: '4321' } }],
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  await waitFor(
    async () => (await execution(answer.body.executionId)).recipients[0]?.status === 'sent',
    'sent',
  );
  const found = sent.find((s) => s.body.DestinationPhoneNumber === phone);
  if (!found) throw new Error(`nothing sent to ${phone}`);
  return { executionId: answer.body.executionId, sent: found };
}

const execution = async (id: string) => (await api.get<Execution>(`/executions/${id}`)).body;

/** The event document End User Messaging publishes, in the SNS envelope its topic delivers. */
function event(eventType: string, status: string, description: string, of: Sent): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:herald-sms-events',
    Message: JSON.stringify({
      eventType,
      eventVersion: '1.0',
      eventTimestamp: Date.now(),
      isFinal: true,
      originationPhoneNumber: '+18005550122',
      destinationPhoneNumber: of.body.DestinationPhoneNumber,
      isInternationalSend: false,
      mcc: '310',
      mnc: '800',
      messageId: of.messageId,
      messageRequestTimestamp: Date.now() - 1000,
      messageEncoding: 'GSM',
      messageType: 'TRANSACTIONAL',
      messageStatus: status,
      messageStatusDescription: description,
      context: of.body.Context,
      totalMessageParts: 1,
      totalMessagePrice: 0.00581,
      totalCarrierFee: 0.0,
    }),
    Timestamp: new Date().toISOString(),
  });
}

async function feed(body: string): Promise<void> {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  await waitFor(async () => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
        Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) ===
      0
    );
  }, 'the provider-events queue to drain');
}

describe('End User Messaging SMS feedback', () => {
  it('records delivered from TEXT_DELIVERED, ignoring the steps before it', async () => {
    const { executionId, sent: message } = await sendTo('+14155550131');
    await feed(event('TEXT_SUCCESSFUL', 'SUCCESSFUL', 'Message has been accepted by phone carrier', message));
    expect((await execution(executionId)).recipients[0]?.status).toBe('sent');
    await feed(event('TEXT_DELIVERED', 'DELIVERED', 'Message has been accepted by phone', message));
    expect((await execution(executionId)).recipients[0]).toMatchObject({
      status: 'delivered',
      statusCode: 'sms-voice-delivered',
    });
  });

  it('records a carrier’s refusal as an error with its code, and an invalid number as a bounce that suppresses it', async () => {
    const blocked = await sendTo('+14155550132');
    await feed(event('TEXT_CARRIER_BLOCKED', 'CARRIER_BLOCKED', 'Blocked as spam by carrier', blocked.sent));
    expect((await execution(blocked.executionId)).recipients[0]).toMatchObject({
      status: 'error',
      statusCode: 'sms-voice-carrier-blocked',
    });
    expect((await execution(blocked.executionId)).recipients[0]?.history.at(-1)?.reason).toBe(
      'Blocked as spam by carrier',
    );

    const invalid = await sendTo('+14155550133');
    await feed(event('TEXT_INVALID', 'INVALID', 'Invalid destination phone number', invalid.sent));
    expect((await execution(invalid.executionId)).recipients[0]).toMatchObject({
      status: 'bounce',
      statusCode: 'sms-voice-invalid',
    });
    const again = await api.post<{ executionId: string }>('/im/executions/unitary', {
      requestId: `eum-${++counter}`,
      campaignId,
      recipients: [{ type: 'aep', userId: '+14155550133', namespace: 'phone', context: { code: '1' } }],
    });
    await waitFor(
      async () => (await execution(again.body.executionId)).recipients[0]?.status !== 'queued',
      'settled',
    );
    expect((await execution(again.body.executionId)).recipients[0]).toMatchObject({
      status: 'exclude',
      statusCode: 'suppressed-address',
    });
    expect(sent.filter((s) => s.body.DestinationPhoneNumber === '+14155550133')).toHaveLength(1);
  });
});
