import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { IdempotencyRecord } from '../ports.ts';
import { isConditionFailure } from './conditions.ts';
import { keys, withoutKeys } from './keys.ts';

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
                      Item: {
                        ...keys.idempotency(idempotency.sandbox, idempotency.key),
                        type: 'idempotency',
                        ...idempotency,
                      },
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
    if (Item) {
      const { type: _type, ...existing } = withoutKeys(Item);
      return { claimed: false, existing: existing as unknown as IdempotencyRecord };
    }
  }
}
