import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SuppressionStore } from '../domain/channel.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { suppressionKeyItem } from './items.ts';
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
    // Only the key is read: what is suppressed is which of the asked-for items exist.
    return new Set(items.flatMap((item) => byPk.get(suppressionKeyItem.parse(item).pk) ?? []));
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
          type: suppressionKeyItem.kind,
          sandbox,
          channel,
          address,
          ...reason,
        },
      }),
    );
  }
}
