import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type {
  ChannelConfigurationRecord,
  ChannelConfigurationStore,
} from '../domain/channel-configuration.ts';
import { DefaultTakenError } from '../domain/errors.ts';
import type { Channel } from '../schemas/campaign.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { channelConfigurationItem, channelDefaultItem, originationItem, originPartition } from './items.ts';
import { keys } from './keys.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Channel configurations, in their sandbox's partition, and one marker item per channel that has a
 * default (`CHANNELDEFAULT#<channel>`, naming the configuration): taking the marker is conditional,
 * in the same transaction as the configuration's write, so a channel never has two defaults.
 */
export class DynamoDbChannelConfigurationStore extends DynamoDbTable implements ChannelConfigurationStore {
  async create(record: ChannelConfigurationRecord): Promise<void> {
    await this.transact(record, [
      { Put: this.putOf(channelConfigurationItem, record, 'absent') },
      ...(record.isDefault ? [this.takeDefault(record)] : []),
    ]);
  }

  async get(sandbox: string, id: string): Promise<ChannelConfigurationRecord | undefined> {
    return this.getRecord(channelConfigurationItem, keys.channelConfiguration(sandbox, id));
  }

  async list(sandbox: string): Promise<ChannelConfigurationRecord[]> {
    return this.listRecords(channelConfigurationItem, keys.channelConfigurations(sandbox));
  }

  async save(record: ChannelConfigurationRecord, previous: ChannelConfigurationRecord): Promise<void> {
    const marker: TransactItem[] =
      record.isDefault === previous.isDefault
        ? []
        : [record.isDefault ? this.takeDefault(record) : this.giveUpDefault(previous)];
    await this.transact(record, [
      { Put: this.putOf(channelConfigurationItem, record, record.revision - 1) },
      ...marker,
    ]);
  }

  async delete(record: ChannelConfigurationRecord): Promise<void> {
    await this.transact(record, [
      {
        Delete: {
          TableName: this.tableName,
          Key: channelConfigurationItem.key(record),
          ConditionExpression: '#revision = :revision',
          ExpressionAttributeNames: { '#revision': 'revision' },
          ExpressionAttributeValues: { ':revision': record.revision },
        },
      },
      ...(record.isDefault ? [this.giveUpDefault(record)] : []),
    ]);
  }

  async getDefault(sandbox: string, channel: Channel): Promise<ChannelConfigurationRecord | undefined> {
    const marker = await this.getRecord(channelDefaultItem, keys.channelDefault(sandbox, channel));
    return marker ? this.get(sandbox, marker.configurationId) : undefined;
  }

  /**
   * The SMS configurations, in every sandbox, that send from this number (the sparse
   * `origination` index): where a STOP texted to it applies.
   */
  async sendingFrom(number: string): Promise<{ sandbox: string; id: string }[]> {
    const found: { sandbox: string; id: string }[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'origination',
          KeyConditionExpression: 'originPk = :pk',
          ExpressionAttributeValues: { ':pk': originPartition(number) },
          ProjectionExpression: 'sandbox, id',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) found.push(originationItem.parse(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
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
        throw this.conflict(channelConfigurationItem, record);
      throw error;
    }
  }
}
