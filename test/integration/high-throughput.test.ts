import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler as createDispatchHandler } from '../../functions/workers/dispatch.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { toSqsRecord } from '../../infra/local/queue-poller.ts';
import type { FeedbackPayload } from '../../shared/schemas/webhook.ts';
import { highThroughputExecutionId } from '../../shared/use-cases/trigger-high-throughput.ts';
import { type Client, sandboxWithKey, startTestHerald } from './harness.ts';
import { startReceiver, waitFor } from './receiver.ts';

/**
 * POST /im/executions/highthroughput on the embedded engines, with the dispatch poller running:
 * the call queues one job, the dispatcher writes the execution once and sends; repeats of the
 * call (in turn or at once) and of the job send nothing new.
 */
type Recipient = { userId: string; status: string; statusCode?: string; history: { status: string }[] };
type Execution = { executionId: string; recipients: Recipient[] };

const htCampaign = {
  name: 'One-time code',
  category: 'transactional',
  channel: 'email',
  identityNamespace: 'email',
  highThroughput: true,
  enableWebhooks: true,
  content: { subject: 'Your code {{context.code}}', text: 'Code: {{context.code}}' },
} as const;

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let api: Client;
let sandbox: string;
let campaignId: string;

beforeAll(async () => {
  herald = await startTestHerald();
  receiver = await startReceiver();
  ({ api, sandbox } = await sandboxWithKey(herald, ['admin']));
  const webhook = await api.post('/webhooks', { name: 'feedback', url: receiver.url('/hook') });
  expect(webhook.status, JSON.stringify(webhook.body)).toBe(201);
  const created = await api.post<{ id: string }>('/campaigns', htCampaign);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  campaignId = created.body.id;
  expect((await api.post(`/campaigns/${campaignId}/activate`)).status).toBe(200);
});
afterAll(async () => {
  await herald?.stop();
  await receiver?.stop();
});

const external = (address: string, code = '123456') => ({
  type: 'external',
  userId: address,
  channelData: { emailAddress: address },
  context: { code },
});
const call = (requestId: string, recipients: unknown[], id = campaignId) =>
  api.post<{ executionId: string }>('/im/executions/highthroughput', {
    requestId,
    campaignId: id,
    recipients,
  });

async function settled(executionId: string, count: number): Promise<Execution> {
  let execution: Execution | undefined;
  await waitFor(async () => {
    const answer = await api.get<Execution>(`/executions/${executionId}`);
    execution = answer.body;
    return (
      answer.status === 200 &&
      execution.recipients.length === count &&
      execution.recipients.every((r) => r.status !== 'queued' && r.status !== 'sent')
    );
  }, `execution ${executionId} to settle`);
  return execution as Execution;
}

const sends = (recipient: Recipient) => recipient.history.filter((h) => h.status === 'sent').length;

describe('high-throughput executions', () => {
  it('sends to external recipients with {{context.*}}, visible at GET /executions/{id}, with webhooks', async () => {
    const answer = await call('ht-1', [
      external('ann@example.com', '111'),
      external('bob@example.com', '222'),
    ]);
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    expect(answer.body.executionId).toBe(highThroughputExecutionId(sandbox, 'ht-1'));
    const execution = await settled(answer.body.executionId, 2);
    expect(execution.recipients.map((r) => [r.userId, r.status])).toEqual(
      expect.arrayContaining([
        ['ann@example.com', 'delivered'],
        ['bob@example.com', 'delivered'],
      ]),
    );
    const ann = execution.recipients.find((r) => r.userId === 'ann@example.com') as Recipient & {
      messageId: string;
    };
    const rendered = await api.get<{ subject: string; text: string }>(
      `/executions/${answer.body.executionId}/messages/${ann.messageId}`,
    );
    expect(rendered.body).toMatchObject({ subject: 'Your code 111', text: 'Code: 111' });
    await waitFor(
      () =>
        receiver.received.filter((r) => {
          const event = JSON.parse(r.body) as FeedbackPayload & { executionId: string };
          return event.executionId === answer.body.executionId;
        }).length === 4,
      'sent and delivered events of both recipients',
    );
  });

  it('answers the same executionId to a repeated call, sequential or concurrent, and sends once', async () => {
    const first = await call('ht-2', [external('cat@example.com')]);
    const again = await call('ht-2', [external('cat@example.com')]);
    expect(again.body.executionId).toBe(first.body.executionId);
    const [a, b] = await Promise.all([
      call('ht-3', [external('dan@example.com')]),
      call('ht-3', [external('dan@example.com')]),
    ]);
    expect(a.body.executionId).toBe(b.body.executionId);
    for (const id of [first.body.executionId, a.body.executionId]) {
      const execution = await settled(id, 1);
      expect(execution.recipients[0]?.status).toBe('delivered');
      expect(sends(execution.recipients[0] as Recipient)).toBe(1);
    }
  });

  it('excludes a suppressed address, as unitary does', async () => {
    const bounced = await call('ht-5', [external('bounce@simulator.amazonses.com')]);
    expect((await settled(bounced.body.executionId, 1)).recipients[0]?.status).toBe('bounce');
    const again = await call('ht-6', [external('bounce@simulator.amazonses.com')]);
    const excluded = await settled(again.body.executionId, 1);
    expect(excluded.recipients[0]).toMatchObject({ status: 'exclude', statusCode: 'suppressed-address' });
  });

  it('refuses bad input with a problem naming the field, and queues nothing', async () => {
    const refused = async (
      requestId: string,
      recipients: unknown[],
      status: number,
      type: string,
      path?: string,
      id = campaignId,
    ) => {
      const answer = await call(requestId, recipients, id);
      expect(answer.status, JSON.stringify(answer.body)).toBe(status);
      expect(answer.body).toMatchObject({ type: `urn:herald:problem:${type}` });
      if (path)
        expect(answer.body).toMatchObject({
          fields: expect.arrayContaining([expect.objectContaining({ path })]),
        });
      expect((await api.get(`/executions/${highThroughputExecutionId(sandbox, requestId)}`)).status).toBe(
        404,
      );
    };
    await refused(
      'bad-1',
      [{ type: 'aep', userId: 'a@example.com', namespace: 'email' }],
      400,
      'validation',
      'body.recipients[0].type',
    );
    await refused(
      'bad-2',
      [{ type: 'external', userId: 'a@example.com' }],
      400,
      'validation',
      'body.recipients[0].channelData',
    );
    await refused(
      'bad-3',
      [{ type: 'external', userId: 'x1', namespace: 'email', channelData: {} }],
      400,
      'invalid-user-id',
    );
    // A push campaign takes its address from channelData.pushInfo alone.
    const push = await api.post<{ id: string }>('/campaigns', {
      ...htCampaign,
      name: 'Code by push',
      channel: 'push',
      appId: 'com.example.app',
      content: { title: 'Your code', body: '{{context.code}}' },
    });
    expect((await api.post(`/campaigns/${push.body.id}/activate`)).status).toBe(200);
    await refused(
      'bad-4',
      [{ type: 'external', userId: 'a@example.com', channelData: {} }],
      400,
      'invalid-channel-data',
      'body.recipients[0].channelData.pushInfo',
      push.body.id,
    );
    await refused(
      'bad-5',
      [{ type: 'external', userId: 'a@example.com', channelData: { emailAddress: 'not-an-address' } }],
      400,
      'invalid-channel-data',
      'body.recipients[0].channelData.emailAddress',
    );
    await refused(
      'bad-6',
      Array.from({ length: 21 }, (_, i) => external(`p${i}@example.com`)),
      400,
      'recipient-count',
    );
    await refused(
      'bad-7',
      [external('same@example.com'), external('SAME@example.com')],
      400,
      'duplicate-recipients',
    );
    await refused(
      'bad-8',
      [{ ...external('a@example.com'), context: { system: 1 } }],
      400,
      'reserved-context',
      'body.recipients[0].context.system',
    );
    await refused(
      'bad-9',
      [{ ...external('a@example.com'), context: { big: 'x'.repeat(205_000) } }],
      413,
      'context-too-large',
    );
  });

  it('refuses a campaign that is not high-throughput (409 saying which), and unitary refuses this one', async () => {
    const plain = await api.post<{ id: string }>('/campaigns', { ...htCampaign, highThroughput: false });
    await api.post(`/campaigns/${plain.body.id}/activate`);
    const answer = await call('not-ht', [external('a@example.com')], plain.body.id);
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ type: 'urn:herald:problem:campaign-not-high-throughput' });
    const unitary = await api.post('/im/executions/unitary', {
      requestId: 'unitary-on-ht',
      campaignId,
      recipients: [{ ...external('a@example.com'), namespace: 'email' }],
    });
    expect(unitary.body).toMatchObject({ type: 'urn:herald:problem:campaign-high-throughput' });
  });
});

describe('high-throughput jobs run by the test (no poller)', () => {
  let quiet: Awaited<ReturnType<typeof startTestHerald>>;
  let quietApi: Client;
  let quietCampaign: string;
  beforeAll(async () => {
    quiet = await startTestHerald({ queues: [] });
    ({ api: quietApi } = await sandboxWithKey(quiet, ['admin']));
    const created = await quietApi.post<{ id: string }>('/campaigns', {
      ...htCampaign,
      enableWebhooks: false,
    });
    quietCampaign = created.body.id;
    await quietApi.post(`/campaigns/${quietCampaign}/activate`);
  });
  afterAll(async () => {
    await quiet?.stop();
  });
  /** The dispatch jobs queued so far, by their first recipient's userId. */
  async function queuedJobs() {
    const jobs = new Map<string, import('@aws-sdk/client-sqs').Message>();
    for (;;) {
      const received = await quiet.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: quiet.queueUrls.DISPATCH_QUEUE_URL, MaxNumberOfMessages: 10 }),
      );
      if (!received.Messages?.length) return jobs;
      for (const message of received.Messages) {
        const job = JSON.parse(message.Body ?? '{}') as { recipients: { userId: string }[] };
        jobs.set(job.recipients[0]?.userId ?? '', message);
      }
    }
  }
  const run = (message: import('@aws-sdk/client-sqs').Message) =>
    createDispatchHandler(quiet.config, quiet.clients)(
      { Records: [toSqsRecord(message, 'arn:aws:sqs:us-east-1:000000000000:herald-dispatch')] },
      lambdaContext('dispatch', 30_000),
    );
  const trigger = (requestId: string, recipients: unknown[]) =>
    quietApi.post<{ executionId: string }>('/im/executions/highthroughput', {
      requestId,
      campaignId: quietCampaign,
      recipients,
    });

  it('drops a reused requestId with another body: the body dispatched first stands', async () => {
    const first = await trigger('reused', [external('eve@example.com')]);
    const other = await trigger('reused', [external('fay@example.com')]);
    expect(other.status).toBe(202);
    expect(other.body.executionId).toBe(first.body.executionId);
    const jobs = await queuedJobs();
    const [eve, fay] = [jobs.get('eve@example.com'), jobs.get('fay@example.com')];
    if (!eve || !fay) throw new Error('both calls should have queued a job');
    expect((await run(eve)).batchItemFailures).toEqual([]);
    expect((await run(fay)).batchItemFailures).toEqual([]);
    const execution = (await quietApi.get<Execution>(`/executions/${first.body.executionId}`)).body;
    expect(execution.recipients.map((r) => [r.userId, r.status])).toEqual([['eve@example.com', 'delivered']]);
  });

  it('neither loses nor duplicates when run again: the execution is written once, each message sent once', async () => {
    const answer = await trigger('crash-1', [external('hal@example.com'), external('ivy@example.com')]);
    expect(answer.status).toBe(202);
    // Nothing is written until a dispatcher runs the job.
    expect((await quietApi.get(`/executions/${answer.body.executionId}`)).status).toBe(404);
    const message = (await queuedJobs()).get('hal@example.com');
    if (!message) throw new Error('no dispatch job was queued');
    // The same job three times: as SQS redelivers a batch whose worker died after any step.
    for (let i = 0; i < 3; i++) expect((await run(message)).batchItemFailures).toEqual([]);
    const execution = (await quietApi.get<Execution>(`/executions/${answer.body.executionId}`)).body;
    expect(execution.recipients).toHaveLength(2);
    for (const recipient of execution.recipients) {
      expect(recipient.status).toBe('delivered');
      expect(sends(recipient)).toBe(1);
    }
  });
});
