import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { AlreadyExistsError } from '../domain/errors.ts';
import type { NamespaceRecord, NamespaceStore } from '../domain/identity.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { keys, withoutKeys } from './keys.ts';
import { queryAll } from './query-all.ts';

export class DynamoDbNamespaceStore extends DynamoDbTable implements NamespaceStore {
  async create(record: NamespaceRecord): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.namespace(record.sandbox, record.code), type: 'namespace', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new AlreadyExistsError('Namespace', record.code);
      throw error;
    }
  }

  async list(sandbox: string): Promise<NamespaceRecord[]> {
    const { pk, prefix } = keys.namespaces(sandbox);
    const items = await queryAll(this.client, this.tableName, pk, prefix);
    return items.map((item) => {
      const { type: _type, ...record } = withoutKeys(item);
      return record as unknown as NamespaceRecord;
    });
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
