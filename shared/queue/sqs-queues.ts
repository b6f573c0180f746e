import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type {
  DeliveryJob,
  DeliveryQueue,
  DispatchJob,
  DispatchQueue,
  FanoutJob,
  FanoutQueue,
  StatusEventPublisher,
} from '../ports.ts';
import type { StatusEvent } from '../schemas/status-event.ts';

/** SQS delays a message at most 15 minutes; longer waits are chained by the workers. */
const MAX_DELAY_SECONDS = 900;

/** What every queue adapter holds: the client and its queue's URL. */
abstract class SqsQueue {
  protected readonly client: SQSClient;
  protected readonly queueUrl: string;

  constructor(client: SQSClient, queueUrl: string) {
    this.client = client;
    this.queueUrl = queueUrl;
  }
}

export class SqsDispatchQueue extends SqsQueue implements DispatchQueue {
  async send(job: DispatchJob): Promise<void> {
    await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(job) }),
    );
  }

  async sendDelayed(jobs: readonly { job: DispatchJob; delaySeconds: number }[]): Promise<void> {
    await sendBatches(
      this.client,
      this.queueUrl,
      jobs.map(({ job, delaySeconds }) => ({ body: JSON.stringify(job), delaySeconds })),
    );
  }
}

/** Fanout pages on the fanout queue. */
export class SqsFanoutQueue extends SqsQueue implements FanoutQueue {
  async send(jobs: readonly FanoutJob[], delaySeconds = 0): Promise<void> {
    await sendBatches(
      this.client,
      this.queueUrl,
      jobs.map((job) => ({ body: JSON.stringify(job), delaySeconds })),
    );
  }
}

/** SendMessageBatch, ten at a time, failing when SQS refuses any entry. */
async function sendBatches(
  client: SQSClient,
  queueUrl: string,
  entries: readonly { body: string; delaySeconds: number }[],
) {
  for (let start = 0; start < entries.length; start += 10) {
    const batch = entries.slice(start, start + 10);
    const result = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((entry, index) => ({
          Id: String(index),
          MessageBody: entry.body,
          DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(entry.delaySeconds))),
        })),
      }),
    );
    if ((result.Failed ?? []).length > 0)
      throw new Error(`SQS refused ${result.Failed?.length} of ${batch.length} messages`);
  }
}

/** Publishes status events to the feedback queue, ten to a batch, failing if any entry failed. */
export class SqsStatusEventPublisher extends SqsQueue implements StatusEventPublisher {
  async publish(events: readonly StatusEvent[]): Promise<void> {
    await sendBatches(
      this.client,
      this.queueUrl,
      events.map((event) => ({ body: JSON.stringify(event), delaySeconds: 0 })),
    );
  }
}

/** Delivery jobs on the feedback queue, each delayed until its `notBefore` (up to 15 minutes). */
export class SqsDeliveryQueue extends SqsQueue implements DeliveryQueue {
  async send(jobs: readonly DeliveryJob[], now: Date): Promise<void> {
    await sendBatches(
      this.client,
      this.queueUrl,
      jobs.map((job) => ({
        body: JSON.stringify(job),
        delaySeconds: (job.notBefore - now.getTime()) / 1000,
      })),
    );
  }
}
