import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord, ApiKeyStore } from '../domain/auth.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { revisionCondition } from './entity.ts';
import { apiKeyItem } from './items.ts';
import { keys } from './keys.ts';

/**
 * Two items per key: one under its hash (the lookup on every request, a single GetItem) and one
 * under its owner (listing and deletion by id). Written and deleted together in a transaction.
 */
export class DynamoDbApiKeyStore extends DynamoDbTable implements ApiKeyStore {
  async create(record: ApiKeyRecord): Promise<void> {
    const item = apiKeyItem.item(record);
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: { ...item, ...keys.apiKeyByHash(record.hash) },
              ...revisionCondition('absent'),
            },
          },
          { Put: { TableName: this.tableName, Item: item, ...revisionCondition('absent') } },
        ],
      }),
    );
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    return this.getRecord(apiKeyItem, keys.apiKeyByHash(hash), false);
  }

  async list(sandbox: string | null): Promise<ApiKeyRecord[]> {
    return this.listRecords(apiKeyItem, keys.apiKeys(sandbox));
  }

  async delete(sandbox: string | null, id: string): Promise<boolean> {
    const record = await this.getRecord(apiKeyItem, keys.apiKey(sandbox, id));
    if (!record) return false;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: this.tableName, Key: keys.apiKeyByHash(record.hash) } },
            {
              Delete: {
                TableName: this.tableName,
                Key: keys.apiKey(sandbox, id),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
          ],
        }),
      );
    } catch (error) {
      // Deleted by a concurrent request: the outcome the caller wanted.
      if (isConditionFailure(error)) return false;
      throw error;
    }
    return true;
  }
}
