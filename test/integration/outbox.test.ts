import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { MiddlewareStack } from '@smithy/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { executionsRoot } from '../../shared/roots/executions.ts';
import { schedulerRoot } from '../../shared/roots/scheduler.ts';
import { DUE_CLAIM_PARTITION, keys } from '../../shared/store/keys.ts';
import { LOCK_MS, redriveStaleClaims } from '../../shared/use-cases/claims.ts';
import { triggerUnitary } from '../../shared/use-cases/trigger-unitary.ts';
import { type Client, emailCampaign, sandboxWithKey, startTestHerald } from './harness.ts';

/**
 * Accepted work is never stranded. The fault — SQS refusing a send right after the claim was
 * written — is injected with an SDK middleware on the runtime's own SQS client (a fault that cannot
 * otherwise be caused on demand); the stores, queues, workers and sweeper are the real ones. The
 * sweeper and the retry run with a clock past the claim's lock (an explicit seam, no waiting).
 */
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: Client;
let sandbox: string;
let documents: DynamoDBDocumentClient;

const FAULT = 'herald-test-fault';
/** Makes the next `count` sends of `command` to `queueUrl` fail, as an SQS outage would. */
function failSends(command: 'SendMessageCommand' | 'SendMessageBatchCommand', queueUrl: string, count = 1) {
  let left = count;
  const stack = herald.clients.sqs.middlewareStack as MiddlewareStack<{ QueueUrl?: string }, object>;
  stack.add(
    (next, context) => async (args) => {
      if (context.commandName === command && args.input.QueueUrl === queueUrl && left > 0) {
        left--;
        throw new Error(`injected ${command} failure`);
      }
      return next(args);
    },
    { step: 'initialize', name: FAULT },
  );
}

const later = () => ({ now: () => new Date(Date.now() + LOCK_MS + 1_000) });
/** The scheduler's adapters, on the runtime's clients. */
const scheduler = () => schedulerRoot(herald.config, herald.clients);

async function claimItem(key: string) {
  const { Item } = await documents.send(
    new GetCommand({
      TableName: herald.tableName,
      Key: keys.idempotency(sandbox, key),
      ConsistentRead: true,
    }),
  );
  return Item;
}

async function settled(executionId: string) {
  for (let i = 0; i < 100; i++) {
    const execution = await api.get<{ recipients: { status: string }[] }>(`/executions/${executionId}`);
    const statuses = execution.body.recipients.map((r) => r.status);
    if (statuses.every((s) => s === 'delivered')) return statuses;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`execution ${executionId} never settled`);
}

beforeAll(async () => {
  herald = await startTestHerald();
  ({ api, sandbox } = await sandboxWithKey(herald, ['admin']));
  documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: herald.endpoints.dynamodb }));
});
afterEach(() => {
  herald.clients.sqs.middlewareStack.remove(FAULT);
});
afterAll(async () => {
  documents?.destroy();
  await herald?.stop();
});

async function liveCampaign() {
  const campaign = await api.post<{ id: string }>('/campaigns', {
    ...emailCampaign,
    createNewProfiles: true,
  });
  await api.post(`/campaigns/${campaign.body.id}/activate`);
  return campaign.body.id;
}

const recipient = (userId: string) => ({ type: 'aep' as const, userId, namespace: 'email' });

describe('a unitary trigger whose enqueue fails after the claim', () => {
  it('is accepted, keeps its job in the claim, and the sweeper sends it', async () => {
    const campaignId = await liveCampaign();
    failSends('SendMessageCommand', herald.queueUrls.DISPATCH_QUEUE_URL ?? '');
    const accepted = await api.post<{ executionId: string }>('/im/executions/unitary', {
      requestId: 'outbox-sweep',
      campaignId,
      recipients: [recipient('o1@example.com'), recipient('o2@example.com')],
    });
    expect(accepted.status).toBe(202);

    const pending = await claimItem('unitary#outbox-sweep');
    expect(pending?.state).toBe('pending');
    expect(typeof pending?.jobs).toBe('string');
    // One of the index's claim shards (ADR 0022), the sweeper reads them all.
    expect(pending?.duePk).toMatch(/^DUE#CLAIM#\d+$/);
    const before = await api.get<{ recipients: { status: string }[] }>(
      `/executions/${accepted.body.executionId}`,
    );
    expect(before.body.recipients.map((r) => r.status)).toEqual(['queued', 'queued']);

    // Before its lock lapses the claim is its request's own: the sweeper leaves it.
    expect(await redriveStaleClaims(scheduler())).toBe(0);
    expect(await redriveStaleClaims({ ...scheduler(), clock: later() })).toBe(1);
    expect(await settled(accepted.body.executionId)).toEqual(['delivered', 'delivered']);
    const done = await claimItem('unitary#outbox-sweep');
    expect(done?.state).toBe('done');
    expect(done?.jobs).toBeUndefined();
    expect(done?.duePk).toBeUndefined();
    // Nothing left for the next sweep.
    expect(await redriveStaleClaims({ ...scheduler(), clock: later() })).toBe(0);
  });

  it('is swept from the unsharded part of the index a claim of an earlier version sits in', async () => {
    const campaignId = await liveCampaign();
    failSends('SendMessageCommand', herald.queueUrls.DISPATCH_QUEUE_URL ?? '');
    const accepted = await api.post<{ executionId: string }>('/im/executions/unitary', {
      requestId: 'outbox-unsharded',
      campaignId,
      recipients: [recipient('u1@example.com')],
    });
    expect(accepted.status).toBe(202);
    herald.clients.sqs.middlewareStack.remove(FAULT);
    // Where a claim pending during the upgrade to the sharded index (ADR 0022) was written.
    await documents.send(
      new UpdateCommand({
        TableName: herald.tableName,
        Key: keys.idempotency(sandbox, 'unitary#outbox-unsharded'),
        UpdateExpression: 'SET duePk = :legacy',
        ExpressionAttributeValues: { ':legacy': DUE_CLAIM_PARTITION },
      }),
    );
    expect(await redriveStaleClaims({ ...scheduler(), clock: later() })).toBe(1);
    expect(await settled(accepted.body.executionId)).toEqual(['delivered']);
    expect((await claimItem('unitary#outbox-unsharded'))?.state).toBe('done');
  });

  it('is finished by a retry of the same request once the lock lapses', async () => {
    const campaignId = await liveCampaign();
    failSends('SendMessageCommand', herald.queueUrls.DISPATCH_QUEUE_URL ?? '');
    const body = {
      requestId: 'outbox-retry',
      campaignId,
      recipients: [recipient('r1@example.com')],
    };
    const first = await api.post<{ executionId: string }>('/im/executions/unitary', body);
    expect(first.status).toBe(202);
    const early = await api.post('/im/executions/unitary', body);
    expect(early.status).toBe(409);
    expect(early.headers.get('retry-after')).toBeTruthy();

    const retried = await triggerUnitary(
      { ...executionsRoot(herald.config, herald.clients), clock: later() },
      { sandbox, keyId: 'retry' },
      body,
    );
    expect(retried.executionId).toBe(first.body.executionId);
    expect(await settled(first.body.executionId)).toEqual(['delivered']);
    expect((await claimItem('unitary#outbox-retry'))?.state).toBe('done');
  });
});

describe('an audience run whose fanout enqueue fails after the claim', () => {
  it('is accepted and the sweeper starts its fanout; a run without requestId has its own claim', async () => {
    const audience = await api.post<{ id: string }>('/audiences', { name: 'outbox' });
    await api.post(`/audiences/${audience.body.id}/members`, {
      identities: [{ namespace: 'email', id: 'm1@example.com' }],
    });
    await api.put('/profiles', {
      identities: [{ namespace: 'email', id: 'm1@example.com' }],
      consent: { marketing: { email: 'y' } },
    });
    const campaign = await api.post<{ id: string }>('/campaigns', {
      ...emailCampaign,
      category: 'marketing',
      audience: { id: audience.body.id },
    });
    await api.post(`/campaigns/${campaign.body.id}/activate`);
    failSends('SendMessageBatchCommand', herald.queueUrls.FANOUT_QUEUE_URL ?? '');
    const run = await api.post<{ executionId: string }>('/im/executions/audience', {
      campaignId: campaign.body.id,
    });
    expect(run.status).toBe(202);
    const pending = await claimItem(`audience-run#${run.body.executionId}`);
    expect(pending?.state).toBe('pending');

    expect(await redriveStaleClaims({ ...scheduler(), clock: later() })).toBe(1);
    for (let i = 0; i < 100; i++) {
      const status = await api.get<{ status: string; counts: { delivered: number } }>(
        `/im/executions/audience/${run.body.executionId}`,
      );
      if (status.body.status === 'Succeeded' && status.body.counts.delivered === 1) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the run never finished');
  });
});
