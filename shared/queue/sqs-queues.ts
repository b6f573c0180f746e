import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FanoutQueue } from '../domain/audience.ts';
import type { DispatchQueue } from '../domain/execution.ts';
import type { DeliveryQueue, StatusEventPublisher } from '../domain/webhook.ts';
import type { DispatchJob } from '../schemas/dispatch-job.ts';
import type { FanoutJob } from '../schemas/fanout-job.ts';
import type { DeliveryJob } from '../schemas/feedback-message.ts';
import { MAX_QUEUE_MESSAGE_BYTES } from '../schemas/limits.ts';
import { queueBody } from '../schemas/queue-body.ts';
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
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: queueBody(job) }));
  }

  async sendDelayed(jobs: readonly { job: DispatchJob; delaySeconds: number }[]): Promise<void> {
    await sendBatches(
      this.client,
      this.queueUrl,
      jobs.map(({ job, delaySeconds }) => ({ body: queueBody(job), delaySeconds })),
    );
  }
}

/** Fanout pages on the fanout queue. */
export class SqsFanoutQueue extends SqsQueue implements FanoutQueue {
  async send(jobs: readonly FanoutJob[], delaySeconds = 0): Promise<void> {
    await sendBatches(
      this.client,
      this.queueUrl,
      jobs.map((job) => ({ body: queueBody(job), delaySeconds })),
    );
  }
}

/**
 * Splits entries into SendMessageBatch calls of at most ten messages and MAX_QUEUE_MESSAGE_BYTES
 * together (SQS's limits for one batch).
 */
export function batchesOf<T extends { readonly body: string }>(entries: readonly T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (entry.body.length > MAX_QUEUE_MESSAGE_BYTES) {
      throw new Error(`a queue message of ${entry.body.length} bytes is over ${MAX_QUEUE_MESSAGE_BYTES}`);
    }
    if (current.length === 10 || bytes + entry.body.length > MAX_QUEUE_MESSAGE_BYTES) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.body.length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** SendMessageBatch, as few calls as SQS's limits allow, failing when SQS refuses any entry. */
async function sendBatches(
  client: SQSClient,
  queueUrl: string,
  entries: readonly { body: string; delaySeconds: number }[],
) {
  for (const batch of batchesOf(entries)) {
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
      events.map((event) => ({ body: queueBody(event), delaySeconds: 0 })),
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
        body: queueBody(job),
        delaySeconds: (job.notBefore - now.getTime()) / 1000,
      })),
    );
  }
}
