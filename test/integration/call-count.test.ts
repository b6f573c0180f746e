import { type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { InitializeMiddleware } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fanOutPageCalls, pinnedCalls } from '../../bench/call-counts.ts';
import { createHandler as createDispatchHandler } from '../../functions/workers/dispatch.ts';
import { createHandler as createFanoutHandler } from '../../functions/workers/fanout.ts';
import { createHandler as createFeedbackHandler } from '../../functions/workers/feedback.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { toSqsRecord } from '../../infra/local/queue-poller.ts';
import { memberShard } from '../../shared/domain/audience.ts';
import { type Client, emailCampaign, sandboxName, sandboxWithKey, startTestHerald } from './harness.ts';
import { startReceiver } from './receiver.ts';

/**
 * The performance model's budget for a 20-recipient unitary call on a warm container: one batched
 * identity read, one transaction (idempotency + execution + messages), one enqueue, one write
 * marking the request done — at most 5 DynamoDB and SQS calls. Counted with an SDK middleware on
 * the very clients the handlers use. The sequences live in bench/call-counts.ts, which
 * `npm run cost` prices (docs/cost.md).
 */
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;
let campaignId: string;
const calls: string[] = [];

beforeAll(async () => {
  // Keys, campaigns and sandbox settings are cached per container in production; this test
  // measures a warm container (long periods, so a slow machine cannot expire them mid-test).
  herald = await startTestHerald(
    { queues: [] },
    {
      HERALD_KEY_CACHE_SECONDS: '60',
      HERALD_CAMPAIGN_CACHE_SECONDS: '300',
      HERALD_SANDBOX_CACHE_SECONDS: '300',
      HERALD_WEBHOOK_CACHE_SECONDS: '300',
    },
  );
  ({ api } = await sandboxWithKey(herald, ['admin']));
  for (let i = 0; i < 20; i++) {
    await api.put('/profiles', { identities: [{ namespace: 'email', id: `member${i}@example.com` }] });
  }
  const created = await api.post<{ id: string }>('/campaigns', emailCampaign);
  campaignId = created.body.id;
  await api.post(`/campaigns/${campaignId}/activate`);
  const options = { name: 'herald-count-calls', step: 'initialize', override: true } as const;
  herald.clients.dynamodb.middlewareStack.add(counter('dynamodb'), options);
  herald.clients.sqs.middlewareStack.add(counter('sqs'), options);
});
afterAll(async () => {
  await herald?.stop();
});

/** An SDK middleware that records each call's service and command. */
function counter<Input extends object, Output extends object>(
  service: string,
): InitializeMiddleware<Input, Output> {
  return (next, context) => async (args) => {
    calls.push(`${service}:${context.commandName}`);
    return next(args);
  };
}

const trigger = (requestId: string) =>
  api.post('/im/executions/unitary', { requestId, campaignId, recipients: twenty() });
const twenty = () =>
  Array.from({ length: 20 }, (_, i) => ({
    type: 'aep',
    userId: `member${i}@example.com`,
    namespace: 'email',
  }));

describe('cost of a call', () => {
  it('a 20-recipient trigger on a warm container makes at most 5 DynamoDB and SQS calls', async () => {
    const warmUp = await trigger('warm-up');
    expect(warmUp.status).toBe(202);
    expect(calls.length).toBeGreaterThan(0);
    calls.length = 0;
    const answer = await trigger('measured');
    expect(answer.status).toBe(202);
    expect(calls).toEqual(pinnedCalls.unitaryTrigger);
    expect(calls.length).toBeLessThanOrEqual(5);
  });

  it('a repeated request costs one failed claim and one read, and enqueues nothing', async () => {
    calls.length = 0;
    const answer = await trigger('measured');
    expect(answer.status).toBe(202);
    expect(calls).toEqual(pinnedCalls.unitaryRepeat);
  });

  it('sending a 20-recipient dispatch job reads in 2 batches, then writes each message twice', async () => {
    const received = await herald.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: herald.queueUrls.DISPATCH_QUEUE_URL,
        MaxNumberOfMessages: 1,
        AttributeNames: ['All'],
      }),
    );
    const message = received.Messages?.[0];
    if (!message) throw new Error('no dispatch job was queued');
    const job = JSON.parse(message.Body ?? '{}') as { executionId: string; recipients: unknown[] };
    expect(job.recipients).toHaveLength(20);
    calls.length = 0;
    const answer = await createDispatchHandler(herald.config, herald.clients)(
      { Records: [toSqsRecord(message, 'arn:aws:sqs:us-east-1:000000000000:herald-dispatch')] },
      lambdaContext('dispatch', 30_000),
    );
    expect(answer.batchItemFailures).toEqual([]);
    // Messages, profiles and the suppressions of the recipients' email addresses (the userIds,
    // which the profiles give too) in one batched read; then the sandbox's default channel
    // configuration (none here), read once per container.
    const reads = pinnedCalls.unitaryDispatchReads.length;
    expect(calls.slice(0, reads)).toEqual(pinnedCalls.unitaryDispatchReads);
    // Then the sandbox provider's stored copies in one batch, and per message the status update.
    expect(calls.slice(reads).sort()).toEqual(pinnedCalls.dispatchWrites);
    const execution = await api.get<{ recipients: { status: string }[] }>(`/executions/${job.executionId}`);
    expect(execution.body.recipients.map((r) => r.status)).toEqual(Array(20).fill('delivered'));
  });
});

describe('cost of a high-throughput call', () => {
  it('is one enqueue on a warm container: no store call at all', async () => {
    const created = await api.post<{ id: string }>('/campaigns', {
      ...emailCampaign,
      name: 'Codes',
      highThroughput: true,
      content: { subject: 'Code {{context.code}}', text: '{{context.code}}' },
    });
    await api.post(`/campaigns/${created.body.id}/activate`);
    const call = (requestId: string) =>
      api.post('/im/executions/highthroughput', {
        requestId,
        campaignId: created.body.id,
        recipients: Array.from({ length: 20 }, (_, i) => ({
          type: 'external',
          userId: `member${i}@example.com`,
          channelData: { emailAddress: `member${i}@example.com` },
          context: { code: String(i) },
        })),
      });
    expect((await call('ht-warm-up')).status).toBe(202);
    calls.length = 0;
    expect((await call('ht-measured')).status).toBe(202);
    expect(calls).toEqual(pinnedCalls.highThroughputCall);
  });

  it('its dispatch job writes the execution once, then reads everything in one batch', async () => {
    const jobs: { message: import('@aws-sdk/client-sqs').Message; requestId: string }[] = [];
    for (;;) {
      const received = await herald.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: herald.queueUrls.DISPATCH_QUEUE_URL, MaxNumberOfMessages: 10 }),
      );
      if (!received.Messages?.length) break;
      for (const message of received.Messages)
        jobs.push({
          message,
          requestId: (JSON.parse(message.Body ?? '{}') as { requestId: string }).requestId,
        });
    }
    const measured = jobs.find((j) => j.requestId === 'ht-measured');
    if (!measured) throw new Error('the high-throughput job was not queued');
    calls.length = 0;
    const answer = await createDispatchHandler(herald.config, herald.clients)(
      { Records: [toSqsRecord(measured.message, 'arn:aws:sqs:us-east-1:000000000000:herald-dispatch')] },
      lambdaContext('dispatch', 30_000),
    );
    expect(answer.batchItemFailures).toEqual([]);
    // The execution and its messages in one transaction; messages and the suppression list for
    // the call's addresses in one batched read (no profiles); the default configuration (a new
    // handler here, so not cached yet).
    expect(calls.slice(0, 3)).toEqual(pinnedCalls.highThroughputDispatchReads);
    expect(calls.slice(3).sort()).toEqual(pinnedCalls.dispatchWrites);
  });
});

describe('cost of a status event', () => {
  it('is delivered from the fan-out in two store calls on a warm container; a resend in three', async () => {
    const receiver = await startReceiver();
    try {
      const hooked = await sandboxWithKey(herald, ['admin']);
      const webhook = await hooked.api.post<{ id: string }>('/webhooks', {
        name: 'w',
        url: receiver.url('/hook'),
      });
      expect(webhook.status, JSON.stringify(webhook.body)).toBe(201);
      const created = await hooked.api.post<{ id: string }>('/campaigns', {
        ...emailCampaign,
        createNewProfiles: true,
        enableWebhooks: true,
      });
      await hooked.api.post(`/campaigns/${created.body.id}/activate`);
      const trigger = await hooked.api.post('/im/executions/unitary', {
        requestId: 'hooked',
        campaignId: created.body.id,
        recipients: [{ type: 'aep', userId: 'hooked@example.com', namespace: 'email' }],
      });
      expect(trigger.status).toBe(202);
      // Dispatch the job, so its status events (sent, delivered) reach the feedback queue.
      const dispatch = createDispatchHandler(herald.config, herald.clients);
      const jobs = await herald.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: herald.queueUrls.DISPATCH_QUEUE_URL, MaxNumberOfMessages: 10 }),
      );
      for (const message of jobs.Messages ?? [])
        await dispatch(
          { Records: [toSqsRecord(message, 'arn:aws:sqs:us-east-1:000000000000:herald-dispatch')] },
          lambdaContext('dispatch', 30_000),
        );
      const feedbackMessages = async (kind: string) => {
        const found: Message[] = [];
        for (;;) {
          const received = await herald.clients.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: herald.queueUrls.FEEDBACK_QUEUE_URL,
              MaxNumberOfMessages: 10,
            }),
          );
          if (!received.Messages?.length) break;
          found.push(
            ...received.Messages.filter(
              (m) => (JSON.parse(m.Body ?? '{}') as { kind?: string }).kind === kind,
            ),
          );
        }
        return found;
      };
      const events = await feedbackMessages('status-event');
      expect(events.length).toBeGreaterThanOrEqual(2);
      const feedback = createFeedbackHandler(herald.config, herald.clients);
      const handle = async (message: Message) =>
        (
          await feedback(
            { Records: [toSqsRecord(message, 'arn:aws:sqs:us-east-1:000000000000:herald-feedback')] },
            lambdaContext('feedback', 30_000),
          )
        ).batchItemFailures;
      expect(await handle(events[0] as Message)).toEqual([]);
      calls.length = 0;
      expect(await handle(events[1] as Message)).toEqual([]);
      // The webhook list comes from the container's cache; the first attempt is made in the
      // fan-out: the delivery record looked for (a batched read), then the record and its
      // attempt written together (ADR 0033). Nothing queued.
      expect(calls).toEqual(pinnedCalls.webhookFanOut);
      expect(calls.length).toBeLessThanOrEqual(2);
      expect(await feedbackMessages('delivery')).toEqual([]);
      // A resend is a delivery job: the webhook and the record read fresh, then the transaction.
      const eventId = (JSON.parse(events[1]?.Body ?? '{}') as { eventId: string }).eventId;
      const resent = await hooked.api.post(`/webhooks/${webhook.body.id}/events/${eventId}/resend`);
      expect(resent.status, JSON.stringify(resent.body)).toBe(202);
      const [delivery] = await feedbackMessages('delivery');
      if (!delivery) throw new Error('no delivery job was queued');
      calls.length = 0;
      expect(await handle(delivery)).toEqual([]);
      expect(calls).toEqual(pinnedCalls.webhookDelivery);
      expect(receiver.received.filter((r) => r.path === '/hook').length).toBeGreaterThanOrEqual(1);
    } finally {
      await receiver.stop();
    }
  });
});

describe('cost of an audience member', () => {
  it('a fan-out page reads the run, its ledger, members, profiles and suppressions, and writes each member once', async () => {
    const audience = await api.post<{ id: string }>('/audiences', { name: 'Counted' });
    const profileIds: string[] = [];
    for (let i = 0; i < 48; i++) {
      const put = await api.put<{ profileId: string }>('/profiles', {
        identities: [{ namespace: 'email', id: `fan${i}@example.com` }],
        consent: { marketing: { email: 'y' } },
        audiences: [audience.body.id],
      });
      profileIds.push(put.body.profileId);
    }
    const campaign = await api.post<{ id: string }>('/campaigns', {
      name: 'Counted sale',
      category: 'marketing',
      channel: 'email',
      identityNamespace: 'email',
      audience: { id: audience.body.id },
      throttleRatePerSec: 2000,
      content: { subject: 'Sale', html: '<p>{{context.code}}</p>' },
    });
    expect((await api.post(`/campaigns/${campaign.body.id}/activate`)).status).toBe(200);
    const run = await api.post('/im/executions/audience', {
      campaignId: campaign.body.id,
      requestId: 'counted',
    });
    expect(run.status, JSON.stringify(run.body)).toBe(202);
    const jobs: Message[] = [];
    for (;;) {
      const received = await herald.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: herald.queueUrls.FANOUT_QUEUE_URL, MaxNumberOfMessages: 10 }),
      );
      if (!received.Messages?.length) break;
      jobs.push(...received.Messages);
    }
    const bySize = jobs
      .map((message) => {
        const shard = (JSON.parse(message.Body ?? '{}') as { shard: number }).shard;
        return { message, members: profileIds.filter((id) => memberShard(id) === shard).length };
      })
      .sort((a, b) => b.members - a.members);
    const fanout = createFanoutHandler(herald.config, herald.clients);
    const handle = async (message: Message) =>
      (
        await fanout(
          { Records: [toSqsRecord(message, 'arn:aws:sqs:us-east-1:000000000000:herald-fanout')] },
          lambdaContext('fanout', 30_000),
        )
      ).batchItemFailures;
    const [largest, warm] = bySize;
    if (!largest || !warm) throw new Error('no fanout jobs');
    expect(await handle(warm.message)).toEqual([]);
    calls.length = 0;
    expect(await handle(largest.message)).toEqual([]);
    // The shard's one page (48 members over 16 shards): it ends the shard instead of queueing a next page.
    expect(largest.members).toBeGreaterThan(1);
    expect(calls).toEqual(fanOutPageCalls(largest.members, { last: true }));
  });
});

describe('cost of national phone numbers', () => {
  it("reads the sandbox's default country once per container, not once per call", async () => {
    const us = await sandboxWithKey(herald, ['admin'], sandboxName('us'), { defaultCountry: 'US' });
    const created = await us.api.post<{ id: string }>('/campaigns', {
      ...emailCampaign,
      channel: 'sms',
      identityNamespace: 'phone',
      createNewProfiles: true,
      content: { body: 'hi' },
    });
    await us.api.post(`/campaigns/${created.body.id}/activate`);
    const national = (requestId: string) =>
      us.api.post('/im/executions/unitary', {
        requestId,
        campaignId: created.body.id,
        recipients: [{ type: 'aep', userId: '(415) 555-0150', namespace: 'phone' }],
      });
    calls.length = 0;
    expect((await national('national-warm-up')).status).toBe(202);
    expect(calls).toContain('dynamodb:GetItemCommand');
    calls.length = 0;
    expect((await national('national-measured')).status).toBe(202);
    expect(calls).toEqual([
      'dynamodb:BatchGetItemCommand',
      'dynamodb:TransactWriteItemsCommand',
      'sqs:SendMessageCommand',
      'dynamodb:UpdateItemCommand',
    ]);
  });
});
