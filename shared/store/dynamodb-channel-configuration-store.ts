import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type {
  ChannelConfigurationRecord,
  ChannelConfigurationStore,
} from '../domain/channel-configuration.ts';
import { ConcurrentUpdateError, DefaultTakenError } from '../domain/errors.ts';
import type { Channel } from '../schemas/campaign.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { keys, withoutKeys } from './keys.ts';
import { queryAll } from './query-all.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Channel configurations, in their sandbox's partition, and one marker item per channel that has a
 * default (`CHANNELDEFAULT#<channel>`, naming the configuration): taking the marker is conditional,
 * in the same transaction as the configuration's write, so a channel never has two defaults.
 */
export class DynamoDbChannelConfigurationStore extends DynamoDbTable implements ChannelConfigurationStore {
  async create(record: ChannelConfigurationRecord): Promise<void> {
    await this.transact(record, [
      {
        Put: {
          TableName: this.tableName,
          Item: this.item(record),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...(record.isDefault ? [this.takeDefault(record)] : []),
    ]);
  }

  async get(sandbox: string, id: string): Promise<ChannelConfigurationRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.channelConfiguration(sandbox, id),
        ConsistentRead: true,
      }),
    );
    return Item ? toRecord(Item) : undefined;
  }

  async list(sandbox: string): Promise<ChannelConfigurationRecord[]> {
    const { pk, prefix } = keys.channelConfigurations(sandbox);
    return (await queryAll(this.client, this.tableName, pk, prefix)).map(toRecord);
  }

  async save(record: ChannelConfigurationRecord, previous: ChannelConfigurationRecord): Promise<void> {
    const marker: TransactItem[] =
      record.isDefault === previous.isDefault
        ? []
        : [record.isDefault ? this.takeDefault(record) : this.giveUpDefault(previous)];
    await this.transact(record, [
      {
        Put: {
          TableName: this.tableName,
          Item: this.item(record),
          ConditionExpression: '#revision = :previous',
          ExpressionAttributeNames: { '#revision': 'revision' },
          ExpressionAttributeValues: { ':previous': record.revision - 1 },
        },
      },
      ...marker,
    ]);
  }

  async delete(record: ChannelConfigurationRecord): Promise<void> {
    await this.transact(record, [
      {
        Delete: {
          TableName: this.tableName,
          Key: keys.channelConfiguration(record.sandbox, record.id),
          ConditionExpression: '#revision = :revision',
          ExpressionAttributeNames: { '#revision': 'revision' },
          ExpressionAttributeValues: { ':revision': record.revision },
        },
      },
      ...(record.isDefault ? [this.giveUpDefault(record)] : []),
    ]);
  }

  async getDefault(sandbox: string, channel: Channel): Promise<ChannelConfigurationRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.channelDefault(sandbox, channel),
        ConsistentRead: true,
      }),
    );
    const id = Item?.configurationId;
    return typeof id === 'string' ? this.get(sandbox, id) : undefined;
  }

  private item(record: ChannelConfigurationRecord) {
    return {
      ...keys.channelConfiguration(record.sandbox, record.id),
      type: 'channel-configuration',
      ...record,
    };
  }

  private takeDefault(record: ChannelConfigurationRecord): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...keys.channelDefault(record.sandbox, record.channel),
          type: 'channel-default',
          configurationId: record.id,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR configurationId = :id',
        ExpressionAttributeValues: { ':id': record.id },
      },
    };
  }

  private giveUpDefault(record: ChannelConfigurationRecord): TransactItem {
    return {
      Delete: {
        TableName: this.tableName,
        Key: keys.channelDefault(record.sandbox, record.channel),
        ConditionExpression: 'configurationId = :id',
        ExpressionAttributeValues: { ':id': record.id },
      },
    };
  }

  /** One transaction; a failed condition says which: the configuration's own, or the default marker. */
  private async transact(record: ChannelConfigurationRecord, items: TransactItem[]): Promise<void> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (reasons[1]?.Code === 'ConditionalCheckFailed' && record.isDefault)
        throw new DefaultTakenError(record.channel);
      if (reasons[0]?.Code === 'ConditionalCheckFailed')
        throw new ConcurrentUpdateError(`Channel configuration ${record.id}`);
      throw error;
    }
  }
}

function toRecord(item: Record<string, unknown>): ChannelConfigurationRecord {
  const { type: _type, ...rest } = withoutKeys(item);
  return rest as unknown as ChannelConfigurationRecord; // folded into the stores' parse-on-read helper when it lands
}
