import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SuppressionStore } from '../domain/channel.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { keys } from './keys.ts';

/** The sandbox's suppression list: one item per channel and address, read in batches at fan-out and dispatch. */
export class DynamoDbSuppressionStore extends DynamoDbTable implements SuppressionStore {
  async suppressedAmong(
    sandbox: string,
    channel: string,
    addresses: readonly string[],
  ): Promise<Set<string>> {
    const byPk = new Map(
      addresses.map((address) => [keys.suppression(sandbox, channel, address).pk, address]),
    );
    const items = await this.batchGet(
      [...byPk.values()].map((address) => keys.suppression(sandbox, channel, address)),
      'pk',
    );
    return new Set(items.map((item) => byPk.get(String(item.pk)) ?? ''));
  }

  async suppress(
    sandbox: string,
    channel: string,
    address: string,
    reason: { code: string; messageId: string; at: string },
  ): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.suppression(sandbox, channel, address),
          type: 'suppression',
          sandbox,
          channel,
          address,
          ...reason,
        },
      }),
    );
  }
}
