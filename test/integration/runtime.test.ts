import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQueuePoller } from '../../infra/local/queue-poller.ts';
import { startHerald } from '../../infra/local/runtime.ts';
import { ConfigError } from '../../shared/config.ts';
import type { QueueDefinition } from '../../shared/definitions/queues.ts';
import { client, sandboxName, startTestHerald } from './harness.ts';

const quiet = { port: 0, schedulerIntervalMs: 0, log: () => {} };

describe('the local runtime', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'herald-runtime-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps data and the generated root key across restarts of its data folder', async () => {
    const lines: string[] = [];
    const first = await startHerald({ ...quiet, dataDir, log: (line) => lines.push(line) });
    const name = sandboxName();
    let rootKey: string;
    try {
      expect(first.rootKey).toMatch(/^hrld_/);
      rootKey = first.rootKey as string;
      expect(first.rootKeyFile).toBe(path.join(dataDir, 'admin-key'));
      expect((await readFile(path.join(dataDir, 'admin-key'), 'utf8')).trim()).toBe(rootKey);
      expect((await stat(path.join(dataDir, 'admin-key'))).mode & 0o777).toBe(0o600);
      expect(lines.join('\n')).toContain('admin-key');
      expect(lines.join('\n')).not.toContain(rootKey);
      expect((await client(first.url, rootKey).post('/sandboxes', { name })).status).toBe(201);
    } finally {
      await first.stop();
    }
    const second = await startHerald({ ...quiet, dataDir, log: (line) => lines.push(line) });
    try {
      expect(second.rootKey).toBeUndefined();
      const list = await client(second.url, rootKey).get<{ items: { name: string }[] }>('/sandboxes');
      expect(list.status).toBe(200);
      expect(list.body.items.map((s) => s.name)).toContain(name);
    } finally {
      await second.stop();
    }
  });

  it('refuses a bad configuration before starting an engine, naming the variable', async () => {
    const start = startHerald({
      ...quiet,
      dataDir: path.join(dataDir, 'never-created'),
      environment: { ...process.env, HERALD_KEY_CACHE_SECONDS: 'soon' },
    });
    await expect(start).rejects.toBeInstanceOf(ConfigError);
    await expect(start).rejects.toThrow(/HERALD_KEY_CACHE_SECONDS/);
    await expect(stat(path.join(dataDir, 'never-created'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('uses the engines named by AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_SQS instead of its own', async () => {
    const before = { ...process.env };
    const owner = await startHerald({ ...quiet, dataDir: null });
    try {
      // The runtime hands its configuration to the handlers: it writes nothing into process.env.
      expect(process.env).toEqual(before);
      const name = sandboxName();
      expect((await client(owner.url, owner.rootKey ?? '').post('/sandboxes', { name })).status).toBe(201);
      const guest = await startHerald({
        ...quiet,
        dataDir: null,
        adminKey: 'k'.repeat(32),
        environment: {
          ...process.env,
          AWS_ENDPOINT_URL_DYNAMODB: owner.endpoints.dynamodb,
          AWS_ENDPOINT_URL_SQS: owner.endpoints.sqs,
          // Engines the runtime did not start sign with the environment's credentials.
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
        },
      });
      try {
        expect(guest.endpoints).toEqual(owner.endpoints);
        const list = await client(guest.url, 'k'.repeat(32)).get<{ items: { name: string }[] }>('/sandboxes');
        expect(list.body.items.map((s) => s.name)).toContain(name);
      } finally {
        await guest.stop();
      }
    } finally {
      await owner.stop();
    }
    expect(process.env).toEqual(before);
  });
});

describe('queue pollers (the local SQS event source mapping)', () => {
  let herald: Awaited<ReturnType<typeof startTestHerald>>;
  let sqs: SQSClient;

  beforeAll(async () => {
    herald = await startTestHerald();
    sqs = new SQSClient({ endpoint: herald.endpoints.sqs });
  });
  afterAll(async () => {
    sqs?.destroy();
    await herald?.stop();
  });

  /** A queue with a 1 s visibility timeout whose messages move to a DLQ after `maxReceiveCount`. */
  async function queueWithDlq(maxReceiveCount: number) {
    const id = randomUUID().slice(0, 8);
    const rewrite = (url: string | undefined) =>
      new URL(new URL(url ?? '').pathname, herald.endpoints.sqs).href;
    const dlqUrl = rewrite((await sqs.send(new CreateQueueCommand({ QueueName: `t-${id}-dlq` }))).QueueUrl);
    const dlqArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    const queueUrl = rewrite(
      (
        await sqs.send(
          new CreateQueueCommand({
            QueueName: `t-${id}`,
            Attributes: {
              VisibilityTimeout: '1',
              RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
            },
          }),
        )
      ).QueueUrl,
    );
    const definition: QueueDefinition = {
      name: 'dispatch',
      envVar: 'TEST_QUEUE_URL',
      visibilityTimeoutSeconds: 1,
      maxReceiveCount,
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      workerTimeoutSeconds: 5,
      maxConcurrency: 1,
    };
    return { queueUrl, dlqUrl, definition };
  }

  async function drain(url: string): Promise<string[]> {
    const bodies: string[] = [];
    for (let i = 0; i < 3; i++) {
      const got = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      bodies.push(...(got.Messages ?? []).map((m) => m.Body ?? ''));
    }
    return bodies;
  }

  async function until(condition: () => boolean, what: string, limitMs = 15_000) {
    const deadline = Date.now() + limitMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('deletes what succeeded, redelivers reported failures, and moves exhausted messages to the DLQ', async () => {
    const { queueUrl, dlqUrl, definition } = await queueWithDlq(2);
    const seen: { body: string; receiveCount: string }[] = [];
    const poller = startQueuePoller({
      client: sqs,
      queueUrl,
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:test',
      definition,
      handler: async () => async (event: SQSEvent) => {
        for (const record of event.Records) {
          seen.push({ body: record.body, receiveCount: record.attributes.ApproximateReceiveCount });
          expect(record.eventSource).toBe('aws:sqs');
        }
        const failures = event.Records.filter(
          (r) =>
            r.body === 'fail-always' ||
            (r.body === 'fail-once' && r.attributes.ApproximateReceiveCount === '1'),
        );
        return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) };
      },
    });
    try {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: ['ok', 'fail-once', 'fail-always'].map((body, i) => ({
            Id: String(i),
            MessageBody: body,
          })),
        }),
      );
      await until(
        () => seen.filter((s) => s.body === 'fail-always').length >= 2,
        'two receives of fail-always',
      );
      await until(() => seen.filter((s) => s.body === 'fail-once').length >= 2, 'fail-once redelivered');
      // Give SQS time to redrive: the next receive after the visibility timeout moves it to the DLQ.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
    } finally {
      await poller.stop();
    }
    expect(seen.filter((s) => s.body === 'ok')).toHaveLength(1);
    expect(seen.filter((s) => s.body === 'fail-once').map((s) => s.receiveCount)).toEqual(['1', '2']);
    expect(seen.filter((s) => s.body === 'fail-always')).toHaveLength(2);
    expect(await drain(queueUrl)).toEqual([]);
    expect(await drain(dlqUrl)).toEqual(['fail-always']);
  });

  it('redelivers the whole batch when the worker throws', async () => {
    const { queueUrl, definition } = await queueWithDlq(5);
    const attempts: number[] = [];
    const poller = startQueuePoller({
      client: sqs,
      queueUrl,
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:test',
      definition,
      handler: async () => async (event: SQSEvent) => {
        attempts.push(event.Records.length);
        if (attempts.length === 1) throw new Error('worker crashed mid-batch');
        return { batchItemFailures: [] };
      },
      onError: () => {},
    });
    try {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: ['a', 'b'].map((body, i) => ({ Id: String(i), MessageBody: body })),
        }),
      );
      await until(() => attempts.reduce((sum, n) => sum + n, 0) >= 4, 'the batch delivered again');
    } finally {
      await poller.stop();
    }
    expect(attempts.reduce((sum, n) => sum + n, 0)).toBe(4);
    expect(await drain(queueUrl)).toEqual([]);
  });
});
