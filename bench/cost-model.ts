import { functionNamed } from '../shared/definitions/functions.ts';
import { queueDefinitions } from '../shared/definitions/queues.ts';
import { FANOUT_PAGE_MEMBERS, fanOutPageCalls, pinnedCalls, RECIPIENTS_PER_CALL } from './call-counts.ts';

/**
 * What a million messages cost on AWS, path by path, from the calls the call-count test pins
 * (bench/call-counts.ts), the item and message sizes `npm run cost:sizes` measures, the memory of
 * each function in the function table, and list prices. Pure: `npm run cost` prints it and
 * test/unit/cost.test.ts checks docs/cost.md shows what it prints.
 */

/** AWS list prices, us-east-1, first tier, as of 2026-12-03 (see docs/cost.md for the sources). */
export const PRICES = {
  /** HTTP API, per request (first 300 M a month; metered per 512 KB). */
  apiRequest: 1.0 / 1e6,
  /** Lambda, per invocation. */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda arm64, per GB-second (first 7.5 billion GB-s a month). */
  lambdaArmGbSecond: 0.0000133334,
  /** DynamoDB on-demand, per write request unit (1 KB; twice in a transaction). */
  writeUnit: 0.625 / 1e6,
  /** DynamoDB on-demand, per read request unit (4 KB strongly consistent; half eventually). */
  readUnit: 0.125 / 1e6,
  /** SQS standard, per request (each 64 KB of payload is one request). */
  sqsRequest: 0.4 / 1e6,
  /** SES, per email sent (outbound, no attachments). */
  sesEmail: 0.1 / 1000,
  /**
   * SNS standard topic, per publish (each 64 KB one): SES publishes each event to the
   * configuration set's topic; delivery from SNS to SQS is not charged.
   */
  snsPublish: 0.5 / 1e6,
} as const;

/**
 * Item and message sizes in bytes, measured by `npm run cost:sizes` (bench/item-sizes.ts) on
 * 2026-12-03: a 20-recipient call with a 6-digit code in each recipient's context.
 */
export const SIZES = {
  identity: 197,
  profile: 321,
  /**
   * A message item once sent and delivered (three statuses in its history), with its
   * `profileMessages` index keys (ADR 0029; 494 B before them), measured again on 2026-12-04.
   */
  message: 629,
  execution: 402,
  /** The claim during the trigger, its 20-recipient dispatch job inside (done: 500 B). */
  claimWithJobs: 4590,
  claimDone: 500,
  /** The sandbox provider's copy of a sent message. */
  outbox: 387,
  webhook: 389,
  /** A delivery record: the signed payload and its state. */
  delivery: 1228,
  attempt: 272,
  audienceMember: 150,
  /** A 20-recipient dispatch job on the queue. */
  dispatchJob: 4258,
  /** A status event or delivery job on the feedback queue (the largest seen). */
  feedbackMessage: 541,
} as const;

/**
 * Billed Lambda time per invocation, in ms: estimates, not measurements (nothing here runs on
 * AWS). Each is the pinned calls' sequential round trips at a few ms each (DynamoDB ~4 ms a
 * call, ~8 ms a batch or transaction; SQS ~8 ms), plus the CPU the bench profiles show. A batch's
 * records run side by side, so a batch of jobs costs little more than its slowest job.
 */
export const DURATIONS_MS = {
  unitaryCall: 35,
  highThroughputCall: 12,
  /** One 20-recipient dispatch job: 3 reads, render, 20 sends side by side (SES ~40 ms), 40 writes. */
  dispatchJob: 90,
  /** One fanout page of 100 members. */
  fanoutPage: 80,
  /** A status event's fan-out: the record written before its first attempt. */
  fanOutEvent: 15,
  /** One SES event: two reads, the update and the status event's publish, one after another. */
  sesEvent: 25,
  /** An attempt: the POST (a receiver answering in ~100 ms) and its batch write (and, for a job, two reads). */
  delivery: 125,
} as const;

const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
const readChunks = (bytes: number) => Math.max(1, Math.ceil(bytes / 4096));
const sqsChunks = (bytes: number) => Math.max(1, Math.ceil(bytes / 65536));

/** What one unit of work (a call, a job, an event) consumes. */
export interface Usage {
  apiRequests: number;
  lambdaInvocations: number;
  gbSeconds: number;
  writeUnits: number;
  readUnits: number;
  sqsRequests: number;
  snsPublishes: number;
  emails: number;
}

const none = (): Usage => ({
  apiRequests: 0,
  lambdaInvocations: 0,
  gbSeconds: 0,
  writeUnits: 0,
  readUnits: 0,
  sqsRequests: 0,
  snsPublishes: 0,
  emails: 0,
});

function add(...parts: Partial<Usage>[]): Usage {
  const total = none();
  for (const part of parts)
    for (const key of Object.keys(total) as (keyof Usage)[]) total[key] += part[key] ?? 0;
  return total;
}

function scale(usage: Usage, factor: number): Usage {
  const scaled = none();
  for (const key of Object.keys(scaled) as (keyof Usage)[]) scaled[key] = usage[key] * factor;
  return scaled;
}

/** `ms` of billed time of a function of the function table, at its memory, over `invocations`. */
function lambda(functionName: string, ms: number, invocations: number): Partial<Usage> {
  return {
    lambdaInvocations: invocations,
    gbSeconds: (functionNamed(functionName).memoryMb / 1024) * (ms / 1000),
  };
}

function batchSize(queueName: string): number {
  const queue = queueDefinitions.find((q) => q.name === queueName);
  if (!queue) throw new Error(`no queue ${queueName}`);
  return queue.batchSize;
}

/**
 * One record's share of its worker: the event source's receive and delete (one each per batch)
 * and of the invocation; `ms` is the record's share of the billed time.
 */
function worker(functionName: string, queueName: string, ms: number): Partial<Usage> {
  const size = batchSize(queueName);
  return { ...lambda(functionName, ms, 1 / size), sqsRequests: 2 / size };
}

/** Counts the pinned calls of a kind, so a change of the pinned sequence changes the price. */
const count = (calls: readonly string[], command: string) =>
  calls.filter((c) => c === `dynamodb:${command}`).length;

/** The dispatch of one 20-recipient job: `reads` (pinned), then the pinned per-message writes. */
function dispatchJob(reads: readonly string[], { profiles }: { profiles: boolean }): Usage {
  if (count(reads, 'BatchGetItemCommand') !== 1) throw new Error('the pinned reads changed');
  // Strongly consistent batched reads, each item at least one unit: messages (and profiles), and
  // the suppression keys (absent items cost a unit too). The default configuration read is once
  // per container: left out.
  const readUnits = RECIPIENTS_PER_CALL * (profiles ? 2 : 1) + RECIPIENTS_PER_CALL;
  // One provider copy a message, in one batch write for the job (units per item, as a Put).
  if (count(pinnedCalls.dispatchWrites, 'BatchWriteItemCommand') !== 1)
    throw new Error('the pinned dispatch writes changed');
  const puts = RECIPIENTS_PER_CALL;
  const updates = count(pinnedCalls.dispatchWrites, 'UpdateItemCommand');
  return add(
    // Billed as if the batch's jobs ran one after another (their CPU does; their waits overlap).
    worker('dispatch-worker', 'dispatch', DURATIONS_MS.dispatchJob),
    {
      readUnits,
      // The provider's copy (SES: the send claim, an update of the message: the same unit) and
      // the status update, each under 1 KB.
      writeUnits: puts * kb(SIZES.outbox) + updates * kb(SIZES.message),
      emails: RECIPIENTS_PER_CALL,
    },
  );
}

/** One 20-recipient unitary call, sent. */
export function unitaryCall(): Usage {
  const calls = pinnedCalls.unitaryTrigger;
  const transaction =
    2 * (kb(SIZES.claimWithJobs) + kb(SIZES.execution) + RECIPIENTS_PER_CALL * kb(SIZES.message));
  // The `due` index projects ALL: the pending claim is copied in, and removed when done.
  const dueIndex = 2 * kb(SIZES.claimWithJobs);
  // The keys-only `profileMessages` index: one entry (under 1 KB) a message to a profile, written
  // once with the message; status updates change no key and write nothing to it (ADR 0029).
  const profileIndex = RECIPIENTS_PER_CALL;
  return add(
    { apiRequests: 1 },
    lambda('executions-api', DURATIONS_MS.unitaryCall, 1),
    {
      readUnits: count(calls, 'BatchGetItemCommand') * RECIPIENTS_PER_CALL * readChunks(SIZES.identity),
      writeUnits: transaction + kb(SIZES.claimWithJobs) + dueIndex + profileIndex,
      sqsRequests: sqsChunks(SIZES.dispatchJob),
    },
    dispatchJob(pinnedCalls.unitaryDispatchReads, { profiles: true }),
  );
}

/** One 20-recipient high-throughput call, sent. */
export function highThroughputCall(): Usage {
  return add(
    { apiRequests: 1 },
    lambda('executions-api', DURATIONS_MS.highThroughputCall, 1),
    { sqsRequests: pinnedCalls.highThroughputCall.length * sqsChunks(SIZES.dispatchJob) },
    // The dispatcher writes the execution and its messages in one transaction.
    { writeUnits: 2 * (kb(SIZES.execution) + RECIPIENTS_PER_CALL * kb(SIZES.message)) },
    dispatchJob(pinnedCalls.highThroughputDispatchReads, { profiles: false }),
  );
}

/** One fanout page of 100 members, and the dispatch of its 5 jobs. */
export function audiencePage(): Usage {
  const calls = fanOutPageCalls(FANOUT_PAGE_MEMBERS, { last: false });
  const members = FANOUT_PAGE_MEMBERS;
  const jobs = members / RECIPIENTS_PER_CALL;
  return add(
    worker('fanout-worker', 'fanout', DURATIONS_MS.fanoutPage),
    {
      // The run and the ledger (twice), strongly consistent; the page of members in one query.
      readUnits: count(calls, 'GetItemCommand') + readChunks(members * SIZES.audienceMember) + 2 * members,
      // The slot reservation and one conditional write per member, each with its entry in the
      // keys-only `profileMessages` index (every member is a profile; ADR 0029).
      writeUnits:
        count(calls, 'UpdateItemCommand') + count(calls, 'PutItemCommand') * (kb(SIZES.message) + 1),
      // The dispatch jobs in one batch (one request per 64 KB of it), and the next page.
      sqsRequests: sqsChunks(jobs * SIZES.dispatchJob) + 1,
    },
    scale(dispatchJob(pinnedCalls.unitaryDispatchReads, { profiles: true }), jobs),
  );
}

/** One status event delivered to one webhook at the first attempt. */
export function webhookEvent(): Usage {
  const calls = pinnedCalls.webhookFanOut;
  if (calls.some((c) => c.startsWith('sqs:')))
    throw new Error('the pinned fan-out queues again: price its job');
  return add(
    // Published by dispatch in batches of 10 (one request per 64 KB).
    { sqsRequests: 1 / 10 },
    // The fan-out and its first attempt, the POST waiting side by side with the batch's others.
    worker(
      'feedback-worker',
      'feedback',
      (DURATIONS_MS.fanOutEvent + DURATIONS_MS.delivery) / batchSize('feedback'),
    ),
    {
      // The look for the delivery record (a strongly consistent read of an absent item: one read
      // unit, in a batched read), then the record (it holds the payload) and the attempt in a
      // batch write (its share of the call; no transaction's double units). The webhook comes
      // from the container's cache.
      readUnits: count(calls, 'BatchGetItemCommand'),
      writeUnits: count(calls, 'BatchWriteItemCommand') * (kb(SIZES.delivery) + kb(SIZES.attempt)),
    },
  );
}

/** A delivery job (a retry, a resend, a recovery) that is delivered: not on the happy path. */
export function deliveryJob(): Usage {
  const calls = pinnedCalls.webhookDelivery;
  return add(worker('feedback-worker', 'feedback', DURATIONS_MS.delivery / batchSize('feedback')), {
    sqsRequests: 1,
    readUnits: count(calls, 'GetItemCommand') * readChunks(Math.max(SIZES.webhook, SIZES.delivery)),
    writeUnits: count(calls, 'BatchWriteItemCommand') * (kb(SIZES.delivery) + kb(SIZES.attempt)),
  });
}

/**
 * One SES event about a sent email (a Delivery; a delivered message gives two, Send and Delivery),
 * from SES through the configuration set's SNS topic to the provider-events queue: recorded on the
 * message and, when the run enables webhooks, published as a status event (its webhook delivery
 * is the `webhook event` path).
 */
export function sesEvent(): Usage {
  const calls = pinnedCalls.sesEvent;
  return add(
    { snsPublishes: 1 },
    worker('provider-events-worker', 'provider-events', DURATIONS_MS.sesEvent / batchSize('provider-events')),
    {
      // The message and its execution, strongly consistent, each under 4 KB; the change
      // appended to the message (under 1 KB); the status event, one SendMessageBatch of one.
      readUnits: count(calls, 'GetItemCommand'),
      writeUnits: count(calls, 'UpdateItemCommand') * kb(SIZES.message),
      sqsRequests: calls.filter((c) => c.startsWith('sqs:')).length * sqsChunks(SIZES.feedbackMessage),
    },
  );
}

/** Dollars of each part of a usage. */
export function dollars(usage: Usage) {
  const lambdaCost =
    usage.lambdaInvocations * PRICES.lambdaRequest + usage.gbSeconds * PRICES.lambdaArmGbSecond;
  const parts = {
    api: usage.apiRequests * PRICES.apiRequest,
    lambda: lambdaCost,
    dynamodb: usage.writeUnits * PRICES.writeUnit + usage.readUnits * PRICES.readUnit,
    sqs: usage.sqsRequests * PRICES.sqsRequest + usage.snsPublishes * PRICES.snsPublish,
    ses: usage.emails * PRICES.sesEmail,
  };
  return { ...parts, total: Object.values(parts).reduce((a, b) => a + b, 0) };
}

/** The priced paths, each per message (or per event) it carries. */
export function paths() {
  return [
    { name: 'unitary recipient', per: 'message', usage: scale(unitaryCall(), 1 / RECIPIENTS_PER_CALL) },
    {
      name: 'high-throughput call',
      per: 'message',
      usage: scale(highThroughputCall(), 1 / RECIPIENTS_PER_CALL),
    },
    { name: 'audience member', per: 'message', usage: scale(audiencePage(), 1 / FANOUT_PAGE_MEMBERS) },
    { name: 'webhook event', per: 'event', usage: webhookEvent() },
    { name: 'SES event', per: 'event', usage: sesEvent() },
  ];
}

/** The design peak: 5,000 calls/s × 20 recipients, ~2 status events per message. */
export const PEAK = { callsPerSecond: 5000, recipients: RECIPIENTS_PER_CALL, eventsPerMessage: 2 } as const;

/**
 * Default account and resource limits the peak meets first (us-east-1, as documented by AWS on
 * 2026-12-03; all but the partition's are adjustable).
 */
export const LIMITS = {
  /** HTTP API: requests/s per account and region (burst 5,000). */
  apiRequestsPerSecond: 10_000,
  /** Lambda concurrent executions per account and region. */
  lambdaConcurrency: 1_000,
  /** DynamoDB on-demand: per table, write and read request units/s (the account's table quota). */
  tableWriteUnitsPerSecond: 40_000,
  tableReadUnitsPerSecond: 40_000,
  /** One partition: write and read units/s (not adjustable). */
  partitionWriteUnits: 1_000,
  partitionReadUnits: 3_000,
  /** SES: a new production account's sending rate (raised on request). */
  sesEmailsPerSecond: 14,
  /** SQS standard: messages in flight per queue. */
  sqsInFlight: 120_000,
} as const;

/** Lambda concurrency of a worker: batches per second × seconds per batch. */
function workerConcurrency(queueName: string, recordsPerSecond: number, batchSeconds: number) {
  return (recordsPerSecond / batchSize(queueName)) * batchSeconds;
}

/** The most records/s the queue's event source lets through: max concurrency × batch / batch time. */
function workerCeiling(queueName: string, batchSeconds: number) {
  const queue = queueDefinitions.find((q) => q.name === queueName);
  if (!queue) throw new Error(`no queue ${queueName}`);
  return (queue.maxConcurrency * queue.batchSize) / batchSeconds;
}

/** What the peak needs, for triggers of one mode, with or without one webhook taking every event. */
export function peak(mode: 'unitary' | 'high-throughput', webhooks: boolean) {
  const call = mode === 'unitary' ? unitaryCall() : highThroughputCall();
  const messages = PEAK.callsPerSecond * PEAK.recipients;
  const events = webhooks ? messages * PEAK.eventsPerMessage : 0;
  const perSecond = add(scale(call, PEAK.callsPerSecond), scale(webhookEvent(), events));
  const jobsPerSecond = PEAK.callsPerSecond;
  // A dispatch batch: its jobs' CPU one after another (render, sign, serialise), waits overlapped.
  const dispatchBatchSeconds = (DURATIONS_MS.dispatchJob * batchSize('dispatch')) / 1000;
  // A feedback batch waits on its slowest receiver.
  const feedbackBatchSeconds = (DURATIONS_MS.fanOutEvent + DURATIONS_MS.delivery) / 1000;
  const callMs = mode === 'unitary' ? DURATIONS_MS.unitaryCall : DURATIONS_MS.highThroughputCall;
  const concurrency = {
    executions: (PEAK.callsPerSecond * callMs) / 1000,
    dispatch: workerConcurrency('dispatch', jobsPerSecond, dispatchBatchSeconds),
    feedback: workerConcurrency('feedback', events, feedbackBatchSeconds),
  };
  const totalConcurrency = concurrency.executions + concurrency.dispatch + concurrency.feedback;
  const eventsPerMessage = webhooks ? PEAK.eventsPerMessage : 0;
  // Messages/s at which each limit is reached, everything else scaling with them; lowest first.
  const ceilings = {
    dispatchMessagesPerSecond: workerCeiling('dispatch', dispatchBatchSeconds) * RECIPIENTS_PER_CALL,
    feedbackRecordsPerSecond: workerCeiling('feedback', feedbackBatchSeconds),
    tableMessagesPerSecond: LIMITS.tableWriteUnitsPerSecond / (perSecond.writeUnits / messages),
  };
  const limits = [
    { limit: 'SES sending rate (new account)', messages: LIMITS.sesEmailsPerSecond },
    { limit: 'DynamoDB table write quota', messages: ceilings.tableMessagesPerSecond },
    { limit: 'dispatch event source (max concurrency)', messages: ceilings.dispatchMessagesPerSecond },
    {
      limit: 'Lambda account concurrency',
      messages: (messages * LIMITS.lambdaConcurrency) / totalConcurrency,
    },
    { limit: 'API Gateway account rate', messages: LIMITS.apiRequestsPerSecond * RECIPIENTS_PER_CALL },
    ...(webhooks
      ? [
          {
            limit: 'feedback event source (max concurrency)',
            messages: ceilings.feedbackRecordsPerSecond / eventsPerMessage,
          },
        ]
      : []),
  ].sort((a, b) => a.messages - b.messages);
  return {
    messages,
    events,
    limits,
    usage: perSecond,
    dollarsPerHour: dollars(perSecond).total * 3600,
    partitions: Math.ceil(
      Math.max(
        perSecond.writeUnits / LIMITS.partitionWriteUnits,
        perSecond.readUnits / LIMITS.partitionReadUnits,
      ),
    ),
    concurrency,
    ceilings,
  };
}
