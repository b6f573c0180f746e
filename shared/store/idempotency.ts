import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ClaimStore, IdempotencyRecord } from '../domain/idempotency.ts';
import { pendingJobsSchema } from '../schemas/fanout-job.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { DUE_CLAIM_PARTITION, keys, withoutKeys } from './keys.ts';

export type Claim = { claimed: true } | { claimed: false; existing: IdempotencyRecord };

/** Where a pending claim sorts in the `due` index: when its lock lapses. */
const dueSk = (record: { sandbox: string; key: string }, lockedUntil: number) =>
  `${new Date(lockedUntil).toISOString()}#${record.sandbox}#${record.key}`;

/**
 * The item of an idempotency record. Its jobs are stored as a JSON string: they hold free-form
 * context that may nest as deep as a body may, and a string keeps it out of DynamoDB's own nesting
 * limit. A pending record sits in the sparse `due` index until it is done, so the sweeper finds it.
 */
function claimItem(record: IdempotencyRecord): Record<string, unknown> {
  const { jobs, ...rest } = record;
  return {
    ...keys.idempotency(record.sandbox, record.key),
    type: 'idempotency',
    ...rest,
    ...(jobs ? { jobs: JSON.stringify(jobs) } : {}),
    ...(record.state === 'pending'
      ? { duePk: DUE_CLAIM_PARTITION, dueSk: dueSk(record, record.lockedUntil) }
      : {}),
  };
}

/** Parses a stored idempotency record (its outbox included). */
function fromItem(item: Record<string, unknown>): IdempotencyRecord {
  const { type: _type, jobs, ...rest } = withoutKeys(item);
  const record = rest as unknown as IdempotencyRecord;
  return typeof jobs === 'string' ? { ...record, jobs: pendingJobsSchema.parse(JSON.parse(jobs)) } : record;
}

/**
 * Writes `items` and, when given, the request's idempotency record in one transaction, so a
 * request either claims its key and writes everything, or writes nothing and gets the record that
 * holds the key. A record past its `expiresAt` no longer counts: it may linger until DynamoDB's
 * TTL sweep.
 */
export async function putClaimed(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Record<string, unknown>[],
  idempotency: IdempotencyRecord | undefined,
  nowMs: number,
): Promise<Claim> {
  for (;;) {
    try {
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            ...(idempotency
              ? [
                  {
                    Put: {
                      TableName: tableName,
                      Item: claimItem(idempotency),
                      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
                      ExpressionAttributeValues: { ':now': Math.floor(nowMs / 1000) },
                    },
                  },
                ]
              : []),
            ...items.map((Item) => ({ Put: { TableName: tableName, Item } })),
          ],
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!idempotency || !isConditionFailure(error)) throw error;
    }
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: keys.idempotency(idempotency.sandbox, idempotency.key),
        ConsistentRead: true,
      }),
    );
    // Absent: deleted between the failed write and this read, and only TTL deletes, so the key's
    // window has passed and the claim is tried again.
    if (Item) return { claimed: false, existing: fromItem(Item) };
  }
}

/** The claims shared by unitary runs, audience runs and schedules. */
export class DynamoDbClaimStore extends DynamoDbTable implements ClaimStore {
  async get(sandbox: string, key: string): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.idempotency(sandbox, key),
        ConsistentRead: true,
      }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async complete(sandbox: string, key: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.idempotency(sandbox, key),
          // Sent jobs are dropped: the context they carry is used once, never kept.
          UpdateExpression: 'SET #state = :done REMOVE jobs, duePk, dueSk',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':done': 'done' },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async relock(record: IdempotencyRecord, lockedUntil: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.idempotency(record.sandbox, record.key),
          UpdateExpression: 'SET lockedUntil = :until, dueSk = :dueSk',
          ConditionExpression: '#state = :pending AND lockedUntil = :previous',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':until': lockedUntil,
            ':dueSk': dueSk(record, lockedUntil),
            ':pending': 'pending',
            ':previous': record.lockedUntil,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async listStale(now: Date, limit: number): Promise<{ sandbox: string; key: string }[]> {
    return (await this.queryDue(DUE_CLAIM_PARTITION, now, limit)).map((item) => ({
      sandbox: String(item.sandbox),
      key: String(item.key),
    }));
  }
}
