import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { feedbackWorker } from '../../functions/workers/feedback.ts';
import type { DeliveryStore, WebhookStore } from '../../shared/domain/webhook.ts';
import {
  FAILED_RECORDS_METRIC,
  MalformedJobError,
  METRICS_NAMESPACE,
  sqsWorker,
  type WorkerLog,
} from '../../shared/queue/sqs-worker.ts';
import type { DeliveryJob } from '../../shared/schemas/feedback-message.ts';
import * as z from '../../shared/schemas/zod.ts';
import { createTelemetry, type Telemetry } from '../../shared/telemetry.ts';
import type { DeliveryDeps } from '../../shared/use-cases/deliver.ts';

/**
 * The SQS worker shell with fixture events: which records it reports as failed, and what it logs
 * about each (through a real Powertools logger, whose JSON lines are read back).
 */
const context = { functionName: 'herald-feedback', awsRequestId: 'req-1' } as Context;

function record(messageId: string, body: string, receiveCount = 1): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '0',
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:feedback',
    awsRegion: 'us-east-1',
  };
}

const deliveryJob = (webhookId: string): DeliveryJob => ({
  kind: 'delivery',
  sandbox: 'sb',
  webhookId,
  eventId: 'm1:1',
  attempt: 1,
  step: 1,
  notBefore: 0,
});

/** Feedback-worker ports: the webhook `broken` cannot be read; every other one was deleted. */
function feedbackDeps(): DeliveryDeps {
  const webhooks: Partial<WebhookStore> = {
    get: async (_sandbox, id) => {
      if (id === 'broken') throw new Error('table unavailable', { cause: new Error('throttled') });
      return undefined;
    },
  };
  const deliveries: Partial<DeliveryStore> = { get: async () => undefined };
  return {
    webhooks: webhooks as WebhookStore,
    subscribers: async () => [],
    deliveries: deliveries as DeliveryStore,
    deliveryQueue: { send: async () => {} },
    sender: { post: async () => ({ durationMs: 0 }), close: () => {} },
    clock: { now: () => new Date('2030-01-01T00:00:00Z') },
    policy: { schedule: [0], timeoutMs: 1_000, disableAfterMs: 60_000 },
    imsOrg: null,
  };
}

/** Runs `action` with a worker telemetry whose log lines (Powertools JSON, ERROR and up) are kept. */
async function capturingLogs<T>(
  action: (telemetry: Telemetry) => Promise<T>,
): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const written: string[] = [];
  const telemetry = createTelemetry(
    { HERALD_LOG_LEVEL: 'ERROR', HERALD_LOG_FORMAT: 'json' },
    { logs: (line) => void written.push(line), metrics: () => {} },
  );
  const result = await action(telemetry);
  return { result, lines: written.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('the SQS worker shell', () => {
  it("logs each failed record's SQS message id and reason as Powertools JSON, and reports only those", async () => {
    const event: SQSEvent = {
      Records: [
        record('ok-1', JSON.stringify(deliveryJob('deleted'))),
        record('store-down', JSON.stringify(deliveryJob('broken')), 3),
        record('not-json', 'ann@example.com is not JSON'),
        record('not-a-job', JSON.stringify({ ...deliveryJob('x'), attempt: 0, webhookId: 7 })),
        record('ok-2', JSON.stringify(deliveryJob('deleted'))),
      ],
    };
    const { result, lines } = await capturingLogs((telemetry) =>
      sqsWorker({ ...feedbackWorker, deps: feedbackDeps, telemetry })(event, context),
    );

    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([
      'not-a-job',
      'not-json',
      'store-down',
    ]);
    expect(lines).toHaveLength(3);
    const byId = new Map(lines.map((line) => [line.sqsMessageId, line]));
    const storeDown = byId.get('store-down');
    expect(storeDown).toMatchObject({
      level: 'ERROR',
      service: 'herald',
      message: expect.stringContaining('feedback message failed'),
      receiveCount: 3,
      error: {
        name: 'Error',
        message: 'table unavailable',
        stack: expect.stringContaining('at deliverJob'),
        cause: { message: 'throttled' },
      },
    });
    expect(byId.get('not-json')).toMatchObject({
      error: { name: 'MalformedJobError', message: 'the feedback message is not JSON' },
    });
    // The body is never logged: JSON.parse's own message would have quoted it.
    expect(JSON.stringify(byId.get('not-json'))).not.toContain('ann@example.com');
    expect(byId.get('not-a-job')).toMatchObject({
      error: {
        name: 'MalformedJobError',
        message: expect.stringMatching(
          /^the feedback message is not valid: .*webhookId: Invalid input: expected string.*; attempt: /,
        ),
      },
    });
  });

  it('reports a batch whose every record failed, without throwing', async () => {
    const failures: unknown[] = [];
    const log: WorkerLog = { error: (_message, attributes) => void failures.push(attributes) };
    const handler = sqsWorker({ ...feedbackWorker, deps: feedbackDeps, log });
    const result = await handler({ Records: [record('a', '{}'), record('b', '[')] }, context);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }]);
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ sqsMessageId: 'a', error: expect.any(MalformedJobError) });
  });

  it('keeps concurrent invocations apart (the local runtime runs up to four batches of one worker)', async () => {
    // The second batch starts, fails and ends while the first is still running: a processor shared
    // between invocations would lose the first batch's failure or report it in the second's answer.
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handler = sqsWorker({
      name: 'test job',
      queue: 'dispatch',
      schema: z.object({ id: z.string(), wait: z.boolean(), fail: z.boolean() }),
      deps: () => ({}),
      log: { error: () => {} },
      process: async (_deps, job) => {
        if (job.wait) await gate;
        if (job.fail) throw new Error(`job ${job.id} failed`);
      },
    });
    const body = (id: string, wait: boolean, fail: boolean) => JSON.stringify({ id, wait, fail });
    const first = handler(
      { Records: [record('1a', body('1a', true, true)), record('1b', body('1b', false, false))] },
      context,
    );
    const second = await handler(
      { Records: [record('2a', body('2a', false, true)), record('2b', body('2b', false, false))] },
      context,
    );
    release();
    expect(second.batchItemFailures).toEqual([{ itemIdentifier: '2a' }]);
    expect((await first).batchItemFailures).toEqual([{ itemIdentifier: '1a' }]);
  });

  it('builds its adapters once per container, at the first record', async () => {
    let built = 0;
    const handler = sqsWorker({
      name: 'test job',
      schema: z.object({}),
      deps: () => ({ n: ++built }),
      queue: 'dispatch',
      log: { error: () => {} },
      process: async () => {},
    });
    expect(built).toBe(0);
    await handler({ Records: [record('a', '{}'), record('b', '{}')] }, context);
    await handler({ Records: [record('c', '{}')] }, context);
    expect(built).toBe(1);
  });

  it('writes one FailedRecords EMF document per batch with failures, counting them, under its queue', async () => {
    // The metrics sink seam: the EMF documents the shell would write to stdout on Lambda.
    const documents: string[] = [];
    const telemetry = createTelemetry(
      { HERALD_LOG_LEVEL: 'SILENT', HERALD_LOG_FORMAT: 'json' },
      { metrics: (document) => void documents.push(document) },
    );
    const handler = sqsWorker({ ...feedbackWorker, deps: feedbackDeps, log: { error: () => {} }, telemetry });
    const failing = {
      result: await handler(
        {
          Records: [
            record('ok', JSON.stringify(deliveryJob('deleted'))),
            record('store-down', JSON.stringify(deliveryJob('broken'))),
            record('not-json', '['),
          ],
        },
        context,
      ),
      lines: documents.splice(0).map((line) => JSON.parse(line) as Record<string, unknown>),
    };
    expect(failing.result.batchItemFailures).toHaveLength(2);
    expect(failing.lines).toHaveLength(1);
    const emf = failing.lines[0] as {
      _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: unknown[] }[] };
    } & Record<string, unknown>;
    expect(emf._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: METRICS_NAMESPACE,
        Dimensions: [['service', 'queue']],
        Metrics: [{ Name: FAILED_RECORDS_METRIC, Unit: 'Count' }],
      },
    ]);
    expect(emf).toMatchObject({ service: 'herald', queue: 'feedback', [FAILED_RECORDS_METRIC]: 2 });

    // A clean batch writes nothing (no empty document, no "no metrics" warning).
    const clean = await handler({ Records: [record('ok', JSON.stringify(deliveryJob('deleted')))] }, context);
    expect(clean.batchItemFailures).toEqual([]);
    expect(documents).toEqual([]);
  });
});
