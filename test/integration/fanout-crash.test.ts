import { GetQueueAttributesCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fanoutWorker } from '../../functions/workers/fanout.ts';
import { startQueuePoller } from '../../infra/local/queue-poller.ts';
import { queueDefinitions } from '../../shared/definitions/queues.ts';
import type { DispatchQueue } from '../../shared/domain/execution.ts';
import { sqsWorker } from '../../shared/queue/sqs-worker.ts';
import { fanoutRoot } from '../../shared/roots/fanout.ts';
import { type Client, sandboxWithKey, startTestHerald } from './harness.ts';
import { waitFor } from './receiver.ts';

/**
 * A fanout worker dies in the middle of an audience: on its third page it hangs after writing the
 * page's messages and before queueing their dispatch (as a killed Lambda would). SQS redelivers the
 * page after its visibility timeout. Every member must get exactly one message.
 * The hang is injected around the real dispatch queue; stores, queues and the fanout worker (its
 * own shell and job) are real.
 */
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;
let sqs: SQSClient;

beforeAll(async () => {
  herald = await startTestHerald({ queues: queueDefinitions.filter((q) => q.name !== 'fanout') });
  ({ api } = await sandboxWithKey(herald, ['admin']));
  sqs = new SQSClient({ endpoint: herald.endpoints.sqs });
});
afterAll(async () => {
  sqs?.destroy();
  await herald?.stop();
});

describe('a fanout worker killed mid-audience', () => {
  it('resumes from the page it was on, with no member skipped or sent twice', async () => {
    const audience = (await api.post<{ id: string }>('/audiences', { name: 'Crash' })).body.id;
    const members = 120;
    for (let i = 0; i < members; i++) {
      await api.put('/profiles', {
        identities: [{ namespace: 'email', id: `crash${i}@example.com` }],
        consent: { marketing: { email: 'y' } },
        audiences: [audience],
      });
    }
    const campaign = await api.post<{ id: string }>('/campaigns', {
      name: 'Crash test',
      category: 'marketing',
      channel: 'email',
      identityNamespace: 'email',
      audience: { id: audience },
      content: { subject: 'Hi', text: 'x' },
    });
    await api.post(`/campaigns/${campaign.body.id}/activate`);

    const queueUrl = herald.queueUrls.FANOUT_QUEUE_URL ?? '';
    await sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { VisibilityTimeout: '1' } }),
    );
    const arn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    const definition = queueDefinitions.find((q) => q.name === 'fanout');
    if (!definition) throw new Error('no fanout queue definition');
    const deps = fanoutRoot(herald.config, herald.clients);
    let pages = 0;
    let killed = false;
    const dying: DispatchQueue = {
      send: (job) => deps.dispatch.send(job),
      sendDelayed: async (jobs) => {
        pages++;
        if (pages === 3 && !killed) {
          killed = true;
          await new Promise(() => {});
        }
        await deps.dispatch.sendDelayed(jobs);
      },
    };
    const poller = startQueuePoller({
      client: sqs,
      queueUrl,
      queueArn: arn ?? '',
      definition: { ...definition, visibilityTimeoutSeconds: 1, workerTimeoutSeconds: 2 },
      onError: () => {},
      handler: async () => sqsWorker({ ...fanoutWorker, deps: () => ({ ...deps, dispatch: dying }) }),
    });
    try {
      const run = await api.post<{ executionId: string }>('/im/executions/audience', {
        campaignId: campaign.body.id,
      });
      type Status = {
        status: string;
        targetedProfileCount: number;
        counts: { queued: number; sent: number; delivered: number };
      };
      let status: Status | undefined;
      await waitFor(
        async () => {
          status = (await api.get<Status>(`/im/executions/audience/${run.body.executionId}`)).body;
          return status.status === 'Succeeded' && status.counts.delivered === members;
        },
        'every member delivered',
        40_000,
      );
      expect(killed).toBe(true);
      expect(status?.targetedProfileCount).toBe(members);
      expect(status?.counts).toMatchObject({ queued: 0, sent: 0, delivered: members });
    } finally {
      await poller.stop();
    }
    // Its waits allow 40 s for the 120 deliveries on a busy machine; the test may take that long.
  }, 90_000);
});
