import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { WebhookConfig, WebhookStore } from '../domain/webhook.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { webhookItem } from './items.ts';
import { keys } from './keys.ts';

/** Webhook configurations, in their sandbox's partition (a sandbox has few). */
export class DynamoDbWebhookStore extends DynamoDbTable implements WebhookStore {
  async create(webhook: WebhookConfig): Promise<void> {
    await this.createRecord(webhookItem, webhook);
  }

  async get(sandbox: string, id: string): Promise<WebhookConfig | undefined> {
    return this.getRecord(webhookItem, keys.webhook(sandbox, id));
  }

  async list(sandbox: string): Promise<WebhookConfig[]> {
    return this.listRecords(webhookItem, keys.webhooks(sandbox));
  }

  async save(webhook: WebhookConfig): Promise<void> {
    await this.saveRecord(webhookItem, webhook);
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
