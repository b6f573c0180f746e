import { BatchWriteCommand, type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TurnGatherer } from './turn-gatherer.ts';

/**
 * The writes of one caller that belong together: items to put and keys to delete, in one table.
 * Each must name a distinct item (as in a transaction).
 */
export interface WriteGroup {
  readonly puts: readonly Record<string, unknown>[];
  readonly deletes: readonly { readonly pk: string; readonly sk: string }[];
}

/** BatchWriteItem's limit: 25 puts and deletes a call. */
export const BATCH_WRITE_ITEMS = 25;

interface Pending {
  readonly group: WriteGroup;
  readonly keys: readonly string[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const keyOf = (item: { readonly pk?: unknown; readonly sk?: unknown }) =>
  `${String(item.pk)}\u0000${String(item.sk)}`;

function keysOf(group: WriteGroup): string[] {
  return [...group.puts.map(keyOf), ...group.deletes.map(keyOf)];
}

/**
 * Packs groups, in the order they came, into waves of BatchWriteItem requests: the requests of a
 * wave run side by side and name distinct items; a group naming an item an earlier group of the
 * wave names starts the next wave, so the later write lands last. Pure.
 */
export function packWaves<T extends { readonly group: WriteGroup; readonly keys: readonly string[] }>(
  pending: readonly T[],
  limit = BATCH_WRITE_ITEMS,
): T[][][] {
  const waves: T[][][] = [];
  let wave: T[][] = [];
  let waveKeys = new Set<string>();
  let request: T[] = [];
  let size = 0;
  for (const entry of pending) {
    const count = entry.keys.length;
    if (entry.keys.some((key) => waveKeys.has(key))) {
      if (request.length > 0) wave.push(request);
      if (wave.length > 0) waves.push(wave);
      wave = [];
      waveKeys = new Set();
      request = [];
      size = 0;
    } else if (size + count > limit && request.length > 0) {
      wave.push(request);
      request = [];
      size = 0;
    }
    request.push(entry);
    size += count;
    for (const key of entry.keys) waveKeys.add(key);
  }
  if (request.length > 0) wave.push(request);
  if (wave.length > 0) waves.push(wave);
  return waves;
}

/**
 * Gathers the write groups that callers hand in during one turn of the event loop (the records
 * of an SQS batch settle side by side, and their writes land in the same turn) and writes them
 * with as few BatchWriteItem calls as the 25-item limit allows, instead of one transaction each.
 * Each caller's promise settles when its own group is written. A group DynamoDB leaves
 * unprocessed (throttling) is written again in one transaction of its own, so it is all there
 * when its promise resolves; a request that fails rejects the promises of its groups.
 *
 * What is given up against a transaction per group: between a partly processed batch and that
 * second write, a crash leaves the group's items partly written (ADR 0030).
 */
export class BatchWriter {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly gathered = new TurnGatherer<Pending>((taken) => void this.flush(taken));

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  write(group: WriteGroup): Promise<void> {
    return new Promise((resolve, reject) => {
      this.gathered.add({ group, keys: keysOf(group), resolve, reject });
    });
  }

  private async flush(taken: readonly Pending[]): Promise<void> {
    for (const wave of packWaves(taken)) await Promise.all(wave.map((request) => this.send(request)));
  }

  private async send(request: readonly Pending[]): Promise<void> {
    let unprocessed: Set<string>;
    try {
      const result = await this.client.send(
        new BatchWriteCommand({
          RequestItems: {
            [this.tableName]: request.flatMap(({ group }) => [
              ...group.puts.map((Item) => ({ PutRequest: { Item: { ...Item } } })),
              ...group.deletes.map((Key) => ({ DeleteRequest: { Key: { pk: Key.pk, sk: Key.sk } } })),
            ]),
          },
        }),
      );
      unprocessed = new Set(
        (result.UnprocessedItems?.[this.tableName] ?? []).map((entry) =>
          keyOf(entry.PutRequest?.Item ?? entry.DeleteRequest?.Key ?? {}),
        ),
      );
    } catch (error) {
      for (const entry of request) entry.reject(error);
      return;
    }
    await Promise.all(
      request.map(async (entry) => {
        try {
          if (entry.keys.some((key) => unprocessed.has(key))) await this.transact(entry.group);
          entry.resolve();
        } catch (error) {
          entry.reject(error);
        }
      }),
    );
  }

  /** One group in one transaction: what it was written as before it was batched. */
  private async transact(group: WriteGroup): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          ...group.puts.map((Item) => ({ Put: { TableName: this.tableName, Item: { ...Item } } })),
          ...group.deletes.map((Key) => ({
            Delete: { TableName: this.tableName, Key: { pk: Key.pk, sk: Key.sk } },
          })),
        ],
      }),
    );
  }
}
