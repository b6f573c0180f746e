/**
 * The DynamoDB and SQS calls each hot path makes on a warm container, written once:
 * test/integration/call-count.test.ts asserts that the handlers make exactly these, and
 * `npm run cost` (bench/cost.ts) prices them, so docs/cost.md cannot drift from the code.
 *
 * Each entry is `service:Command` as the SDK names it. Per-message repeats are spelled out with
 * `times`, in the order the test compares them (sorted where the handler runs them side by side).
 */

const times = (n: number, call: string): string[] => Array.from({ length: n }, () => call);

/** Recipients of the priced calls (the reference's maximum per call). */
export const RECIPIENTS_PER_CALL = 20;

export const pinnedCalls = {
  /** POST /im/executions/unitary, 20 known recipients: identities, claim transaction, enqueue, done. */
  unitaryTrigger: [
    'dynamodb:BatchGetItemCommand',
    'dynamodb:TransactWriteItemsCommand',
    'sqs:SendMessageCommand',
    'dynamodb:UpdateItemCommand',
  ],
  /** The same request again: the claim fails on its condition and the stored answer is read. */
  unitaryRepeat: [
    'dynamodb:BatchGetItemCommand',
    'dynamodb:TransactWriteItemsCommand',
    'dynamodb:GetItemCommand',
  ],
  /**
   * One 20-recipient dispatch job of a unitary call (sandbox provider), recipients known by their
   * email address: messages, profiles and the suppressions of those addresses in one batched read
   * (a profile giving another address costs a second), then the default channel configuration
   * (read once per container: the test's handler is new)…
   */
  unitaryDispatchReads: ['dynamodb:BatchGetItemCommand', 'dynamodb:GetItemCommand'],
  /**
   * …then the sandbox provider's stored copies of the job's messages, sent side by side, in one
   * batch write (ADR 0030), and per message the status update (sorted).
   */
  dispatchWrites: [
    'dynamodb:BatchWriteItemCommand',
    ...times(RECIPIENTS_PER_CALL, 'dynamodb:UpdateItemCommand'),
  ],
  /** POST /im/executions/highthroughput, 20 recipients: one enqueue and nothing else. */
  highThroughputCall: ['sqs:SendMessageCommand'],
  /**
   * Its dispatch job: the execution and messages written once, one batched read of messages and
   * suppressions, the default configuration (once per container), then `dispatchWrites`.
   */
  highThroughputDispatchReads: [
    'dynamodb:TransactWriteItemsCommand',
    'dynamodb:BatchGetItemCommand',
    'dynamodb:GetItemCommand',
  ],
  /**
   * A status event to one webhook that accepts it, the list cached: the delivery record looked
   * for in one BatchGetItem shared with the other records of the SQS batch (a redelivered event
   * finds it; ADR 0033), the first attempt POSTed in the same step, then the record and the
   * attempt written in one BatchWriteItem, shared with the other attempts settling at the same
   * moment (ADR 0030). No queue call.
   */
  webhookFanOut: ['dynamodb:BatchGetItemCommand', 'dynamodb:BatchWriteItemCommand'],
  /**
   * A delivery job (a retry, a resend, a recovery) that is delivered: the webhook and the record
   * read fresh, the POST, the record and the attempt written in one BatchWriteItem (shared as
   * above).
   */
  webhookDelivery: ['dynamodb:GetItemCommand', 'dynamodb:GetItemCommand', 'dynamodb:BatchWriteItemCommand'],
  /**
   * One SES event about a sent email (a Delivery), on the provider-events queue: the message (by
   * the shard its tag names), its execution (for the run's ids and whether webhooks are on), the
   * change recorded on the message, and the status event published to the feedback queue
   * (asserted in test/integration/provider-events.test.ts).
   */
  sesEvent: [
    'dynamodb:GetItemCommand',
    'dynamodb:GetItemCommand',
    'dynamodb:UpdateItemCommand',
    'sqs:SendMessageBatchCommand',
  ],
} as const satisfies Record<string, readonly string[]>;

export type PinnedPath = keyof typeof pinnedCalls;

/** Members a fanout job reads per page (shared/use-cases/fanout.ts FANOUT_PAGE). */
export const FANOUT_PAGE_MEMBERS = 100;

/**
 * One fanout page of `members` members (all included, webhooks off): the run, its ledger's next
 * slot, the page of members, their profiles, the suppressions of their addresses, the slot
 * reservation (read and conditional update), one conditional write per member, the dispatch jobs
 * (≤ 10 jobs of 20 in one batch: a full page is 5), then the shard marked done on its last page
 * or the next page queued.
 */
export function fanOutPageCalls(members: number, { last }: { last: boolean }): string[] {
  return [
    'dynamodb:GetItemCommand',
    'dynamodb:GetItemCommand',
    'dynamodb:QueryCommand',
    'dynamodb:BatchGetItemCommand',
    'dynamodb:BatchGetItemCommand',
    'dynamodb:GetItemCommand',
    'dynamodb:UpdateItemCommand',
    ...times(members, 'dynamodb:PutItemCommand'),
    'sqs:SendMessageBatchCommand',
    last ? 'dynamodb:UpdateItemCommand' : 'sqs:SendMessageCommand',
  ];
}
