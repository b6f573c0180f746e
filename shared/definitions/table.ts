/**
 * The one DynamoDB table Herald uses, described once. The CDK data construct and the local runtime
 * both build the table from this description, so the two cannot drift.
 */
export const tableDefinition = {
  /** Logical id in the stack and default physical name in the local runtime. */
  id: 'herald',
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes the item some time after it passes. */
  ttlAttribute: 'expiresAt',
  globalIndexes: [
    {
      /** Sparse index of items with a pending time-driven transition (scheduled start, end date). */
      name: 'due',
      partitionKey: 'duePk',
      sortKey: 'dueSk',
      projection: 'ALL',
    },
    {
      /**
       * Sparse index of SMS channel configurations by origination number (`ORIGIN#<E.164>`), so a
       * STOP sent to a number finds the sandboxes that send from it (`<sandbox>#<configuration>`).
       */
      name: 'origination',
      partitionKey: 'originPk',
      sortKey: 'originSk',
      projection: 'ALL',
    },
    {
      /**
       * Sparse index of the messages sent to a profile (`SB#<sandbox>#PMSG#<profileId>`), newest
       * last (`<createdAt>#<messageId>`): the attributes are written on the message item itself, so
       * no call is added to any path. Keys only: a status update (which changes no key) writes
       * nothing to it, and a page reads the messages' current state from the table (ADR 0029).
       */
      name: 'profileMessages',
      partitionKey: 'profileMsgPk',
      sortKey: 'profileMsgSk',
      projection: 'KEYS_ONLY',
    },
  ],
} as const;

export type TableDefinition = typeof tableDefinition;
