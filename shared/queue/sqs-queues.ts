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

export class SqsDispatchQueue implements DispatchQueue {
  private readonly client: SQSClient;
  private readonly queueUrl: string;

  constructor(client: SQSClient, queueUrl: string) {
    this.client = client;
    this.queueUrl = queueUrl;
  }

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
export class SqsFanoutQueue implements FanoutQueue {
  private readonly client: SQSClient;
  private readonly queueUrl: string;

  constructor(client: SQSClient, queueUrl: string) {
    this.client = client;
    this.queueUrl = queueUrl;
  }

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
export class SqsStatusEventPublisher implements StatusEventPublisher {
  private readonly client: SQSClient;
  private readonly queueUrl: string;

  constructor(client: SQSClient, queueUrl: string) {
    this.client = client;
    this.queueUrl = queueUrl;
  }

  async publish(events: readonly StatusEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += 10) {
      const batch = events.slice(start, start + 10);
      const result = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((event, index) => ({ Id: String(index), MessageBody: JSON.stringify(event) })),
        }),
      );
      if ((result.Failed ?? []).length > 0) {
        throw new Error(`feedback queue refused ${result.Failed?.length} of ${batch.length} events`);
      }
    }
  }
}

/** Delivery jobs on the feedback queue, each delayed until its `notBefore` (up to 15 minutes). */
export class SqsDeliveryQueue implements DeliveryQueue {
  private readonly client: SQSClient;
  private readonly queueUrl: string;

  constructor(client: SQSClient, queueUrl: string) {
    this.client = client;
    this.queueUrl = queueUrl;
  }

  async send(jobs: readonly DeliveryJob[], now: Date): Promise<void> {
    for (let start = 0; start < jobs.length; start += 10) {
      const batch = jobs.slice(start, start + 10);
      const result = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((job, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(job),
            DelaySeconds: Math.min(
              MAX_DELAY_SECONDS,
              Math.max(0, Math.ceil((job.notBefore - now.getTime()) / 1000)),
            ),
          })),
        }),
      );
      if ((result.Failed ?? []).length > 0) {
        throw new Error(`feedback queue refused ${result.Failed?.length} of ${batch.length} delivery jobs`);
      }
    }
  }
}
