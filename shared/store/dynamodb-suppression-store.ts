import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  SUPPRESSION_SHARDS,
  type SuppressionList,
  type SuppressionRecord,
  type SuppressionStore,
} from '../domain/channel.ts';
import type { Page } from '../domain/page.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { suppressionEntryItem, suppressionItem, suppressionKeyItem } from './items.ts';
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

/**
 * The sandbox's suppression list: one lookup item per channel and address, read in batches at
 * fan-out and dispatch, and beside it an entry in the channel's listing (spread over
 * SUPPRESSION_SHARDS partitions), written and removed in the same transaction. Suppressions
 * written before the listing existed have only the lookup item: they still suppress, `get` and
 * `remove` find them, the listing does not show them.
 */
export class DynamoDbSuppressionStore extends DynamoDbTable implements SuppressionStore, SuppressionList {
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
    const record = { sandbox, channel, address, ...reason };
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: this.putOf(suppressionItem, record) },
          { Put: this.putOf(suppressionEntryItem, record) },
        ],
      }),
    );
  }

  async get(sandbox: string, channel: string, address: string): Promise<SuppressionRecord | undefined> {
    const found = await this.getRecord(suppressionItem, keys.suppression(sandbox, channel, address));
    if (!found) return undefined;
    const { sandbox: _sandbox, ...record } = found;
    return record;
  }

  async remove(sandbox: string, channel: string, address: string): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tableName,
                Key: keys.suppression(sandbox, channel, address),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            { Delete: { TableName: this.tableName, Key: keys.suppressionEntry(sandbox, channel, address) } },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** The shards in turn, each in the order of its addresses' hashes. */
  async list(
    sandbox: string,
    channel: string,
    page: { readonly limit: number; readonly cursor?: string | undefined },
  ): Promise<Page<SuppressionRecord>> {
    const found = await this.pageShardsInTurn(
      suppressionEntryItem,
      SUPPRESSION_SHARDS,
      (shard) => keys.suppressionShard(sandbox, channel, shard),
      (record) => keys.suppressionEntry(sandbox, channel, record.address).sk,
      page,
    );
    return { ...found, items: found.items.map(({ sandbox: _sandbox, ...record }) => record) };
  }
}
