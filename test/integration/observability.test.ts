import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config.ts';
import { signUnsubscribeToken } from '../../shared/domain/unsubscribe-token.ts';
import { unsubscribeKeyring } from '../../shared/roots/unsubscribe-parts.ts';
import { type EmfDocument, emailCampaign, type LogLine, sandboxWithKey, startTestHerald } from './harness.ts';
import { startReceiver, waitFor } from './receiver.ts';

/**
 * The logs and metrics of a full flow, read through the runtime's sinks (the same Powertools JSON
 * lines and EMF documents a Lambda writes to stdout): a trigger's ids on its API line, its
 * dispatch and its webhook delivery; none of the secrets the flow created or used anywhere in the
 * logs, at DEBUG; and the EMF documents of the trigger, its message and a failed record.
 */
const UNSUBSCRIBE_SECRET = 'unsubscribe-secret-of-the-observability-test-0123';
const SMTP_PASSWORD = 'smtp-password-never-logged-4242';
const WEBHOOK_TOKEN = 'bearer-token-never-logged-9191';

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const secrets: string[] = [UNSUBSCRIBE_SECRET, SMTP_PASSWORD, WEBHOOK_TOKEN];
let flow: { requestId: string; executionId: string; messageId: string; sandbox: string };

beforeAll(async () => {
  herald = await startTestHerald(
    {},
    { HERALD_UNSUBSCRIBE_SECRET: UNSUBSCRIBE_SECRET, HERALD_LOG_LEVEL: 'debug' },
  );
  receiver = await startReceiver();
  secrets.push(herald.root.key, herald.config.HERALD_SECRETS_KEY ?? 'no secrets key');

  const { sandbox, api } = await sandboxWithKey(herald, ['admin']);
  secrets.push(api.key);
  const webhook = await api.post<{ secret: string }>('/webhooks', {
    name: 'feedback',
    url: receiver.url('/ok'),
    channels: ['email'],
    auth: { type: 'bearer', token: WEBHOOK_TOKEN },
    headers: { 'x-tenant': 'tenant-header-value-never-logged' },
  });
  expect(webhook.status).toBe(201);
  secrets.push(webhook.body.secret, 'tenant-header-value-never-logged');
  const smtp = await api.post('/channel-configurations', {
    name: 'relay',
    channel: 'email',
    provider: {
      type: 'smtp',
      host: '127.0.0.1',
      port: 2525,
      secure: false,
      username: 'mailer',
      password: SMTP_PASSWORD,
      fromAddress: 'news@example.com',
    },
  });
  expect(smtp.status).toBe(201);

  const campaign = await api.post<{ id: string }>('/campaigns', {
    ...emailCampaign,
    createNewProfiles: true,
    enableWebhooks: true,
  });
  await api.post(`/campaigns/${campaign.body.id}/activate`);
  const requestId = `obs-${Date.now()}`;
  const trigger = await api.post<{ executionId: string }>('/im/executions/unitary', {
    requestId,
    campaignId: campaign.body.id,
    recipients: [
      {
        type: 'aep',
        userId: 'success@simulator.amazonses.com',
        namespace: 'email',
        context: { link: 'https://example.com/reset' },
      },
    ],
  });
  expect(trigger.status).toBe(202);
  const { executionId } = trigger.body;
  await waitFor(() => receiver.received.length >= 2, 'the sent and delivered events');
  const execution = await api.get<{ recipients: { messageId: string }[] }>(`/executions/${executionId}`);
  flow = { requestId, executionId, messageId: execution.body.recipients[0]?.messageId ?? '', sandbox };

  // An unsubscribe link is a credential in a path: its token must not be logged either.
  const profile = await api.get<{ profileId: string }>('/profiles/email/success@simulator.amazonses.com');
  const token = signUnsubscribeToken(
    unsubscribeKeyring(parseConfig({ TABLE_NAME: 't', HERALD_UNSUBSCRIBE_SECRET: UNSUBSCRIBE_SECRET })),
    { sandbox, profileId: profile.body.profileId, channel: 'email' },
  );
  secrets.push(token);
  const unsubscribed = await fetch(`${herald.url}/u/${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
  });
  expect(unsubscribed.status).toBe(200);
  // A refused trigger (an unknown campaign), and a record the dispatch worker cannot read.
  const refused = await api.post('/im/executions/unitary', {
    requestId: `${requestId}-refused`,
    campaignId: '00000000-0000-4000-8000-000000000000',
    recipients: [{ type: 'aep', userId: 'a@example.com', namespace: 'email' }],
  });
  expect(refused.status).toBe(404);
  await herald.clients.sqs.send(
    new SendMessageCommand({ QueueUrl: herald.queueUrls.DISPATCH_QUEUE_URL, MessageBody: 'not a job' }),
  );
  await waitFor(
    () => herald.logs.metrics().some((document) => 'FailedRecords' in document),
    'the FailedRecords document',
  );
  // Every delivery has been attempted, and logged, once the receiver has both events.
  await waitFor(
    () => herald.logs.lines().filter((line) => line.message === 'webhook attempt').length >= 2,
    'the webhook attempt lines',
  );
});

afterAll(async () => {
  await receiver?.stop();
  await herald?.stop();
});

const withIds = (line: LogLine) =>
  line.requestId === flow.requestId && line.executionId === flow.executionId && line.sandbox === flow.sandbox;

describe('logs', () => {
  it("put the trigger's requestId and executionId on its API line, with method, route template, status and ms", () => {
    const line = herald.logs
      .lines()
      .find((l) => l.message === 'request' && l.route === '/im/executions/unitary');
    expect(line).toMatchObject({
      level: 'INFO',
      service: 'herald',
      method: 'POST',
      status: 202,
      requestId: flow.requestId,
      executionId: flow.executionId,
      sandbox: flow.sandbox,
      correlationId: expect.any(String),
    });
    expect(line?.ms).toEqual(expect.any(Number));
  });

  it('log each status change of the message with the same ids and its messageId', () => {
    const changes = herald.logs
      .lines()
      .filter((l) => l.message === 'message status' && l.messageId === flow.messageId);
    expect(changes.map((l) => l.status)).toEqual(['sent', 'delivered']);
    for (const line of changes) expect(withIds(line), JSON.stringify(line)).toBe(true);
    expect(changes[0]).toMatchObject({ level: 'INFO', channel: 'email' });
  });

  it('carry the ids to each webhook delivery attempt, with its outcome', () => {
    const attempts = herald.logs.lines().filter((l) => l.message === 'webhook attempt');
    expect(attempts).toHaveLength(2);
    for (const line of attempts) {
      expect(withIds(line), JSON.stringify(line)).toBe(true);
      expect(line).toMatchObject({
        messageId: flow.messageId,
        outcome: 'delivered',
        statusCode: 204,
        webhookId: expect.any(String),
        eventId: expect.any(String),
      });
    }
  });

  it('contain none of the secrets the flow created or used (API keys, webhook secret and auth, SMTP password, unsubscribe secret and token)', () => {
    const text = herald.logs.text();
    expect(text.length).toBeGreaterThan(0);
    expect(secrets.length).toBeGreaterThanOrEqual(9);
    for (const secret of secrets) expect(text.includes(secret), `a secret was logged: ${secret}`).toBe(false);
  });
});

/** The EMF documents holding a metric, with their dimensions as a record. */
function documentsOf(name: string): EmfDocument[] {
  return herald.logs.metrics().filter((document) => name in document);
}

describe('metrics (CloudWatch EMF)', () => {
  it('count the trigger accepted and the one refused, by route and problem type', () => {
    const triggers = documentsOf('Triggers');
    expect(triggers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          service: 'herald',
          route: '/im/executions/unitary',
          outcome: 'accepted',
          problem: 'none',
          Triggers: 1,
        }),
        expect.objectContaining({
          route: '/im/executions/unitary',
          outcome: 'refused',
          problem: 'campaign-not-found',
          Triggers: 1,
        }),
      ]),
    );
    expect(triggers[0]?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'Herald',
        Dimensions: [['service', 'route', 'outcome', 'problem']],
        Metrics: [{ Name: 'Triggers', Unit: 'Count' }],
      },
    ]);
  });

  it("record the message's statuses by channel, the provider's latency and the webhook attempts", () => {
    const statuses = documentsOf('Messages').map((d) => `${d.channel}:${d.status}`);
    expect(statuses).toEqual(expect.arrayContaining(['email:sent', 'email:delivered']));
    expect(documentsOf('ProviderLatency')).toEqual(
      expect.arrayContaining([expect.objectContaining({ channel: 'email', provider: 'sandbox' })]),
    );
    const attempts = documentsOf('WebhookAttempts').filter((d) => d.outcome === 'delivered');
    expect(attempts.flatMap((d) => [d.WebhookAttempts].flat())).toHaveLength(2);
    expect(documentsOf('WebhookDeliveryDelay').length).toBeGreaterThan(0);
  });

  it('count a failed record under its queue', () => {
    expect(documentsOf('FailedRecords')).toEqual([
      expect.objectContaining({ service: 'herald', queue: 'dispatch', FailedRecords: 1 }),
    ]);
  });
});
