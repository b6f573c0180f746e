import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { QueueDefinition } from '../../shared/definitions/queues.ts';
import { invokeWithTimeout } from './lambda-context.ts';

export type SqsLambda = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface QueuePoller {
  stop(): Promise<void>;
}

/** Converts a received message to the record shape Lambda's SQS event source delivers. */
export function toSqsRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          dataType: value.DataType ?? 'String',
          ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
          stringListValues: value.StringListValues ?? [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

/**
 * Lambda's SQS event source mapping, locally: long-polls the queue (with up to `maxConcurrency`
 * batches in flight), invokes the worker with a real
 * SQS event, deletes what succeeded, and leaves reported failures (or the whole batch when the
 * worker throws or times out) to reappear after the visibility timeout and, past the receive
 * limit, move to the DLQ.
 *
 * One ReceiveMessage at a time per queue: a loop takes its turn to receive, hands the turn on as
 * soon as the receive returns, and works its batch while the next loop receives. The embedded
 * engine wakes every waiting long poll when one message arrives, and all but one came back empty
 * (with four loops, about one empty receive per message sent): a call each for nothing, on the
 * core the handlers share (ADR 0034). Batches still run side by side, as many as the loops.
 *
 * And while a batch is being worked and the last receive was not a full batch (no backlog), the
 * next receive waits until a batch finishes, at most `gatherMs` (100 ms): the messages that arrive
 * meanwhile come as one batch (one receive, one delete, one invocation whose jobs read together)
 * instead of one each. A full batch means a backlog: then the loops receive without waiting. A
 * batch that hangs or is slow (an SMTP server, a paced SMS, a slow webhook) holds the next receive
 * back 100 ms at most. On AWS the event source mapping polls as it does; this is local only.
 */
export function startQueuePoller(options: {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  definition: QueueDefinition;
  handler: () => Promise<SqsLambda>;
  onError?: (error: unknown) => void;
  /** Most batches in flight on this machine, whatever the definition allows on AWS. @default 4 */
  maxLocalConcurrency?: number;
  /** How long a receive waits for a batch in flight to finish when there is no backlog. @default 100 */
  gatherMs?: number;
}): QueuePoller {
  const { client, queueUrl, definition } = options;
  const abort = new AbortController();
  let running = true;

  const gatherMs = options.gatherMs ?? 100;
  // Batches being worked, whether the last receive was full, and who waits for either to change.
  let working = 0;
  let backlog = false;
  const waiting: (() => void)[] = [];
  const changed = () => {
    for (const wake of waiting.splice(0)) wake();
  };
  const batchFinishedOrGathered = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(wake, gatherMs);
      function wake() {
        clearTimeout(timer);
        resolve();
      }
      waiting.push(wake);
    });

  // The receive turn: the loop holding it is the only one with a ReceiveMessage in flight.
  let turn: Promise<void> = Promise.resolve();
  const receive = async () => {
    const previous = turn;
    let release = () => {};
    turn = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      if (working > 0 && !backlog && running) await batchFinishedOrGathered();
      if (!running) return [];
      const received = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: definition.batchSize,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: abort.signal },
      );
      const messages = received.Messages ?? [];
      backlog = messages.length >= definition.batchSize;
      return messages;
    } finally {
      release();
    }
  };

  const pollOnce = async () => {
    const messages = await receive();
    if (messages.length === 0) return;
    working++;
    try {
      await work(messages);
    } finally {
      working--;
      changed();
    }
  };

  const work = async (messages: Message[]) => {
    const event: SQSEvent = { Records: messages.map((m) => toSqsRecord(m, options.queueArn)) };
    let failed: Set<string>;
    try {
      const handler = await options.handler();
      const result = await invokeWithTimeout(
        `herald-${definition.name}`,
        definition.workerTimeoutSeconds * 1000,
        (ctx) => handler(event, ctx),
      );
      failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (error) {
      options.onError?.(error);
      return;
    }
    const done = messages.filter((m) => m.MessageId && !failed.has(m.MessageId));
    for (let start = 0; start < done.length; start += 10) {
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done
            .slice(start, start + 10)
            .map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  };

  // As many loops as the event source's maximum concurrency: that many batches in flight at once.
  const loop = Promise.all(
    Array.from(
      { length: Math.max(1, Math.min(definition.maxConcurrency, options.maxLocalConcurrency ?? 4)) },
      async () => {
        while (running) {
          try {
            await pollOnce();
          } catch (error) {
            if (!running) break;
            options.onError?.(error);
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        }
      },
    ),
  );

  return {
    async stop() {
      running = false;
      abort.abort();
      await loop;
    },
  };
}
