import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AudienceRecord, AudienceStore } from '../domain/audience.ts';
import { MEMBER_SHARDS, memberShard } from '../domain/audience.ts';
import { ConcurrentUpdateError } from '../domain/errors.ts';
import type { ImportProgress } from '../schemas/audience.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { decodeCursor, encodeCursor, keys, withoutKeys } from './keys.ts';
import { queryAll, queryPages } from './query-all.ts';

type WriteRequests = NonNullable<BatchWriteCommandInput['RequestItems']>[string];

const shards = () => Array.from({ length: MEMBER_SHARDS }, (_, shard) => shard);

export class DynamoDbAudienceStore extends DynamoDbTable implements AudienceStore {
  async create(audience: AudienceRecord): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.audience(audience.sandbox, audience.id), type: 'audience', ...audience },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(sandbox: string, id: string): Promise<AudienceRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.audience(sandbox, id), ConsistentRead: true }),
    );
    return Item ? toRecord(Item) : undefined;
  }

  async list(sandbox: string): Promise<AudienceRecord[]> {
    const { pk, prefix } = keys.audiences(sandbox);
    return (await queryAll(this.client, this.tableName, pk, prefix)).map(toRecord);
  }

  async save(audience: AudienceRecord): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.audience(audience.sandbox, audience.id), type: 'audience', ...audience },
          ConditionExpression: '#revision = :previous',
          ExpressionAttributeNames: { '#revision': 'revision' },
          ExpressionAttributeValues: { ':previous': audience.revision - 1 },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConcurrentUpdateError(`Audience ${audience.id}`);
      throw error;
    }
  }

  async delete(sandbox: string, id: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.audience(sandbox, id) }));
    await Promise.all(
      shards().map(async (shard) => {
        const { pk, prefix } = keys.memberShard(sandbox, id, shard);
        const items = await queryAll(this.client, this.tableName, pk, prefix);
        await this.batchWrite(
          items.map((item) => ({ DeleteRequest: { Key: { pk: item.pk, sk: item.sk } } })),
        );
      }),
    );
  }

  async addMembers(
    sandbox: string,
    audienceId: string,
    profileIds: readonly string[],
    at: string,
  ): Promise<void> {
    await this.batchWrite(
      [...new Set(profileIds)].map((profileId) => ({
        PutRequest: {
          Item: {
            ...keys.member(sandbox, audienceId, memberShard(profileId), profileId),
            type: 'member',
            profileId,
            addedAt: at,
          },
        },
      })),
    );
  }

  async removeMembers(sandbox: string, audienceId: string, profileIds: readonly string[]): Promise<number> {
    const memberKeys = [...new Set(profileIds)].map((id) =>
      keys.member(sandbox, audienceId, memberShard(id), id),
    );
    const present = (await this.batchGet(memberKeys, 'pk')).length;
    await this.batchWrite(memberKeys.map((key) => ({ DeleteRequest: { Key: key } })));
    return present;
  }

  async membersPage(
    sandbox: string,
    audienceId: string,
    shard: number,
    page: { limit: number; cursor?: string },
  ): Promise<{ profileIds: string[]; nextCursor?: string }> {
    const { pk, prefix } = keys.memberShard(sandbox, audienceId, shard);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        Limit: page.limit,
        ConsistentRead: true,
        ExclusiveStartKey: decodeCursor(page.cursor, pk, prefix),
      }),
    );
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    return {
      profileIds: (result.Items ?? []).map((item) => String(item.profileId)),
      ...(nextCursor ? { nextCursor } : {}),
    };
  }

  async countMembers(sandbox: string, audienceId: string): Promise<number> {
    const counts = await Promise.all(
      shards().map(async (shard) => {
        const { pk } = keys.memberShard(sandbox, audienceId, shard);
        let count = 0;
        await queryPages(
          this.client,
          {
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
            Select: 'COUNT',
          },
          (page) => {
            count += page.Count ?? 0;
          },
        );
        return count;
      }),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  }

  async getImport(sandbox: string, importId: string) {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.audienceImport(sandbox, importId),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const { type: _type, sandbox: _sandbox, expiresAt: _expiresAt, ...progress } = withoutKeys(Item);
    return progress as unknown as ImportProgress & { revision: number };
  }

  async saveImport(sandbox: string, progress: ImportProgress & { revision: number }): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.audienceImport(sandbox, progress.importId),
            type: 'audience-import',
            sandbox,
            ...progress,
            expiresAt: Math.floor(Date.parse(progress.startedAt) / 1000) + 30 * 24 * 3600,
          },
          ...(progress.revision === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#revision = :previous',
                ExpressionAttributeNames: { '#revision': 'revision' },
                ExpressionAttributeValues: { ':previous': progress.revision - 1 },
              }),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConcurrentUpdateError(`Import ${progress.importId}`);
      throw error;
    }
  }

  /** BatchWriteItem, 25 requests a call, retrying what DynamoDB leaves unprocessed. */
  private async batchWrite(requests: WriteRequests): Promise<void> {
    for (let start = 0; start < requests.length; start += 25) {
      let pending: WriteRequests | undefined = requests.slice(start, start + 25);
      while (pending && pending.length > 0) {
        const result: BatchWriteCommandOutput = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
        );
        pending = result.UnprocessedItems?.[this.tableName];
      }
    }
  }
}

function toRecord(item: Record<string, unknown>): AudienceRecord {
  const { type: _type, ...record } = withoutKeys(item);
  return record as unknown as AudienceRecord;
}
