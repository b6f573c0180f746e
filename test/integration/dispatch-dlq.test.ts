import {
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald } from './harness.ts';

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

describe('the dispatch worker', () => {
  it('fails a job it cannot process on every delivery, and SQS moves it to the DLQ once its receives run out', async () => {
    const queueUrl = herald.queueUrls.DISPATCH_QUEUE_URL ?? '';
    const dlqUrl = herald.queueUrls.DISPATCH_QUEUE_DLQ_URL ?? '';
    // The real queue with its real redrive policy; only the visibility timeout is shortened.
    await sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { VisibilityTimeout: '1' } }),
    );
    const poison = JSON.stringify({ kind: 'unitary', sandbox: 'nowhere' });
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: poison }));
    const deadline = Date.now() + 30_000;
    let landed: string | undefined;
    while (!landed && Date.now() < deadline) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1 }));
      landed = got.Messages?.[0]?.Body;
    }
    expect(landed).toBe(poison);
  });
});
