import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SandboxRecord, SandboxStore } from '../domain/sandbox.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { sandboxItem } from './items.ts';
import { keys } from './keys.ts';

export class DynamoDbSandboxStore extends DynamoDbTable implements SandboxStore {
  async create(sandbox: SandboxRecord): Promise<void> {
    await this.createRecord(sandboxItem, sandbox);
  }

  async list(): Promise<SandboxRecord[]> {
    return this.listRecords(sandboxItem, keys.sandboxes());
  }

  async exists(name: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.sandbox(name), ProjectionExpression: 'pk' }),
    );
    return Item !== undefined;
  }

  async get(name: string): Promise<SandboxRecord | undefined> {
    // Read on every call through a per-container cache, so an eventually consistent read will do.
    return this.getRecord(sandboxItem, keys.sandbox(name), false);
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
      return Attributes ? sandboxItem.parse(Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }
}
