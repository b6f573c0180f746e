import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CampaignStore } from '../domain/campaign.ts';
import { type CampaignRecord, nextTransition } from '../domain/campaign.ts';
import { AlreadyExistsError, ConcurrentUpdateError } from '../domain/errors.ts';
import type { Page } from '../domain/page.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { DUE_PARTITION, decodeCursor, encodeCursor, keys, withoutKeys } from './keys.ts';

/**
 * Campaigns live in their sandbox's partition, with a pending draft version inline (so activation
 * swaps it in with one conditional write). A campaign waiting for a start or end date is also in the
 * sparse `due` index, which the scheduler reads.
 */
export class DynamoDbCampaignStore extends DynamoDbTable implements CampaignStore {
  async create(record: CampaignRecord): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(record),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new AlreadyExistsError('Campaign', record.id);
      throw error;
    }
  }

  async get(sandbox: string, id: string): Promise<CampaignRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.campaign(sandbox, id), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async save(record: CampaignRecord): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(record),
          ConditionExpression: '#revision = :previous',
          ExpressionAttributeNames: { '#revision': 'revision' },
          ExpressionAttributeValues: { ':previous': record.revision - 1 },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConcurrentUpdateError(`Campaign ${record.id}`);
      throw error;
    }
  }

  async delete(sandbox: string, id: string, revision: number): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.campaign(sandbox, id),
          ConditionExpression: '#revision = :revision',
          ExpressionAttributeNames: { '#revision': 'revision' },
          ExpressionAttributeValues: { ':revision': revision },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConcurrentUpdateError(`Campaign ${id}`);
      throw error;
    }
  }

  async list(sandbox: string, page: { limit: number; cursor?: string }): Promise<Page<CampaignRecord>> {
    const { pk, prefix } = keys.campaigns(sandbox);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor, pk, prefix),
      }),
    );
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    return { items: (result.Items ?? []).map(fromItem), ...(nextCursor ? { nextCursor } : {}) };
  }

  async listDue(now: Date, limit: number): Promise<{ sandbox: string; id: string }[]> {
    return (await this.queryDue(DUE_PARTITION, now, limit)).map((item) => ({
      sandbox: String(item.sandbox),
      id: String(item.id),
    }));
  }
}

function toItem(record: CampaignRecord): Record<string, unknown> {
  const due = nextTransition(record);
  return {
    ...keys.campaign(record.sandbox, record.id),
    type: 'campaign',
    ...record,
    // ISO instants compare as strings once normalised to UTC.
    ...(due
      ? { duePk: DUE_PARTITION, dueSk: `${new Date(due.at).toISOString()}#${record.sandbox}#${record.id}` }
      : {}),
  };
}

function fromItem(item: Record<string, unknown>): CampaignRecord {
  const { type: _type, ...record } = withoutKeys(item);
  return record as unknown as CampaignRecord;
}
