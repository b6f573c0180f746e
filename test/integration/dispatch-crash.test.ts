import { GetQueueAttributesCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchWorker } from '../../functions/workers/dispatch.ts';
import { startQueuePoller } from '../../infra/local/queue-poller.ts';
import { queueDefinitions } from '../../shared/definitions/queues.ts';
import type { ChannelProvider } from '../../shared/domain/channel.ts';
import { sqsWorker } from '../../shared/queue/sqs-worker.ts';
import { dispatchRoot } from '../../shared/roots/dispatch.ts';
import { type Client, emailCampaign, sandboxWithKey, startTestHerald } from './harness.ts';

/**
 * A dispatch worker dies in the middle of a job: the first delivery hangs forever inside the
 * provider once the messages were handed over (the job sends to its recipients side by side) but
 * before any status was recorded, as a killed Lambda would leave it; the event
 * source gives up at the worker timeout, SQS redelivers after the visibility timeout, and the second
 * delivery finishes. Every message must end up sent exactly once.
 *
 * The hang is injected by wrapping the real sandbox provider (a fault that cannot otherwise be
 * caused on demand); queue, stores and the worker (the dispatch worker's own shell and job) are the
 * real ones.
 */
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;
let sqs: SQSClient;

beforeAll(async () => {
  herald = await startTestHerald({ queues: [] });
  ({ api } = await sandboxWithKey(herald, ['admin']));
  sqs = new SQSClient({ endpoint: herald.endpoints.sqs });
});
afterAll(async () => {
  sqs?.destroy();
  await herald?.stop();
});

describe('a worker killed mid-batch', () => {
  it('has its job redelivered, and every message is sent exactly once', async () => {
    const campaign = await api.post<{ id: string }>('/campaigns', {
      ...emailCampaign,
      createNewProfiles: true,
    });
    await api.post(`/campaigns/${campaign.body.id}/activate`);
    const queueUrl = herald.queueUrls.DISPATCH_QUEUE_URL ?? '';
    // Shorten the real queue's visibility timeout so the redelivery comes in a second.
    await sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { VisibilityTimeout: '1' } }),
    );
    const arn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;

    const deps = dispatchRoot(herald.config, herald.clients);
    const handed: string[] = [];
    let deliveries = 0;
    const sandbox = await deps.providers.resolve('any', 'email');
    if (!sandbox) throw new Error('no sandbox provider');
    const dying: ChannelProvider = {
      name: 'dying-sandbox',
      idempotent: true,
      async send(message, now) {
        const outcome = await sandbox.provider.send(message, now);
        handed.push(message.messageId);
        if (deliveries === 1 && handed.length === 1) await new Promise(() => {});
        return outcome;
      },
    };
    const dispatchQueue = queueDefinitions.find((q) => q.name === 'dispatch');
    if (!dispatchQueue) throw new Error('no dispatch queue definition');
    const poller = startQueuePoller({
      client: sqs,
      queueUrl,
      queueArn: arn ?? '',
      definition: { ...dispatchQueue, visibilityTimeoutSeconds: 1, workerTimeoutSeconds: 2 },
      handler: async () => {
        const worker = sqsWorker({
          ...dispatchWorker,
          deps: () => ({ ...deps, providers: { resolve: async () => ({ provider: dying }) } }),
        });
        return (event: SQSEvent, context: Context) => {
          deliveries++;
          return worker(event, context);
        };
      },
      onError: () => {},
    });
    let executionId = '';
    let execution:
      | { recipients: { messageId: string; status: string; history: { status: string }[] }[] }
      | undefined;
    try {
      const triggered = await api.post<{ executionId: string }>('/im/executions/unitary', {
        requestId: 'crash-1',
        campaignId: campaign.body.id,
        recipients: ['one', 'two', 'three'].map((name) => ({
          type: 'aep',
          userId: `${name}@example.com`,
          namespace: 'email',
        })),
      });
      expect(triggered.status).toBe(202);
      executionId = triggered.body.executionId;
      const deadline = Date.now() + 20_000;
      for (;;) {
        execution = (
          await api.get<NonNullable<typeof execution>>(`/executions/${triggered.body.executionId}`)
        ).body;
        if (execution.recipients.every((r) => r.status !== 'queued')) break;
        if (Date.now() > deadline) throw new Error(`not settled: ${JSON.stringify(execution)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await poller.stop();
    }
    expect(deliveries).toBe(2);
    // Each message was handed to the provider twice (before the crash and after), but stored once.
    expect(handed).toHaveLength(6);
    for (const recipient of execution?.recipients ?? []) {
      expect(recipient.status).toBe('delivered');
      expect(recipient.history.map((h) => h.status)).toEqual(['queued', 'sent', 'delivered']);
      const copy = await api.get<{ to: string }>(
        `/executions/${executionId}/messages/${recipient.messageId}`,
      );
      expect(copy.status).toBe(200);
    }
    expect(new Set(handed).size).toBe(3);
  });
});
