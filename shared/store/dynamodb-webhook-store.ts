import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConcurrentUpdateError } from '../domain/errors.ts';
import type { WebhookConfig, WebhookStore } from '../domain/webhook.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { keys, withoutKeys } from './keys.ts';
import { queryAll } from './query-all.ts';

/** Webhook configurations, in their sandbox's partition (a sandbox has few). */
export class DynamoDbWebhookStore extends DynamoDbTable implements WebhookStore {
  async create(webhook: WebhookConfig): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.webhook(webhook.sandbox, webhook.id), type: 'webhook', ...webhook },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(sandbox: string, id: string): Promise<WebhookConfig | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.webhook(sandbox, id), ConsistentRead: true }),
    );
    return Item ? toRecord(Item) : undefined;
  }

  async list(sandbox: string): Promise<WebhookConfig[]> {
    const { pk, prefix } = keys.webhooks(sandbox);
    return (await queryAll(this.client, this.tableName, pk, prefix)).map(toRecord);
  }

  async save(webhook: WebhookConfig): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.webhook(webhook.sandbox, webhook.id), type: 'webhook', ...webhook },
          ConditionExpression: '#revision = :previous',
          ExpressionAttributeNames: { '#revision': 'revision' },
          ExpressionAttributeValues: { ':previous': webhook.revision - 1 },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConcurrentUpdateError(`Webhook ${webhook.id}`);
      throw error;
    }
  }

  async markFailing(sandbox: string, id: string, since: string): Promise<void> {
    await this.update(sandbox, id, 'SET failingSince = if_not_exists(failingSince, :since)', {
      ':since': since,
    });
  }

  async clearFailing(sandbox: string, id: string): Promise<void> {
    await this.update(sandbox, id, 'REMOVE failingSince', {});
  }

  async disable(sandbox: string, id: string, reason: string, at: string): Promise<void> {
    await this.update(sandbox, id, 'SET enabled = :false, disabledReason = :reason, disabledAt = :at', {
      ':false': false,
      ':reason': reason,
      ':at': at,
    });
  }

  /** A targeted change that also bumps the revision, so a concurrent PATCH notices it. */
  private async update(sandbox: string, id: string, expression: string, values: Record<string, unknown>) {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.webhook(sandbox, id),
          UpdateExpression: `${expression} ADD #revision :one`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#revision': 'revision' },
          ExpressionAttributeValues: { ...values, ':one': 1 },
        }),
      );
    } catch (error) {
      // Deleted meanwhile: nothing left to mark.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async delete(sandbox: string, id: string): Promise<boolean> {
    const { Attributes } = await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: keys.webhook(sandbox, id),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes !== undefined;
  }
}

function toRecord(item: Record<string, unknown>): WebhookConfig {
  const { type: _type, ...record } = withoutKeys(item);
  return record as unknown as WebhookConfig;
}
