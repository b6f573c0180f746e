import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ClaimStore, IdempotencyRecord } from '../domain/idempotency.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { claimDueItem, claimDueSk, claimItem } from './items.ts';
import { claimDuePartitions, keys } from './keys.ts';
import { forEachLimited, SHARD_QUERY_CONCURRENCY } from './sharded-listing.ts';

export type Claim = { claimed: true } | { claimed: false; existing: IdempotencyRecord };

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
                      Item: claimItem.item(idempotency),
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
    if (Item) return { claimed: false, existing: claimItem.parse(Item) };
  }
}

/** The claims shared by unitary runs, audience runs and schedules. */
export class DynamoDbClaimStore extends DynamoDbTable implements ClaimStore {
  async get(sandbox: string, key: string): Promise<IdempotencyRecord | undefined> {
    return this.getRecord(claimItem, keys.idempotency(sandbox, key));
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
            ':dueSk': claimDueSk(record, lockedUntil),
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

  /** The claims whose lock lapsed first, up to `limit`, from every shard of the index. */
  async listStale(now: Date, limit: number): Promise<{ sandbox: string; key: string }[]> {
    const due: Record<string, unknown>[] = [];
    await forEachLimited(claimDuePartitions(), SHARD_QUERY_CONCURRENCY, async (partition) => {
      due.push(...(await this.queryDue(partition, now, limit)));
    });
    return due
      .sort((a, b) => (String(a.dueSk) < String(b.dueSk) ? -1 : 1))
      .slice(0, limit)
      .map((item) => claimDueItem.parse(item));
  }
}
