import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Page } from '../domain/page.ts';
import type { DeliveryRecord, DeliveryStore } from '../domain/webhook.ts';
import type { AttemptView } from '../schemas/webhook.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { decodeCursor, encodeCursor, keys, withoutKeys } from './keys.ts';
import { queryPages } from './query-all.ts';

/** Deliveries, attempts and the failed-delivery index are kept this long. */
const RETENTION_SECONDS = 30 * 24 * 3600;

/**
 * One item per event × webhook (its payload and state), the attempt log in one partition per
 * webhook, and an index of exhausted deliveries for recovery. All expire by TTL.
 */
export class DynamoDbDeliveryStore extends DynamoDbTable implements DeliveryStore {
  async create(record: DeliveryRecord): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.delivery(record.sandbox, record.webhookId, record.eventId),
            type: 'delivery',
            ...record,
            expiresAt: expiry(record.createdAt),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async get(sandbox: string, webhookId: string, eventId: string): Promise<DeliveryRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.delivery(sandbox, webhookId, eventId),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const { type: _type, expiresAt: _expiresAt, ...record } = withoutKeys(Item);
    return record as unknown as DeliveryRecord;
  }

  async recordAttempt(
    record: DeliveryRecord,
    attempt: AttemptView,
    state: DeliveryRecord['state'],
  ): Promise<void> {
    const failedKey = {
      pk: keys.failedDeliveries(record.sandbox, record.webhookId).pk,
      sk: `${record.createdAt}#${record.eventId}`,
    };
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: {
                ...keys.delivery(record.sandbox, record.webhookId, record.eventId),
                type: 'delivery',
                ...record,
                state,
                attempts: record.attempts + 1,
                lastAttemptAt: attempt.at,
                expiresAt: expiry(record.createdAt),
              },
            },
          },
          {
            Put: {
              TableName: this.tableName,
              Item: {
                pk: keys.attempts(record.sandbox, record.webhookId).pk,
                sk: `${attempt.at}#${record.eventId}#${attempt.attempt}`,
                type: 'attempt',
                ...attempt,
                expiresAt: expiry(attempt.at),
              },
            },
          },
          state === 'failed'
            ? {
                Put: {
                  TableName: this.tableName,
                  Item: {
                    ...failedKey,
                    type: 'failed-delivery',
                    eventId: record.eventId,
                    expiresAt: expiry(record.createdAt),
                  },
                },
              }
            : { Delete: { TableName: this.tableName, Key: failedKey } },
        ],
      }),
    );
  }

  async listAttempts(
    sandbox: string,
    webhookId: string,
    page: { limit: number; cursor?: string },
  ): Promise<Page<AttemptView>> {
    const { pk, prefix } = keys.attempts(sandbox, webhookId);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ScanIndexForward: false,
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor, pk, prefix),
      }),
    );
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    const items = (result.Items ?? []).map((item) => {
      const { type: _type, expiresAt: _expiresAt, ...attempt } = withoutKeys(item);
      return attempt as unknown as AttemptView;
    });
    return { items, ...(nextCursor ? { nextCursor } : {}) };
  }

  async listFailed(sandbox: string, webhookId: string, since: string, until: string): Promise<string[]> {
    const { pk } = keys.failedDeliveries(sandbox, webhookId);
    const ids: string[] = [];
    await queryPages(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :since AND :until',
        ExpressionAttributeValues: { ':pk': pk, ':since': since, ':until': until },
      },
      (page) => ids.push(...(page.Items ?? []).map((item) => String(item.eventId))),
    );
    return ids;
  }
}

function expiry(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000) + RETENTION_SECONDS;
}
