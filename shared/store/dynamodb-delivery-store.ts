import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { AlreadyExistsError } from '../domain/errors.ts';
import type { Page } from '../domain/page.ts';
import type { DeliveryRecord, DeliveryStore } from '../domain/webhook.ts';
import type { AttemptView } from '../schemas/webhook.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { attemptItem, deliveryItem, failedDeliveryItem, retainedFrom } from './items.ts';
import { keys } from './keys.ts';
import { queryPages } from './query-all.ts';

/**
 * One item per event × webhook (its payload and state), the attempt log in one partition per
 * webhook, and an index of exhausted deliveries for recovery. All expire by TTL.
 */
export class DynamoDbDeliveryStore extends DynamoDbTable implements DeliveryStore {
  async create(record: DeliveryRecord): Promise<boolean> {
    try {
      await this.createRecord(deliveryItem, record);
      return true;
    } catch (error) {
      // A redelivered status event: its delivery is already recorded.
      if (error instanceof AlreadyExistsError) return false;
      throw error;
    }
  }

  async get(sandbox: string, webhookId: string, eventId: string): Promise<DeliveryRecord | undefined> {
    return this.getRecord(deliveryItem, keys.delivery(sandbox, webhookId, eventId));
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
            Put: this.putOf(deliveryItem, {
              ...record,
              state,
              attempts: record.attempts + 1,
              lastAttemptAt: attempt.at,
            }),
          },
          {
            Put: {
              TableName: this.tableName,
              Item: {
                pk: keys.attempts(record.sandbox, record.webhookId).pk,
                sk: `${attempt.at}#${record.eventId}#${attempt.attempt}`,
                type: attemptItem.kind,
                ...attempt,
                expiresAt: retainedFrom(attempt.at),
              },
            },
          },
          state === 'failed'
            ? {
                Put: {
                  TableName: this.tableName,
                  Item: {
                    ...failedKey,
                    type: failedDeliveryItem.kind,
                    eventId: record.eventId,
                    expiresAt: retainedFrom(record.createdAt),
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
    return this.pageRecords(attemptItem, keys.attempts(sandbox, webhookId), page, { newestFirst: true });
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
      (page) => ids.push(...(page.Items ?? []).map((item) => failedDeliveryItem.parse(item).eventId)),
    );
    return ids;
  }
}
