import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueDefinitions } from '../../shared/definitions/queues.ts';
import type { StatusEvent } from '../../shared/schemas/status-event.ts';
import { type Client, emailCampaign, sandboxWithKey, startTestHerald } from './harness.ts';

type Recipient = {
  messageId: string;
  userId: string;
  status: string;
  statusCode?: string;
  history: { status: string; code?: string }[];
  missingVariables?: string[];
  profileId?: string;
};
type Execution = { executionId: string; recipients: Recipient[] };

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;
let sandbox: string;
let documents: DynamoDBDocumentClient;
let sqs: SQSClient;

beforeAll(async () => {
  // The feedback queue is not polled here, so the test can read the status events off it.
  herald = await startTestHerald({ queues: queueDefinitions.filter((q) => q.name !== 'feedback') });
  ({ api, sandbox } = await sandboxWithKey(herald, ['admin']));
  documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: herald.endpoints.dynamodb }));
  sqs = new SQSClient({ endpoint: herald.endpoints.sqs });
});
afterAll(async () => {
  documents?.destroy();
  sqs?.destroy();
  await herald?.stop();
});

let counter = 0;
const requestId = () => `req-${Date.now()}-${++counter}`;
const recipient = (userId: string, extra: Record<string, unknown> = {}) => ({
  type: 'aep',
  userId,
  namespace: 'email',
  ...extra,
});

async function liveCampaign(overrides: Record<string, unknown> = {}, client: Client = api): Promise<string> {
  const created = await client.post<{ id: string }>('/campaigns', { ...emailCampaign, ...overrides });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const activated = await client.post(`/campaigns/${created.body.id}/activate`);
  expect(activated.status, JSON.stringify(activated.body)).toBe(200);
  return created.body.id;
}

async function trigger(
  campaignId: string,
  recipients: unknown[],
  id = requestId(),
  headers: Record<string, string> = {},
) {
  return api.request<Record<string, unknown> & { executionId: string }>(
    'POST',
    '/im/executions/unitary',
    { requestId: id, campaignId, recipients },
    headers,
  );
}

/** Polls the execution until no recipient is queued (the dispatch poller runs in the background). */
async function settled(executionId: string): Promise<Execution> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await api.get<Execution>(`/executions/${executionId}`);
    expect(answer.status).toBe(200);
    if (answer.body.recipients.every((r) => r.status !== 'queued')) return answer.body;
    if (Date.now() > deadline)
      throw new Error(`execution ${executionId} still queued: ${JSON.stringify(answer.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function profiles(userProfile: Record<string, unknown>) {
  const answer = await api.put('/profiles', userProfile);
  expect(answer.status).toBe(200);
}

async function countItems(type: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: herald.tableName,
        FilterExpression: '#type = :type AND sandbox = :sandbox',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':type': type, ':sandbox': sandbox },
        ExclusiveStartKey: startKey,
      }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}

describe('a unitary trigger, end to end', () => {
  it('sends an email rendered with the profile, the overlay and the context (HTML-escaped)', async () => {
    await profiles({
      identities: [{ namespace: 'email', id: 'success@simulator.amazonses.com' }],
      attributes: { firstName: 'Ann', tier: 'gold' },
    });
    const campaignId = await liveCampaign({
      content: {
        subject: 'Hi {{profile.firstName}}',
        html: '<p>{{profile.firstName}} ({{profile.tier}}): <a href="{{context.link}}">reset</a> {{{context.raw}}} {{context.absent}}</p>',
        text: 'Reset at {{context.link}}',
      },
    });
    const accepted = await trigger(campaignId, [
      recipient('Success@Simulator.AmazonSES.com', {
        profile: { firstName: '<b>Annie</b>' },
        context: { link: 'https://example.com/r?a=1&b=2', raw: '<i>ok</i>' },
      }),
    ]);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({
      requestId: expect.any(String),
      executionId: expect.any(String),
      createdBy: expect.any(String),
    });
    const execution = await settled(accepted.body.executionId);
    const [message] = execution.recipients;
    expect(message).toMatchObject({
      userId: 'success@simulator.amazonses.com',
      status: 'delivered',
      missingVariables: ['context.absent'],
    });
    expect(message?.history.map((h) => h.status)).toEqual(['queued', 'sent', 'delivered']);
    const rendered = await api.get<Record<string, string>>(
      `/executions/${execution.executionId}/messages/${message?.messageId}`,
    );
    expect(rendered.status).toBe(200);
    expect(rendered.body).toMatchObject({
      channel: 'email',
      to: 'success@simulator.amazonses.com',
      subject: 'Hi <b>Annie</b>',
    });
    expect(rendered.body.html).toBe(
      '<p>&lt;b&gt;Annie&lt;/b&gt; (gold): <a href="https://example.com/r?a&#61;1&amp;b&#61;2">reset</a> <i>ok</i> </p>',
    );
    expect(rendered.body.text).toBe('Reset at https://example.com/r?a=1&b=2');
    // The overlay is used once and never stored on the profile.
    const stored = await api.get<{ attributes: Record<string, unknown> }>(
      '/profiles/email/success@simulator.amazonses.com',
    );
    expect(stored.body.attributes).toEqual({ firstName: 'Ann', tier: 'gold' });
  });

  it('sends an SMS to the phone in channelData, and a push to the token in channelData', async () => {
    await profiles({
      identities: [{ namespace: 'phone', id: '+14155550100' }],
      attributes: { firstName: 'Sam' },
    });
    const sms = await liveCampaign({
      channel: 'sms',
      identityNamespace: 'phone',
      content: { body: 'Code {{context.code}} for {{profile.firstName}}' },
    });
    const smsAnswer = await trigger(sms, [
      {
        type: 'aep',
        userId: '+1 415 555 0100',
        namespace: 'phone',
        channelData: { mobilePhoneNumber: '+14155550123' },
        context: { code: '4711' },
      },
    ]);
    const smsExecution = await settled(smsAnswer.body.executionId);
    expect(smsExecution.recipients[0]?.status).toBe('delivered');
    const smsCopy = await api.get<Record<string, string>>(
      `/executions/${smsExecution.executionId}/messages/${smsExecution.recipients[0]?.messageId}`,
    );
    expect(smsCopy.body).toMatchObject({ to: '+14155550123', body: 'Code 4711 for Sam' });

    const ecid = '11111111111111111111111111111111111111';
    await profiles({ identities: [{ namespace: 'ecid', id: ecid }], attributes: { firstName: 'Pia' } });
    const push = await liveCampaign({
      channel: 'push',
      appId: 'com.example.app',
      identityNamespace: 'ecid',
      content: {
        title: 'Hi {{profile.firstName}}',
        body: 'Order {{context.order}} shipped',
        data: { orderId: '{{context.order}}' },
      },
    });
    const pushAnswer = await trigger(push, [
      {
        type: 'aep',
        userId: ecid,
        namespace: 'ecid',
        channelData: { pushInfo: { token: 'device-token-1', platform: 'fcm' } },
        context: { order: 'A-9' },
      },
    ]);
    const pushExecution = await settled(pushAnswer.body.executionId);
    expect(pushExecution.recipients[0]?.status).toBe('delivered');
    const pushCopy = await api.get<Record<string, unknown>>(
      `/executions/${pushExecution.executionId}/messages/${pushExecution.recipients[0]?.messageId}`,
    );
    expect(pushCopy.body).toMatchObject({
      to: 'device-token-1',
      title: 'Hi Pia',
      body: 'Order A-9 shipped',
      data: { orderId: 'A-9' },
    });
  });

  it('excludes with a code when there is no address or a malformed one', async () => {
    await profiles({ identities: [{ namespace: 'email', id: 'malformed-override@example.com' }] });
    await profiles({ identities: [{ namespace: 'phone', id: '+14155550112' }] });
    const email = await liveCampaign();
    const push = await liveCampaign({
      channel: 'push',
      appId: 'com.example.app',
      identityNamespace: 'phone',
      content: { title: 't', body: 'b' },
    });
    const malformed = await trigger(email, [
      recipient('malformed-override@example.com', { channelData: { emailAddress: 'not an address' } }),
    ]);
    const noToken = await trigger(push, [{ type: 'aep', userId: '+14155550112', namespace: 'phone' }]);
    const [m] = (await settled(malformed.body.executionId)).recipients;
    const [n] = (await settled(noToken.body.executionId)).recipients;
    expect(m).toMatchObject({ status: 'exclude', statusCode: 'malformed-address' });
    expect(n).toMatchObject({ status: 'exclude', statusCode: 'missing-address' });
    expect((await api.get(`/executions/${noToken.body.executionId}/messages/${n?.messageId}`)).status).toBe(
      404,
    );
  });

  it('refuses a channelData phone number it cannot read in the call, naming it, and sends nothing', async () => {
    await profiles({ identities: [{ namespace: 'phone', id: '+14155550111' }] });
    const sms = await liveCampaign({ channel: 'sms', identityNamespace: 'phone', content: { body: 'hi' } });
    const fine = { type: 'aep', userId: '+14155550111', namespace: 'phone' };
    const id = requestId();
    const answer = await trigger(
      sms,
      [fine, { ...fine, userId: '+14155550113', channelData: { mobilePhoneNumber: 'call me' } }],
      id,
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      type: 'urn:herald:problem:invalid-channel-data',
      fields: [
        {
          path: 'body.recipients[1].channelData.mobilePhoneNumber',
          message: expect.stringContaining('E.164'),
        },
      ],
    });
    // Nothing was claimed: the same requestId is free for the corrected call.
    const corrected = await trigger(sms, [fine], id);
    expect(corrected.status).toBe(202);
  });
});

describe('simulator statuses and the suppression list', () => {
  it('a bounce suppresses the address, and the next send to it is excluded', async () => {
    const campaignId = await liveCampaign({ createNewProfiles: true });
    const first = await settled(
      (await trigger(campaignId, [recipient('bounce@simulator.amazonses.com')])).body.executionId,
    );
    expect(first.recipients[0]).toMatchObject({ status: 'bounce', statusCode: 'hard-bounce' });
    const second = await settled(
      (await trigger(campaignId, [recipient('bounce@simulator.amazonses.com')])).body.executionId,
    );
    expect(second.recipients[0]).toMatchObject({ status: 'exclude', statusCode: 'suppressed-address' });
    expect(second.recipients[0]?.history.map((h) => h.status)).toEqual(['queued', 'exclude']);
  });

  it('reports complaints and the provider suppression list as SES does', async () => {
    const campaignId = await liveCampaign({ createNewProfiles: true });
    const execution = await settled(
      (
        await trigger(campaignId, [
          recipient('complaint@simulator.amazonses.com'),
          recipient('suppressionlist@simulator.amazonses.com'),
        ])
      ).body.executionId,
    );
    const byUser = Object.fromEntries(execution.recipients.map((r) => [r.userId, r]));
    expect(byUser['complaint@simulator.amazonses.com']?.history.map((h) => h.status)).toEqual([
      'queued',
      'sent',
      'delivered',
      'complaint',
    ]);
    expect(byUser['suppressionlist@simulator.amazonses.com']).toMatchObject({
      status: 'bounce',
      statusCode: 'on-suppression-list',
    });
  });

  it('follows the documented phone and push schemes', async () => {
    const sms = await liveCampaign({
      channel: 'sms',
      identityNamespace: 'phone',
      createNewProfiles: true,
      content: { body: 'x' },
    });
    const execution = await settled(
      (
        await trigger(sms, [
          { type: 'aep', userId: '+15550100001', namespace: 'phone' },
          { type: 'aep', userId: '+15550100002', namespace: 'phone' },
        ])
      ).body.executionId,
    );
    const byUser = Object.fromEntries(execution.recipients.map((r) => [r.userId, r]));
    expect(byUser['+15550100001']).toMatchObject({ status: 'bounce', statusCode: 'unreachable' });
    expect(byUser['+15550100002']).toMatchObject({ status: 'error', statusCode: 'carrier-rejected' });
    const push = await liveCampaign({
      channel: 'push',
      appId: 'com.example.app',
      identityNamespace: 'ecid',
      createNewProfiles: true,
      content: { title: 't', body: 'b' },
    });
    const pushed = await settled(
      (
        await trigger(push, [
          {
            type: 'aep',
            userId: '22222222222222222222222222222222222222',
            namespace: 'ecid',
            channelData: { pushInfo: { token: 'bounce-old-device' } },
          },
        ])
      ).body.executionId,
    );
    expect(pushed.recipients[0]).toMatchObject({ status: 'bounce', statusCode: 'token-unregistered' });
  });
});

describe('profiles at trigger time', () => {
  it('with createNewProfiles off, one unknown recipient fails the whole call and nothing is written', async () => {
    await profiles({ identities: [{ namespace: 'email', id: 'known@example.com' }] });
    const campaignId = await liveCampaign();
    const executionsBefore = await countItems('execution');
    const profilesBefore = await countItems('profile');
    const outboxBefore = await countItems('outbox');
    const answer = await trigger(campaignId, [
      recipient('known@example.com'),
      recipient('Nobody@Example.com'),
      recipient('ghost@example.com'),
    ]);
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({
      type: 'urn:herald:problem:unknown-recipients',
      unknownUserIds: ['Nobody@Example.com', 'ghost@example.com'],
    });
    expect(await countItems('execution')).toBe(executionsBefore);
    expect(await countItems('profile')).toBe(profilesBefore);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await countItems('outbox')).toBe(outboxBefore);
  });

  it('with createNewProfiles on, missing profiles are created in the interactive-messaging dataset', async () => {
    await api.post('/namespaces', { code: 'crmId' });
    const campaignId = await liveCampaign({ identityNamespace: 'crmId', createNewProfiles: true });
    const answer = await trigger(campaignId, [
      {
        type: 'aep',
        userId: 'CRM-1',
        namespace: 'crmId',
        channelData: { emailAddress: 'New.Person@Example.com' },
      },
      { type: 'aep', userId: 'CRM-2', namespace: 'crmId' },
    ]);
    expect(answer.status).toBe(202);
    const execution = await settled(answer.body.executionId);
    const profile = await api.get<{ dataset: string; identities: unknown[] }>('/profiles/crmId/CRM-1');
    expect(profile.body.dataset).toBe('interactive-messaging');
    expect(profile.body.identities).toEqual([
      { namespace: 'crmId', id: 'CRM-1' },
      { namespace: 'email', id: 'new.person@example.com' },
    ]);
    const byEmail = await api.get<{ profileId: string }>('/profiles/email/new.person@example.com');
    expect(byEmail.body.profileId).toBe(execution.recipients.find((r) => r.userId === 'CRM-1')?.profileId);
    const bare = await api.get<{ identities: unknown[] }>('/profiles/crmId/CRM-2');
    expect(bare.body.identities).toEqual([{ namespace: 'crmId', id: 'CRM-2' }]);
    const byUser = Object.fromEntries(execution.recipients.map((r) => [r.userId, r]));
    expect(byUser['CRM-1']?.status).toBe('delivered');
    expect(byUser['CRM-2']).toMatchObject({ status: 'exclude', statusCode: 'missing-address' });
  });
});

describe('the call rules, each with its own problem type', () => {
  let transactional: string;
  beforeAll(async () => {
    transactional = await liveCampaign({ createNewProfiles: true });
  });

  const cases: [string, () => Promise<{ status: number; body: Record<string, unknown> }>, number, string][] =
    [
      ['no recipients', () => trigger(transactional, []), 400, 'recipient-count'],
      [
        '21 recipients',
        () =>
          trigger(
            transactional,
            Array.from({ length: 21 }, (_, i) => recipient(`u${i}@example.com`)),
          ),
        400,
        'recipient-count',
      ],
      [
        'a duplicate userId (after normalisation)',
        () => trigger(transactional, [recipient('a@example.com'), recipient('A@Example.com')]),
        400,
        'duplicate-recipients',
      ],
      [
        'another namespace',
        () => trigger(transactional, [{ type: 'aep', userId: '+14155550100', namespace: 'phone' }]),
        400,
        'namespace-mismatch',
      ],
      [
        'a userId invalid for the namespace',
        () => trigger(transactional, [recipient('not-an-email')]),
        400,
        'invalid-user-id',
      ],
      [
        'context.system',
        () => trigger(transactional, [recipient('a@example.com', { context: { system: { x: 1 } } })]),
        400,
        'reserved-context',
      ],
      [
        'context over 200 KB',
        () =>
          trigger(transactional, [
            recipient('a@example.com', { context: { a: 'x'.repeat(110_000) } }),
            recipient('b@example.com', { context: { b: 'x'.repeat(110_000) } }),
          ]),
        413,
        'context-too-large',
      ],
      [
        'an unknown campaign',
        () => trigger('01a20708-a928-7d86-8254-5a5c8f38d212', [recipient('a@example.com')]),
        404,
        'campaign-not-found',
      ],
      [
        'a recipient of another type',
        () => trigger(transactional, [{ type: 'unknown', userId: 'a@example.com', namespace: 'email' }]),
        400,
        'validation',
      ],
    ];

  it.each(cases)('%s → %i %s', async (_name, call, status, type) => {
    const answer = await call();
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    expect(answer.body.type).toBe(`urn:herald:problem:${type}`);
    expect(answer.body.report).toMatchObject({
      campaignId: expect.any(String),
      requestId: expect.any(String),
    });
  });

  it('names the duplicate userIds', async () => {
    const answer = await trigger(transactional, [
      recipient('d@example.com'),
      recipient('D@example.com'),
      recipient('e@example.com'),
    ]);
    expect(answer.body.duplicateUserIds).toEqual(['d@example.com']);
  });

  it('refuses campaigns that are marketing, high-throughput, not live, or outside their window', async () => {
    const audience = await api.post<{ id: string }>('/audiences', { name: 'Everyone' });
    const marketing = await api.post<{ id: string }>('/campaigns', {
      ...emailCampaign,
      category: 'marketing',
      audience: { id: audience.body.id },
    });
    await api.post(`/campaigns/${marketing.body.id}/activate`);
    const highThroughput = await liveCampaign({
      highThroughput: true,
      content: { subject: '{{context.s}}', text: 'x' },
    });
    const draft = await api.post<{ id: string }>('/campaigns', emailCampaign);
    const stopped = await liveCampaign();
    await api.post(`/campaigns/${stopped}/stop`);
    const later = await liveCampaign({
      schedule: { startDate: new Date(Date.now() + 3_600_000).toISOString() },
    });
    const expectations: [string, string][] = [
      [marketing.body.id, 'campaign-not-transactional'],
      [highThroughput, 'campaign-high-throughput'],
      [draft.body.id, 'campaign-not-live'],
      [stopped, 'campaign-not-live'],
      [later, 'campaign-outside-schedule'],
    ];
    for (const [campaignId, type] of expectations) {
      const answer = await trigger(campaignId, [recipient('a@example.com')]);
      expect(answer.status, type).toBe(409);
      expect(answer.body.type).toBe(`urn:herald:problem:${type}`);
    }
  });
});

describe('idempotency', () => {
  let campaignId: string;
  beforeAll(async () => {
    campaignId = await liveCampaign({ createNewProfiles: true });
  });

  it('the same request again returns the first answer and sends nothing new', async () => {
    const id = requestId();
    const first = await trigger(campaignId, [recipient('once@example.com')], id);
    await settled(first.body.executionId);
    const outboxAfterFirst = await countItems('outbox');
    const again = await trigger(campaignId, [recipient('once@example.com')], id);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await countItems('outbox')).toBe(outboxAfterFirst);
  });

  it('the same key with a different body is 422', async () => {
    const id = requestId();
    await trigger(campaignId, [recipient('x@example.com')], id);
    const other = await trigger(campaignId, [recipient('y@example.com')], id);
    expect(other.status).toBe(422);
    expect(other.body.type).toBe('urn:herald:problem:idempotency-key-reused');
  });

  it('an Idempotency-Key header takes precedence over requestId', async () => {
    const key = `key-${requestId()}`;
    const first = await trigger(campaignId, [recipient('h@example.com')], requestId(), {
      'idempotency-key': key,
    });
    const second = await trigger(campaignId, [recipient('h@example.com')], first.body.requestId as string, {
      'idempotency-key': key,
    });
    expect(second.body.executionId).toBe(first.body.executionId);
  });

  it('parallel duplicates create one execution; the others get its answer or 409 with Retry-After', async () => {
    const id = requestId();
    const executionsBefore = await countItems('execution');
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => trigger(campaignId, [recipient('parallel@example.com')], id)),
    );
    const accepted = answers.filter((a) => a.status === 202);
    const busy = answers.filter((a) => a.status === 409);
    expect(accepted.length + busy.length).toBe(8);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((a) => a.body.executionId)).size).toBe(1);
    for (const answer of busy) {
      expect(answer.body.type).toBe('urn:herald:problem:request-in-progress');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(await countItems('execution')).toBe(executionsBefore + 1);
    const execution = await settled(accepted[0]?.body.executionId ?? '');
    expect(execution.recipients).toHaveLength(1);
    expect(execution.recipients[0]?.history.filter((h) => h.status === 'sent')).toHaveLength(1);
  });
});

describe('status events', () => {
  it('are published to the feedback queue for campaigns with webhooks enabled, and not otherwise', async () => {
    const queueUrl = herald.queueUrls.FEEDBACK_QUEUE_URL ?? '';
    // A fresh sandbox: earlier tests put the bounce address on this sandbox's suppression list.
    const fresh = await sandboxWithKey(herald, ['admin']);
    const withHooks = await liveCampaign({ createNewProfiles: true, enableWebhooks: true }, fresh.api);
    const without = await liveCampaign({ createNewProfiles: true }, fresh.api);
    const trigger = (campaignId: string, recipients: unknown[]) =>
      fresh.api.post<{ executionId: string }>('/im/executions/unitary', {
        requestId: requestId(),
        campaignId,
        recipients,
      });
    const settled = async (executionId: string) => {
      for (let i = 0; i < 300; i++) {
        const answer = await fresh.api.get<Execution>(`/executions/${executionId}`);
        if (answer.body.recipients.every((r) => r.status !== 'queued')) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('still queued');
    };
    const quiet = await trigger(without, [recipient('quiet@example.com')]);
    await settled(quiet.body.executionId);
    const loud = await trigger(withHooks, [
      recipient('bounce@simulator.amazonses.com'),
      recipient('loud@example.com'),
    ]);
    await settled(loud.body.executionId);
    const events: StatusEvent[] = [];
    for (let i = 0; i < 5 && events.length < 4; i++) {
      const got = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const m of got.Messages ?? []) {
        events.push(JSON.parse(m.Body ?? '{}') as StatusEvent);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
      }
    }
    expect(events.every((e) => e.executionId === loud.body.executionId)).toBe(true);
    const summary = events.map((e) => `${e.userId}:${e.status}${e.code ? `:${e.code}` : ''}`).sort();
    expect(summary).toEqual([
      'bounce@simulator.amazonses.com:bounce:hard-bounce',
      'bounce@simulator.amazonses.com:sent',
      'loud@example.com:delivered',
      'loud@example.com:sent',
    ]);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(4);
    expect(events[0]).toMatchObject({
      sandbox: fresh.sandbox,
      campaignId: withHooks,
      campaignType: 'transactional',
      channel: 'email',
      campaignVersion: 1,
    });
  });
});
