import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { NamespaceRecord, NamespaceStore } from '../domain/identity.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { namespaceItem } from './items.ts';
import { keys } from './keys.ts';

export class DynamoDbNamespaceStore extends DynamoDbTable implements NamespaceStore {
  async create(record: NamespaceRecord): Promise<void> {
    await this.createRecord(namespaceItem, record);
  }

  async list(sandbox: string): Promise<NamespaceRecord[]> {
    return this.listRecords(namespaceItem, keys.namespaces(sandbox));
  }

  async exists(sandbox: string, code: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.namespace(sandbox, code),
        ProjectionExpression: 'pk',
      }),
    );
    return Item !== undefined;
  }
}
