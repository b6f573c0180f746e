import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';

/** BatchGetItem's limit: 100 keys a call. */
export const BATCH_GET_KEYS = 100;

interface Waiting {
  readonly key: string;
  readonly resolve: (item: Record<string, unknown> | undefined) => void;
  readonly reject: (error: unknown) => void;
}

const keyOf = (item: { readonly pk?: unknown; readonly sk?: unknown }) =>
  `${String(item.pk)}\u0000${String(item.sk)}`;

/**
 * The read twin of BatchWriter (ADR 0030, 0033): gathers the items callers ask for during one turn
 * of the event loop (the records of an SQS batch run side by side and ask in the same turn) and
 * reads them in strongly consistent BatchGetItem calls of up to 100 keys, side by side, instead of
 * one GetItem each. Each caller's promise settles with its item (undefined when there is none) once
 * its call is answered; keys DynamoDB leaves unprocessed (throttling) are asked again until none
 * is left; a call that fails rejects the promises of its keys. The same key asked twice in one
 * turn is read once.
 */
export class BatchReader {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  read(key: { readonly pk: string; readonly sk: string }): Promise<Record<string, unknown> | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ key: keyOf(key), resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          const taken = this.waiting;
          this.waiting = [];
          void this.flush(taken);
        });
      }
    });
  }

  private async flush(taken: readonly Waiting[]): Promise<void> {
    const byKey = new Map<string, Waiting[]>();
    for (const entry of taken) byKey.set(entry.key, [...(byKey.get(entry.key) ?? []), entry]);
    const keys = [...byKey.keys()];
    const calls: Promise<void>[] = [];
    for (let start = 0; start < keys.length; start += BATCH_GET_KEYS) {
      const chunk = keys.slice(start, start + BATCH_GET_KEYS);
      calls.push(
        this.get(chunk).then(
          (found) => {
            for (const key of chunk) for (const entry of byKey.get(key) ?? []) entry.resolve(found.get(key));
          },
          (error: unknown) => {
            for (const key of chunk) for (const entry of byKey.get(key) ?? []) entry.reject(error);
          },
        ),
      );
    }
    await Promise.all(calls);
  }

  /** The items of `keys` (at most 100), by key; unprocessed keys asked again. */
  private async get(keys: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    let request: Record<string, unknown>[] | undefined = keys.map((key) => {
      const [pk, sk] = key.split('\u0000');
      return { pk, sk };
    });
    while (request && request.length > 0) {
      const result: BatchGetCommandOutput = await this.client.send(
        new BatchGetCommand({
          RequestItems: { [this.tableName]: { Keys: request, ConsistentRead: true } },
        }),
      );
      for (const item of result.Responses?.[this.tableName] ?? []) found.set(keyOf(item), item);
      request = result.UnprocessedKeys?.[this.tableName]?.Keys;
    }
    return found;
  }
}
