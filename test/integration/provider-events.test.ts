import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateConfigurationSetCommand,
  CreateEmailIdentityCommand,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { InitializeMiddleware } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinnedCalls } from '../../bench/call-counts.ts';
import {
  HERALD_TAGS,
  type HeraldMessageRef,
  heraldTags,
  mapSesEvent,
} from '../../shared/domain/ses-events.ts';
import { providerEventsRoot } from '../../shared/roots/provider-events.ts';
import type { FeedbackPayload } from '../../shared/schemas/webhook.ts';
import { DynamoDbExecutionStore } from '../../shared/store/dynamodb-execution-store.ts';
import {
  applyProviderEvent,
  ProviderEventTooEarlyError,
  receiveProviderEvent,
} from '../../shared/use-cases/provider-events.ts';
import { type Client, emailCampaign, sandboxWithKey, startTestHerald } from './harness.ts';
import { type Moto, motoSentMessages, startMoto } from './moto.ts';
import { ATTEMPT_LOG_POLL_MS, startReceiver, waitFor } from './receiver.ts';

/**
 * SES feedback end to end on the embedded engines: Herald sends through an SES channel
 * configuration to moto_server (SES v2), then the events SES would publish for that mail —
 * documented SES event JSON inside the SNS notification SQS receives from the event destination's
 * topic — are put on the provider-events queue. The worker records them on the message (GET
 * /executions/{id}), suppresses bounced and complaining addresses, and the webhook receives each
 * change as a status event.
 */

const CONFIGURATION_SET = 'herald-test-events';
const DOMAIN = 'shop.example.com';
const ACCOUNT = '123456789012';

type Change = { status: string; at: string; code?: string; reason?: string };
type Recipient = {
  messageId: string;
  userId: string;
  status: string;
  statusCode?: string;
  history: Change[];
};
type Execution = { executionId: string; recipients: Recipient[] };

interface SesCall {
  readonly path: string;
  readonly request: {
    Destination?: { ToAddresses?: string[] };
    ConfigurationSetName?: string;
    EmailTags?: { Name: string; Value: string }[];
  };
  readonly response: { MessageId?: string };
}

/**
 * A pass-through in front of moto that records each SES call Herald's dispatcher makes, request
 * and answer: moto keeps neither the EmailTags nor the configuration set, and the events must
 * carry exactly the tags Herald sent.
 */
async function startSesRecorder(target: string) {
  const calls: SesCall[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const body = Buffer.concat(chunks);
      const headers = Object.fromEntries(
        Object.entries(request.headers).flatMap(([name, value]) =>
          name === 'host' || name === 'connection' || value === undefined ? [] : [[name, String(value)]],
        ),
      );
      const answer = await fetch(`${target}${request.url ?? '/'}`, {
        method: request.method ?? 'GET',
        headers,
        ...(body.length > 0 ? { body } : {}),
      });
      const text = await answer.text();
      if (body.length > 0 && answer.ok)
        calls.push({
          path: request.url ?? '/',
          request: JSON.parse(body.toString('utf8')),
          response: JSON.parse(text),
        });
      const out: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection')
          out[name] = value;
      });
      response.writeHead(answer.status, out);
      response.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, // listen() on a port gives an AddressInfo
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let moto: Moto;
let recorder: Awaited<ReturnType<typeof startSesRecorder>>;
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let api: Client;
let sandbox: string;
let campaignId: string;
let sqs: SQSClient;
let queueUrl: string;
let dlqUrl: string;
let webhookId: string;

beforeAll(async () => {
  moto = await startMoto();
  recorder = await startSesRecorder(moto.url);
  // The dispatch root's SES client finds moto (through the recorder) the way a deployed one finds
  // SES: the SDK's own service endpoint variable.
  process.env.AWS_ENDPOINT_URL_SESV2 = recorder.url;
  const ses = new SESv2Client({
    endpoint: moto.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: DOMAIN }));
  await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: CONFIGURATION_SET }));
  ses.destroy();

  herald = await startTestHerald({}, { HERALD_SES_CONFIGURATION_SET: CONFIGURATION_SET });
  receiver = await startReceiver();
  ({ api, sandbox } = await sandboxWithKey(herald, ['admin']));
  const configuration = await api.post('/channel-configurations', {
    name: 'ses',
    channel: 'email',
    provider: { type: 'ses', fromAddress: `news@${DOMAIN}` },
    default: true,
  });
  expect(configuration.status, JSON.stringify(configuration.body)).toBe(201);
  const webhook = await api.post<{ id: string }>('/webhooks', {
    name: 'feedback',
    url: receiver.url('/feedback'),
    channels: ['email'],
  });
  expect(webhook.status, JSON.stringify(webhook.body)).toBe(201);
  webhookId = webhook.body.id;
  const campaign = await api.post<{ id: string }>('/campaigns', {
    ...emailCampaign,
    createNewProfiles: true,
    enableWebhooks: true,
  });
  campaignId = campaign.body.id;
  expect((await api.post(`/campaigns/${campaignId}/activate`)).status).toBe(200);
  sqs = new SQSClient({ endpoint: herald.endpoints.sqs, region: 'us-east-1' });
  queueUrl = herald.queueUrls.PROVIDER_EVENTS_QUEUE_URL ?? '';
  dlqUrl = herald.queueUrls.PROVIDER_EVENTS_QUEUE_DLQ_URL ?? '';
  expect(queueUrl).not.toBe('');
}, 60_000);

afterAll(async () => {
  sqs?.destroy();
  await receiver?.stop();
  await herald?.stop();
  await recorder?.stop();
  await moto?.stop();
  delete process.env.AWS_ENDPOINT_URL_SESV2;
});

let requests = 0;

/** A message sent through SES: Herald's ids, the EmailTags it sent, the message id SES answered with. */
interface Sent {
  readonly ref: HeraldMessageRef;
  readonly address: string;
  readonly sesMessageId: string;
  readonly tags: { Name: string; Value: string }[];
}

/** The SendEmail call Herald made for an address, as SES received and answered it. */
function sesCallTo(address: string): Omit<Sent, 'ref'> {
  const call = recorder.calls.find(
    (c) => c.path.endsWith('/outbound-emails') && c.request.Destination?.ToAddresses?.[0] === address,
  );
  expect(call, `Herald sent to ${address} through SES`).toBeDefined();
  // The stack's configuration set, since the channel configuration names none.
  expect(call?.request.ConfigurationSetName).toBe(CONFIGURATION_SET);
  return { address, sesMessageId: call?.response.MessageId ?? '', tags: call?.request.EmailTags ?? [] };
}

async function send(address: string): Promise<Sent> {
  const answer = await api.post<{ executionId: string }>('/im/executions/unitary', {
    requestId: `pe-${++requests}-${randomUUID()}`,
    campaignId,
    recipients: [{ type: 'aep', userId: address, namespace: 'email' }],
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  const { executionId } = answer.body;
  const recipient = await settled(executionId, (r) => r.status !== 'queued');
  expect(recipient.status).toBe('sent');
  const call = sesCallTo(address);
  const ref = { sandbox, executionId, messageId: recipient.messageId };
  expect(call.tags).toEqual(heraldTags(ref));
  expect((await motoSentMessages(moto.url)).map((m) => m.id)).toContain(call.sesMessageId);
  return { ref, ...call };
}

async function recipientOf(executionId: string): Promise<Recipient> {
  const execution = await api.get<Execution>(`/executions/${executionId}`);
  expect(execution.status).toBe(200);
  return execution.body.recipients[0] as Recipient;
}

async function settled(executionId: string, done: (r: Recipient) => boolean): Promise<Recipient> {
  let last: Recipient | undefined;
  await waitFor(async () => {
    last = await recipientOf(executionId);
    return done(last);
  }, `the message of ${executionId}`);
  return last as Recipient;
}

/** The mail part of an SES event, as SES publishes it for mail sent with Herald's EmailTags. */
function mail(sent: Sent, tags = sent.tags) {
  return {
    timestamp: '2030-01-01T10:00:00.000Z',
    source: `news@${DOMAIN}`,
    sourceArn: `arn:aws:ses:us-east-1:${ACCOUNT}:identity/${DOMAIN}`,
    sendingAccountId: ACCOUNT,
    messageId: sent.sesMessageId,
    destination: [sent.address],
    headersTruncated: false,
    headers: [
      { name: 'From', value: `news@${DOMAIN}` },
      { name: 'To', value: sent.address },
      { name: 'Subject', value: 'Reset for' },
    ],
    commonHeaders: { from: [`news@${DOMAIN}`], to: [sent.address], subject: 'Reset for' },
    tags: {
      'ses:configuration-set': [CONFIGURATION_SET],
      'ses:source-ip': ['192.0.2.0'],
      'ses:from-domain': [DOMAIN],
      'ses:caller-identity': ['herald-dispatch'],
      ...Object.fromEntries(tags.map((tag) => [tag.Name, [tag.Value]])),
    },
  };
}

/** SES's documented event documents ("Examples of event data that Amazon SES publishes to Amazon SNS"). */
const sesEvent = {
  send: (sent: Sent) => ({ eventType: 'Send', mail: mail(sent), send: {} }),
  delivery: (sent: Sent) => ({
    eventType: 'Delivery',
    mail: mail(sent),
    delivery: {
      timestamp: '2030-01-01T10:00:03.000Z',
      processingTimeMillis: 3000,
      recipients: [sent.address],
      smtpResponse: '250 2.6.0 Message received',
      reportingMTA: 'mta-out.example.com',
    },
  }),
  permanentBounce: (sent: Sent) => ({
    eventType: 'Bounce',
    mail: mail(sent),
    bounce: {
      feedbackId: `0100017${randomUUID()}-000000`,
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [
        {
          emailAddress: sent.address,
          action: 'failed',
          status: '5.1.1',
          diagnosticCode: 'smtp; 550 5.1.1 user unknown',
        },
      ],
      timestamp: '2030-01-01T10:00:02.000Z',
      reportingMTA: 'dsn; mta.example.com',
    },
  }),
  transientBounce: (sent: Sent) => ({
    eventType: 'Bounce',
    mail: mail(sent),
    bounce: {
      feedbackId: `0100017${randomUUID()}-000000`,
      bounceType: 'Transient',
      bounceSubType: 'General',
      bouncedRecipients: [{ emailAddress: sent.address }],
      timestamp: '2030-01-01T10:00:01.500Z',
    },
  }),
  complaint: (sent: Sent) => ({
    eventType: 'Complaint',
    mail: mail(sent),
    complaint: {
      feedbackId: `0100017${randomUUID()}-000000`,
      complaintSubType: null,
      complainedRecipients: [{ emailAddress: sent.address }],
      timestamp: '2030-01-01T10:05:00.000Z',
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
      complaintFeedbackType: 'abuse',
      arrivalDate: '2030-01-01T10:04:59.000Z',
    },
  }),
  reject: (sent: Sent) => ({ eventType: 'Reject', mail: mail(sent), reject: { reason: 'Bad content' } }),
  deliveryDelay: (sent: Sent) => ({
    eventType: 'DeliveryDelay',
    mail: mail(sent),
    deliveryDelay: {
      timestamp: '2030-01-01T10:00:01.000Z',
      delayType: 'TransientCommunicationFailure',
      expirationTime: '2030-01-02T10:00:00.000Z',
      delayedRecipients: [
        {
          emailAddress: sent.address,
          status: '4.4.1',
          diagnosticCode: 'smtp; 421 4.4.1 Unable to connect to remote host',
        },
      ],
    },
  }),
};

/** The SNS notification the event destination's topic delivers to SQS (raw message delivery off). */
function snsNotification(document: unknown): string {
  const id = randomUUID();
  return JSON.stringify({
    Type: 'Notification',
    MessageId: id,
    TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:herald-dev-data-events`,
    Message: JSON.stringify(document),
    Timestamp: new Date().toISOString(),
    SignatureVersion: '1',
    Signature: 'EXAMPLEpH+..',
    SigningCertURL:
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
    UnsubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${id}`,
  });
}

async function feed(...bodies: string[]): Promise<void> {
  for (const body of bodies)
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
}

async function queued(url: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** Every record fed so far was handled and deleted (a failed one would stay, then be received again). */
async function drained(): Promise<void> {
  await waitFor(async () => (await queued(queueUrl)) === 0, 'the provider-events queue to drain');
}

/** The feedback statuses the webhook received for one message, in the order received. */
function webhookStatuses(messageId: string): string[] {
  return receiver.received
    .filter((r) => r.path === '/feedback')
    .map((r) => JSON.parse(r.body) as FeedbackPayload)
    .filter((p) => p.messageExecution.messageID === messageId)
    .map((p) => p.messageDeliveryFeedback.feedbackStatus.value);
}

/**
 * The webhook received these statuses for the message, and Herald recorded each delivery (so an
 * event published again later finds its delivery done and is not posted twice).
 */
async function webhookGot(messageId: string, statuses: readonly string[]): Promise<void> {
  await waitFor(
    async () => {
      const page = await api.get<{ items: { eventId: string; outcome: string }[] }>(
        `/webhooks/${webhookId}/attempts?limit=100`,
      );
      const delivered = page.body.items.filter(
        (a) => a.eventId.startsWith(`${messageId}:`) && a.outcome === 'delivered',
      );
      return webhookStatuses(messageId).length >= statuses.length && delivered.length >= statuses.length;
    },
    `webhook events ${statuses.join(', ')}`,
    20_000,
    ATTEMPT_LOG_POLL_MS,
  );
  expect([...webhookStatuses(messageId)].sort()).toEqual([...statuses].sort());
}

const statuses = (recipient: Recipient) => recipient.history.map((change) => change.status);

describe('SES feedback on the provider-events queue', () => {
  it('records Send (a repeat of sent), DeliveryDelay, a transient bounce and Delivery, once each, and tells the webhook', async () => {
    const sent = await send(`ada-${randomUUID().slice(0, 8)}@example.org`);
    const { executionId, messageId } = sent.ref;

    // SES's Send repeats what Herald recorded when SES accepted the mail: nothing changes.
    await feed(snsNotification(sesEvent.send(sent)));
    await drained();
    expect(statuses(await recipientOf(executionId))).toEqual(['queued', 'sent']);

    await feed(snsNotification(sesEvent.deliveryDelay(sent)));
    await settled(executionId, (r) => r.history.length === 3);
    await feed(snsNotification(sesEvent.transientBounce(sent)));
    await settled(executionId, (r) => r.history.length === 4);
    const delivery = snsNotification(sesEvent.delivery(sent));
    await feed(delivery);
    const delivered = await settled(executionId, (r) => r.status === 'delivered');
    expect(delivered.statusCode).toBe('ses-delivery');
    expect(delivered.history.slice(2)).toEqual([
      {
        status: 'delay',
        at: '2030-01-01T10:00:01.000Z',
        code: 'ses-delay-transientcommunicationfailure',
        reason: 'smtp; 421 4.4.1 Unable to connect to remote host',
      },
      {
        status: 'delay',
        at: '2030-01-01T10:00:01.500Z',
        code: 'ses-bounce-transient-general',
        reason: 'Transient bounce (General)',
      },
      {
        status: 'delivered',
        at: '2030-01-01T10:00:03.000Z',
        code: 'ses-delivery',
        reason: '250 2.6.0 Message received',
      },
    ]);
    await webhookGot(messageId, ['sent', 'delay', 'delay', 'delivered']);

    // The same Delivery again (SQS or SES delivering twice: the same document, another SNS
    // envelope), and a Send arriving late: nothing changes, and the webhook hears nothing new.
    await feed(delivery, snsNotification(sesEvent.delivery(sent)), snsNotification(sesEvent.send(sent)));
    await drained();
    expect(await recipientOf(executionId)).toEqual(delivered);
    expect(await queued(dlqUrl)).toBe(0);
    expect(webhookStatuses(messageId).sort()).toEqual(['delay', 'delay', 'delivered', 'sent']);
  });

  /** The next trigger to a suppressed address is excluded `suppressed-address`, nothing sent. */
  async function expectNextTriggerExcluded(address: string) {
    const again = await api.post<{ executionId: string }>('/im/executions/unitary', {
      requestId: `pe-${++requests}-${randomUUID()}`,
      campaignId,
      recipients: [{ type: 'aep', userId: address, namespace: 'email' }],
    });
    expect(await settled(again.body.executionId, (r) => r.status !== 'queued')).toMatchObject({
      status: 'exclude',
      statusCode: 'suppressed-address',
    });
  }

  it('records a permanent bounce and suppresses the address: the next trigger to it is excluded', async () => {
    const sent = await send(`gone-${randomUUID().slice(0, 8)}@example.org`);
    await feed(snsNotification(sesEvent.permanentBounce(sent)));
    const bounced = await settled(sent.ref.executionId, (r) => r.status === 'bounce');
    expect(bounced.history.at(-1)).toEqual({
      status: 'bounce',
      at: '2030-01-01T10:00:02.000Z',
      code: 'ses-bounce-permanent-general',
      reason: 'smtp; 550 5.1.1 user unknown',
    });
    await webhookGot(sent.ref.messageId, ['sent', 'bounce']);

    // A Delivery or DeliveryDelay arriving after the bounce does not undo it.
    await feed(snsNotification(sesEvent.deliveryDelay(sent)), snsNotification(sesEvent.delivery(sent)));
    await drained();
    expect((await recipientOf(sent.ref.executionId)).status).toBe('bounce');

    await expectNextTriggerExcluded(sent.address);
  });

  it('applies a Delivery in the pinned calls: the message, its execution, the record, the status event', async () => {
    const sent = await send(`counted-${randomUUID().slice(0, 8)}@example.org`);
    const deps = providerEventsRoot(herald.config, herald.clients);
    // Only the calls this test's own use-case call makes: the pollers share the clients.
    const scope = new AsyncLocalStorage<true>();
    const calls: string[] = [];
    const counter =
      <Input extends object, Output extends object>(service: string): InitializeMiddleware<Input, Output> =>
      (next, context) =>
      async (args) => {
        if (scope.getStore()) calls.push(`${service}:${context.commandName}`);
        return next(args);
      };
    const options = { name: 'herald-count-provider-event', step: 'initialize', override: true } as const;
    herald.clients.dynamodb.middlewareStack.add(counter('dynamodb'), options);
    herald.clients.sqs.middlewareStack.add(counter('sqs'), options);
    try {
      const outcome = await scope.run(true, () =>
        receiveProviderEvent(deps, snsNotification(sesEvent.delivery(sent))),
      );
      expect(outcome).toEqual({ outcome: 'recorded', status: 'delivered' });
      expect(calls).toEqual(pinnedCalls.sesEvent);
    } finally {
      herald.clients.dynamodb.middlewareStack.remove('herald-count-provider-event');
      herald.clients.sqs.middlewareStack.remove('herald-count-provider-event');
    }
  });

  it('records a complaint after delivery and suppresses the address', async () => {
    const sent = await send(`angry-${randomUUID().slice(0, 8)}@example.org`);
    await feed(snsNotification(sesEvent.delivery(sent)));
    await settled(sent.ref.executionId, (r) => r.status === 'delivered');
    await feed(snsNotification(sesEvent.complaint(sent)));
    const complained = await settled(sent.ref.executionId, (r) => r.status === 'complaint');
    expect(complained.history.at(-1)).toMatchObject({
      status: 'complaint',
      at: '2030-01-01T10:05:00.000Z',
      code: 'ses-complaint-abuse',
    });
    await webhookGot(sent.ref.messageId, ['sent', 'delivered', 'complaint']);
    await expectNextTriggerExcluded(sent.address);
  });

  it('records a Reject as an error, which a late Send or DeliveryDelay does not overwrite', async () => {
    const sent = await send(`virus-${randomUUID().slice(0, 8)}@example.org`);
    await feed(snsNotification(sesEvent.reject(sent)));
    const rejected = await settled(sent.ref.executionId, (r) => r.status === 'error');
    expect(rejected.history.at(-1)).toEqual({
      status: 'error',
      at: '2030-01-01T10:00:00.000Z',
      code: 'ses-reject',
      reason: 'Bad content',
    });
    await webhookGot(sent.ref.messageId, ['sent', 'error']);
    await feed(snsNotification(sesEvent.send(sent)), snsNotification(sesEvent.deliveryDelay(sent)));
    await drained();
    expect(await recipientOf(sent.ref.executionId)).toEqual(rejected);
  });

  it('drops events about unknown messages, mail Herald did not send and bodies that are not SES events, without retrying', async () => {
    const sent = await send(`someone-${randomUUID().slice(0, 8)}@example.org`);
    const unknownRef = { ...sent.ref, messageId: randomUUID() };
    const unknown = { ...sent, ref: unknownRef, tags: heraldTags(unknownRef) };
    const foreign = sesEvent.delivery(sent);
    const notHerald = {
      ...foreign,
      mail: { ...foreign.mail, tags: { 'ses:configuration-set': [CONFIGURATION_SET] } },
    };
    const bodies = [
      snsNotification(sesEvent.delivery(unknown)),
      snsNotification(notHerald),
      'not json at all',
      JSON.stringify({ Type: 'Notification', Message: '{"eventType":"Nothing"}' }),
    ];
    await feed(...bodies);
    await drained();
    expect(await queued(dlqUrl)).toBe(0);
    expect((await recipientOf(sent.ref.executionId)).status).toBe('sent');

    // The same bodies through the worker's use case and the worker's own root: each is dropped,
    // with a reason (the worker logs it with a count).
    const deps = providerEventsRoot(herald.config, herald.clients);
    const outcomes = await Promise.all(bodies.map((body) => receiveProviderEvent(deps, body)));
    expect(outcomes).toEqual([
      { outcome: 'dropped', reason: 'no such message' },
      { outcome: 'dropped', reason: 'the Delivery event carries no Herald message tags' },
      { outcome: 'dropped', reason: 'the body is not JSON' },
      { outcome: 'dropped', reason: expect.stringContaining('not an SES event document') },
    ]);
  });

  it('retries an event about a message Herald has not recorded as sent yet, and changes nothing', async () => {
    // The message as the trigger wrote it, before dispatch records its send: still queued.
    const executionId = randomUUID();
    const messageId = randomUUID();
    const executions = new DynamoDbExecutionStore(herald.clients.dynamodb, herald.tableName);
    await executions.createMessages([
      {
        sandbox,
        executionId,
        messageId,
        userId: 'early@example.org',
        namespace: 'email',
        status: 'queued',
        history: [{ status: 'queued', at: new Date().toISOString() }],
      },
    ]);
    const deps = providerEventsRoot(herald.config, herald.clients);
    const sent: Sent = {
      ref: { sandbox, executionId, messageId },
      address: 'early@example.org',
      sesMessageId: 'x',
      tags: heraldTags({ sandbox, executionId, messageId }),
    };
    const mapped = mapSesEvent(snsNotification(sesEvent.delivery(sent)));
    expect(mapped.kind).toBe('status');
    if (mapped.kind !== 'status') return;
    await expect(applyProviderEvent(deps, mapped)).rejects.toBeInstanceOf(ProviderEventTooEarlyError);
    expect(await executions.getMessage(sandbox, executionId, messageId)).toMatchObject({
      status: 'queued',
      history: [{ status: 'queued' }],
    });
  });
});

describe('SES feedback for an audience run (messages stored in shards)', () => {
  it('finds the message by its herald-shard tag, and without it across the shards', async () => {
    const audience = (await api.post<{ id: string }>('/audiences', { name: 'News' })).body.id;
    const members = [
      `sam-${randomUUID().slice(0, 8)}@example.org`,
      `kim-${randomUUID().slice(0, 8)}@example.org`,
    ];
    for (const id of members) {
      const put = await api.put('/profiles', {
        identities: [{ namespace: 'email', id }],
        consent: { marketing: { email: 'y' } },
        audiences: [audience],
      });
      expect(put.status, JSON.stringify(put.body)).toBeLessThan(300);
    }
    const campaign = await api.post<{ id: string }>('/campaigns', {
      name: 'News',
      category: 'marketing',
      channel: 'email',
      identityNamespace: 'email',
      audience: { id: audience },
      enableWebhooks: true,
      content: { subject: 'News', html: '<p>News</p>' },
    });
    expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);
    expect((await api.post(`/campaigns/${campaign.body.id}/activate`)).status).toBe(200);
    const run = await api.post<{ executionId: string }>('/im/executions/audience', {
      campaignId: campaign.body.id,
    });
    expect(run.status).toBe(202);
    const { executionId } = run.body;

    // The messages' ids come from their `sent` status events; SES's ids from moto.
    const sentEvents = () =>
      receiver.received
        .filter((r) => r.path === '/feedback')
        .map((r) => JSON.parse(r.body) as FeedbackPayload)
        .filter(
          (p) =>
            p.messageExecution.messageExecutionID === executionId &&
            p.messageDeliveryFeedback.feedbackStatus.value === 'sent',
        );
    await waitFor(() => sentEvents().length === 2, 'both members to be sent to');
    const sentTo = sentEvents().map(
      (payload): Sent => ({
        ref: { sandbox, executionId, messageId: payload.messageExecution.messageID },
        ...sesCallTo(payload.userId),
      }),
    );
    const [withShard, withoutShard] = sentTo as [Sent, Sent];

    // Herald tagged each audience mail with its message's shard, as stored.
    const executions = new DynamoDbExecutionStore(herald.clients.dynamodb, herald.tableName);
    for (const sent of sentTo) {
      const stored = await executions.findMessage(sandbox, executionId, sent.ref.messageId);
      expect(stored?.shard).toBeTypeOf('number');
      expect(sent.tags).toContainEqual({ Name: HERALD_TAGS.shard, Value: String(stored?.shard) });
    }
    // The first event carries the tag (one read); the second's mail lacks it, as mail sent before
    // the tag existed does (the worker looks in every shard).
    const untagged = withoutShard.tags.filter((tag) => tag.Name !== HERALD_TAGS.shard);
    await feed(
      snsNotification(sesEvent.delivery(withShard)),
      snsNotification({ ...sesEvent.delivery(withoutShard), mail: mail(withoutShard, untagged) }),
    );
    await waitFor(
      () =>
        receiver.received
          .filter((r) => r.path === '/feedback')
          .map((r) => JSON.parse(r.body) as FeedbackPayload)
          .filter(
            (p) =>
              p.messageExecution.messageExecutionID === executionId &&
              p.messageDeliveryFeedback.feedbackStatus.value === 'delivered',
          ).length === 2,
      'both delivered events',
    );
    const report = await api.get<{ counts: Record<string, unknown> }>(
      `/im/executions/audience/${executionId}`,
    );
    expect(report.body.counts).toMatchObject({ delivered: 2, sent: 0 });
  });
});
