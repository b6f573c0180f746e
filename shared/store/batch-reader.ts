import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { TurnGatherer } from './turn-gatherer.ts';

/** BatchGetItem takes at most 100 keys a call. */
export const BATCH_GET_KEYS = 100;

type ItemKey = { readonly pk: string; readonly sk: string };
type Item = Record<string, unknown>;

interface Pending {
  readonly keys: readonly ItemKey[];
  readonly resolve: (items: Item[]) => void;
  readonly reject: (error: unknown) => void;
}

const keyOf = (item: { readonly pk?: unknown; readonly sk?: unknown }) =>
  `${String(item.pk)}\u0000${String(item.sk)}`;

/**
 * Splits the distinct keys of the reads, in the order they came, into requests of at most `limit`
 * keys (a key several reads ask for is asked once). Pure.
 */
export function packReads(reads: readonly { readonly keys: readonly ItemKey[] }[], limit = BATCH_GET_KEYS) {
  const distinct = new Map<string, ItemKey>();
  for (const read of reads) for (const key of read.keys) distinct.set(keyOf(key), key);
  const all = [...distinct.values()];
  const requests: ItemKey[][] = [];
  for (let start = 0; start < all.length; start += limit) requests.push(all.slice(start, start + limit));
  return requests;
}

/**
 * Gathers the strongly consistent reads that callers hand in during one turn of the event loop
 * (the jobs of an SQS batch start side by side, and their first reads land in the same turn) and
 * reads them with as few BatchGetItem calls as the 100-key limit allows, instead of one call each,
 * keys several callers ask for asked once. Unprocessed keys are asked again until none is left (the
 * SDK has already backed off on throttling). Each caller's promise resolves with the items of its
 * own keys (missing ones absent, in no particular order); a failed request rejects every caller
 * whose keys it held. The reads of one turn are as consistent as they were one by one: each is a
 * strongly consistent read made after its caller asked (ADR 0034).
 */
export class BatchReader {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly gathered = new TurnGatherer<Pending>((taken) => void this.flush(taken));

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  read(keys: readonly ItemKey[]): Promise<Item[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.gathered.add({ keys, resolve, reject });
    });
  }

  /** One item (undefined when there is none), read with the other reads of its turn. */
  async readOne(key: ItemKey): Promise<Item | undefined> {
    const [item] = await this.read([key]);
    return item;
  }

  private async flush(taken: readonly Pending[]): Promise<void> {
    const found = new Map<string, Item>();
    const failures = new Map<string, unknown>();
    await Promise.all(
      packReads(taken).map(async (request) => {
        try {
          for (const item of await this.get(request)) found.set(keyOf(item), item);
        } catch (error) {
          for (const key of request) failures.set(keyOf(key), error);
        }
      }),
    );
    for (const entry of taken) {
      const failed = entry.keys.find((key) => failures.has(keyOf(key)));
      if (failed) {
        entry.reject(failures.get(keyOf(failed)));
        continue;
      }
      const items: Item[] = [];
      const seen = new Set<string>();
      for (const key of entry.keys) {
        const id = keyOf(key);
        const item = found.get(id);
        if (item && !seen.has(id)) {
          seen.add(id);
          items.push(item);
        }
      }
      entry.resolve(items);
    }
  }

  private async get(keys: readonly ItemKey[]): Promise<Item[]> {
    const items: Item[] = [];
    let request: Record<string, unknown>[] | undefined = keys.map((key) => ({ pk: key.pk, sk: key.sk }));
    while (request && request.length > 0) {
      const result: BatchGetCommandOutput = await this.client.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: request, ConsistentRead: true } } }),
      );
      items.push(...(result.Responses?.[this.tableName] ?? []));
      request = result.UnprocessedKeys?.[this.tableName]?.Keys;
    }
    return items;
  }
}
