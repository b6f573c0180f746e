import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord, ApiKeyStore, Scope } from '../domain/auth.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { keys } from './keys.ts';
import { queryAll } from './query-all.ts';

/**
 * Two items per key: one under its hash (the lookup on every request, a single GetItem) and one
 * under its owner (listing and deletion by id). Written and deleted together in a transaction.
 */
export class DynamoDbApiKeyStore extends DynamoDbTable implements ApiKeyStore {
  async create(record: ApiKeyRecord): Promise<void> {
    const attributes = { type: 'api-key', ...record };
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: { ...keys.apiKeyByHash(record.hash), ...attributes },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: this.tableName,
              Item: { ...keys.apiKey(record.sandbox, record.id), ...attributes },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.apiKeyByHash(hash) }),
    );
    return Item ? toRecord(Item) : undefined;
  }

  async list(sandbox: string | null): Promise<ApiKeyRecord[]> {
    const { pk, prefix } = keys.apiKeys(sandbox);
    const items = await queryAll(this.client, this.tableName, pk, prefix);
    return items.map(toRecord);
  }

  async delete(sandbox: string | null, id: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.apiKey(sandbox, id), ConsistentRead: true }),
    );
    if (!Item) return false;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: this.tableName, Key: keys.apiKeyByHash(String(Item.hash)) } },
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

function toRecord(item: Record<string, unknown>): ApiKeyRecord {
  const record: ApiKeyRecord = {
    id: String(item.id),
    hash: String(item.hash),
    sandbox: typeof item.sandbox === 'string' ? item.sandbox : null,
    scopes: (item.scopes as Scope[] | undefined) ?? [],
    createdAt: String(item.createdAt),
    createdBy: String(item.createdBy),
    ...(typeof item.name === 'string' ? { name: item.name } : {}),
  };
  return record;
}
