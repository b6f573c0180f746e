/**
 * The SQS queues, described once for the CDK stack and the local runtime's queues and pollers.
 * Every queue has a dead-letter queue; every consumer reports partial batch failures. Which function
 * consumes a queue, and which send to it, is in the function table (functions.ts).
 */
export interface QueueDefinition {
  /** Short name; the environment variable holding the URL is `${envPrefix}_QUEUE_URL`. */
  readonly name: 'dispatch' | 'feedback' | 'fanout' | 'provider-events';
  readonly envVar: string;
  /** Seconds a received message stays hidden; must exceed the worker's timeout. */
  readonly visibilityTimeoutSeconds: number;
  /** Receives before SQS moves the message to the DLQ. */
  readonly maxReceiveCount: number;
  readonly batchSize: number;
  /** Seconds the event source waits to fill a batch (0 = send at once). */
  readonly maxBatchingWindowSeconds: number;
  /** The worker's timeout in seconds. */
  readonly workerTimeoutSeconds: number;
  /**
   * Batches processed at once on AWS (the event source's maximum concurrency). The local runtime
   * polls with at most 4 at once (its pollers' maxLocalConcurrency): one machine, one embedded engine.
   */
  readonly maxConcurrency: number;
}

export const queueDefinitions: readonly QueueDefinition[] = [
  {
    name: 'dispatch',
    envVar: 'DISPATCH_QUEUE_URL',
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 5,
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    workerTimeoutSeconds: 30,
    // 100 × 10 jobs × 20 messages a batch: room for the design's 100,000 messages/s.
    maxConcurrency: 100,
  },
  {
    name: 'feedback',
    envVar: 'FEEDBACK_QUEUE_URL',
    // Deliveries of a batch run together, each up to the 15 s receiver timeout.
    visibilityTimeoutSeconds: 360,
    // Only crashes count here: a failed delivery is retried as a new, delayed message.
    maxReceiveCount: 10,
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    workerTimeoutSeconds: 60,
    maxConcurrency: 50,
  },
  {
    name: 'fanout',
    envVar: 'FANOUT_QUEUE_URL',
    // One page of 100 members a job; pages of different shards run in parallel (16 shards).
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 5,
    batchSize: 1,
    maxBatchingWindowSeconds: 0,
    workerTimeoutSeconds: 30,
    // One page of each of the 16 membership shards at a time.
    maxConcurrency: 16,
  },
  {
    // SES feedback (configuration set → SNS → this queue): each record one SES event.
    name: 'provider-events',
    envVar: 'PROVIDER_EVENTS_QUEUE_URL',
    // An event that raced dispatch's own write is retried after this: short, the race is.
    visibilityTimeoutSeconds: 60,
    // Five tries over about five minutes for an event about a message still queued; unknown and
    // malformed events succeed (dropped), so only those and crashes reach the DLQ.
    maxReceiveCount: 5,
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    workerTimeoutSeconds: 10,
    // A few events per message sent: a fraction of dispatch's concurrency keeps up.
    maxConcurrency: 20,
  },
];

export function dlqName(queue: QueueDefinition): string {
  return `${queue.name}-dlq`;
}
