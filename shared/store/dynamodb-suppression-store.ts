import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SuppressionStore } from '../domain/channel.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { suppressionKeyItem } from './items.ts';
import { keys } from './keys.ts';

/**
 * A suppression-list lookup: the keys of the asked-for addresses (each once), and which address
 * a returned item is. Only keys are read: what is suppressed is which asked-for items exist.
 */
export function suppressionLookup(sandbox: string, channel: string, addresses: readonly string[]) {
  const byPk = new Map(addresses.map((address) => [keys.suppression(sandbox, channel, address).pk, address]));
  return {
    keys: [...byPk.values()].map((address) => keys.suppression(sandbox, channel, address)),
    addressOf: (item: Readonly<Record<string, unknown>>) => byPk.get(suppressionKeyItem.parse(item).pk),
  };
}

/** The sandbox's suppression list: one item per channel and address, read in batches at fan-out and dispatch. */
export class DynamoDbSuppressionStore extends DynamoDbTable implements SuppressionStore {
  async suppressedAmong(
    sandbox: string,
    channel: string,
    addresses: readonly string[],
  ): Promise<Set<string>> {
    const lookup = suppressionLookup(sandbox, channel, addresses);
    const items = await this.batchGet(lookup.keys, 'pk');
    return new Set(items.flatMap((item) => lookup.addressOf(item) ?? []));
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
