import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AlreadyExistsError } from '../domain/errors.ts';
import type { SandboxRecord, SandboxStore } from '../domain/sandbox.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { keys } from './keys.ts';
import { queryAll } from './query-all.ts';

/** A stored sandbox item, read field by field (never cast). */
function toRecord(item: Record<string, unknown>): SandboxRecord {
  const { name, createdAt, defaultCountry, modifiedAt } = item;
  if (typeof name !== 'string' || typeof createdAt !== 'string') {
    throw new Error(`sandbox item ${String(item.sk)} lacks its name or creation time`);
  }
  return {
    name,
    createdAt,
    ...(typeof defaultCountry === 'string' ? { defaultCountry } : {}),
    ...(typeof modifiedAt === 'string' ? { modifiedAt } : {}),
  };
}

export class DynamoDbSandboxStore extends DynamoDbTable implements SandboxStore {
  async create(sandbox: SandboxRecord): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.sandbox(sandbox.name), type: 'sandbox', ...sandbox },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new AlreadyExistsError('Sandbox', sandbox.name);
      throw error;
    }
  }

  async list(): Promise<SandboxRecord[]> {
    const { pk, prefix } = keys.sandboxes();
    const items = await queryAll(this.client, this.tableName, pk, prefix);
    return items.map(toRecord);
  }

  async exists(name: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.sandbox(name), ProjectionExpression: 'pk' }),
    );
    return Item !== undefined;
  }

  async get(name: string): Promise<SandboxRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.sandbox(name) }),
    );
    return Item ? toRecord(Item) : undefined;
  }

  async setDefaultCountry(
    name: string,
    country: string | null,
    at: string,
  ): Promise<SandboxRecord | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.sandbox(name),
          UpdateExpression:
            country === null
              ? 'SET modifiedAt = :at REMOVE defaultCountry'
              : 'SET modifiedAt = :at, defaultCountry = :country',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at, ...(country === null ? {} : { ':country': country }) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toRecord(Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }
}
