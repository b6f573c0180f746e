import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { AlreadyExistsError } from '../domain/errors.ts';
import type { SandboxRecord, SandboxStore } from '../ports.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { keys } from './keys.ts';
import { queryAll } from './query-all.ts';

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
    return items.map((item) => ({ name: String(item.name), createdAt: String(item.createdAt) }));
  }

  async exists(name: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.sandbox(name), ProjectionExpression: 'pk' }),
    );
    return Item !== undefined;
  }
}
