import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SendLedger } from '../domain/channel.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { ledgerItem, RETENTION_SECONDS } from './items.ts';
import { keys } from './keys.ts';

type Key = { pk: string; sk: string };

/** The ledger's next free slot (epoch ms), if anything was ever reserved on it. */
export async function nextSlot(client: DynamoDBDocumentClient, table: string, key: Key) {
  const { Item } = await client.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
  return Item ? ledgerItem.parse(Item).nextSlotAt : undefined;
}

/**
 * Reserves `count` send slots at `ratePerSec` after the ledger's last reservation (or now) and
 * returns when the first may go. One item, updated conditionally on the value read, so every
 * worker sharing the ledger keeps to the one rate: the audience throttle (per run) and a channel
 * configuration's `rateLimitPerSec` (per configuration) both book here.
 */
export async function reserveSlots(
  client: DynamoDBDocumentClient,
  table: string,
  key: Key,
  { count, ratePerSec, nowMs }: { count: number; ratePerSec: number; nowMs: number },
): Promise<number> {
  for (;;) {
    const stored = await nextSlot(client, table, key);
    const start = Math.max(stored ?? 0, nowMs);
    const next = start + Math.round((count / ratePerSec) * 1000);
    try {
      await client.send(
        new UpdateCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET nextSlotAt = :next, expiresAt = :expires, #type = :type',
          ConditionExpression: stored === undefined ? 'attribute_not_exists(pk)' : 'nextSlotAt = :stored',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: {
            ':next': next,
            ':expires': Math.floor(nowMs / 1000) + RETENTION_SECONDS,
            ':type': 'throttle-ledger',
            ...(stored === undefined ? {} : { ':stored': stored }),
          },
        }),
      );
      return start;
    } catch (error) {
      // Another worker reserved first: read the ledger again.
      if (!isConditionFailure(error)) throw error;
    }
  }
}

/** A channel configuration's send ledger (its `rateLimitPerSec`, across all dispatch workers). */
export class DynamoDbSendLedger extends DynamoDbTable implements SendLedger {
  next(sandbox: string, configurationId: string): Promise<number | undefined> {
    return nextSlot(this.client, this.tableName, keys.providerLedger(sandbox, configurationId));
  }

  reserve(sandbox: string, configurationId: string, count: number, ratePerSec: number, nowMs: number) {
    return reserveSlots(this.client, this.tableName, keys.providerLedger(sandbox, configurationId), {
      count,
      ratePerSec,
      nowMs,
    });
  }
}
