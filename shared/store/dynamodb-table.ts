import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { AlreadyExistsError, ConcurrentUpdateError, ValidationError } from '../domain/errors.ts';
import type { Page } from '../domain/page.ts';
import { isConditionFailure } from './conditions.ts';
import { type Entity, type ItemReader, revisionCondition } from './entity.ts';
import { decodeCursor, encodeCursor, type Key } from './keys.ts';
import { queryAll } from './query-all.ts';

/** BatchGetItem takes at most 100 keys a call. */
const BATCH_GET_LIMIT = 100;

/** A listing: one partition, the sort keys that start with `prefix`. */
export interface Listing {
  readonly pk: string;
  readonly prefix: string;
}

/**
 * What every DynamoDB adapter holds: the document client and Herald's one table, and the record
 * operations every store shares (get, create, save with a revision, list, page), each written
 * once over an Entity so every read is parsed.
 */
export abstract class DynamoDbTable {
  protected readonly client: DynamoDBDocumentClient;
  protected readonly tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  /** One record by key, strongly consistent unless `consistent` is false. */
  protected async getRecord<R>(entity: ItemReader<R>, key: Key, consistent = true): Promise<R | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: key,
        ...(consistent ? { ConsistentRead: true } : {}),
      }),
    );
    return Item ? entity.parse(Item) : undefined;
  }

  /** Several records by key in batched reads; missing ones are absent, the order is not kept. */
  protected async getRecords<R>(entity: ItemReader<R>, itemKeys: readonly Key[]): Promise<R[]> {
    return (await this.batchGet(itemKeys)).map((item) => entity.parse(item));
  }

  /** Writes a new record; AlreadyExistsError when its key is taken. */
  protected async createRecord<R>(
    entity: Entity<R>,
    record: R,
    extra?: Readonly<Record<string, unknown>>,
  ): Promise<void> {
    try {
      await this.client.send(new PutCommand(this.putOf(entity, record, 'absent', extra)));
    } catch (error) {
      if (isConditionFailure(error)) throw new AlreadyExistsError(entity.label, entity.id(record));
      throw error;
    }
  }

  /**
   * Writes a record when the stored one is still at `previous` (by default the revision before
   * the record's), or absent for `'absent'`; else ConcurrentUpdateError.
   */
  protected async saveRecord<R extends { readonly revision: number }>(
    entity: Entity<R>,
    record: R,
    previous: number | 'absent' = record.revision - 1,
  ): Promise<void> {
    try {
      await this.client.send(new PutCommand(this.putOf(entity, record, previous)));
    } catch (error) {
      if (isConditionFailure(error)) throw this.conflict(entity, record);
      throw error;
    }
  }

  /**
   * The Put of a record, under a revision condition when `previous` is given: the input of a
   * PutCommand or the `Put` of a transaction member (claims, profiles with their identities).
   */
  protected putOf<R>(
    entity: Entity<R>,
    record: R,
    previous?: number | 'absent',
    extra?: Readonly<Record<string, unknown>>,
  ) {
    return {
      TableName: this.tableName,
      Item: entity.item(record, extra),
      ...(previous === undefined ? {} : revisionCondition(previous)),
    };
  }

  /** The error of a write that lost the race for a record. */
  protected conflict<R>(entity: Entity<R>, record: R): ConcurrentUpdateError {
    return new ConcurrentUpdateError(`${entity.label} ${entity.id(record)}`);
  }

  /** Every record of a listing, following pages. For small sets (a sandbox's webhooks, audiences). */
  protected async listRecords<R>(entity: ItemReader<R>, listing: Listing): Promise<R[]> {
    return (await queryAll(this.client, this.tableName, listing.pk, listing.prefix)).map((item) =>
      entity.parse(item),
    );
  }

  /** One page of a listing behind an opaque cursor (which must point inside the same listing). */
  protected async pageRecords<R>(
    entity: ItemReader<R>,
    listing: Listing,
    page: { readonly limit: number; readonly cursor?: string | undefined },
    options: { readonly newestFirst?: boolean; readonly consistent?: boolean } = {},
  ): Promise<Page<R>> {
    const { pk, prefix } = listing;
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        ...(prefix
          ? {
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
              ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
            }
          : { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } }),
        ...(options.newestFirst ? { ScanIndexForward: false } : {}),
        ...(options.consistent ? { ConsistentRead: true } : {}),
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor, pk, prefix),
      }),
    );
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    return {
      items: (result.Items ?? []).map((item) => entity.parse(item)),
      ...(nextCursor ? { nextCursor } : {}),
    };
  }

  /**
   * One page of a listing spread over `shards` partitions, read in turn (shard 0 in sort-key
   * order, then shard 1, …): for listings whose order across shards does not matter (a
   * suppression list, an audience's members). The cursor is opaque: the shard and the sort key of
   * the last item read in it (`skOf`); one that is not such a position is a 400 on `query.cursor`.
   */
  protected async pageShardsInTurn<R>(
    entity: ItemReader<R>,
    shards: number,
    listingOf: (shard: number) => Listing,
    skOf: (record: R) => string,
    page: { readonly limit: number; readonly cursor?: string | undefined },
  ): Promise<Page<R>> {
    const start = decodeShardPosition(page.cursor, shards, listingOf);
    const items: R[] = [];
    for (let shard = start.shard; shard < shards; shard++) {
      const listing = listingOf(shard);
      const after = shard === start.shard ? start.after : undefined;
      const found = await this.pageRecords(entity, listing, {
        limit: page.limit - items.length,
        cursor: after === undefined ? undefined : encodeCursor({ pk: listing.pk, sk: after }),
      });
      items.push(...found.items);
      const last = found.items.at(-1);
      if (found.nextCursor && last)
        return { items, nextCursor: encodeShardPosition({ shard, after: skOf(last) }) };
      if (items.length >= page.limit)
        return shard + 1 < shards
          ? { items, nextCursor: encodeShardPosition({ shard: shard + 1 }) }
          : { items };
    }
    return { items };
  }

  /**
   * Strongly consistent reads of many items, 100 keys a call, retrying unprocessed keys (the SDK
   * has already backed off on throttling). Items come back in no particular order; missing ones
   * are simply absent.
   */
  protected async batchGet(
    itemKeys: readonly Record<string, unknown>[],
    projection?: string,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for (let start = 0; start < itemKeys.length; start += BATCH_GET_LIMIT) {
      let request: Record<string, unknown>[] | undefined = itemKeys.slice(start, start + BATCH_GET_LIMIT);
      while (request && request.length > 0) {
        const result: BatchGetCommandOutput = await this.client.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: request,
                ConsistentRead: true,
                ...(projection ? { ProjectionExpression: projection } : {}),
              },
            },
          }),
        );
        items.push(...(result.Responses?.[this.tableName] ?? []));
        request = result.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return items;
  }

  /**
   * Items of one partition of the sparse `due` index whose time (the start of `dueSk`, an ISO
   * date) has come, oldest first.
   */
  protected async queryDue(partition: string, now: Date, limit: number): Promise<Record<string, unknown>[]> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'due',
        KeyConditionExpression: 'duePk = :pk AND dueSk <= :now',
        ExpressionAttributeValues: { ':pk': partition, ':now': `${now.toISOString()}~` },
        Limit: limit,
      }),
    );
    return result.Items ?? [];
  }
}

/** Where a page of a listing read shard by shard starts: a shard, and the last sort key read in it. */
interface ShardPosition {
  readonly shard: number;
  readonly after?: string;
}

const encodeShardPosition = (position: ShardPosition) =>
  Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');

function decodeShardPosition(
  cursor: string | undefined,
  shards: number,
  listingOf: (shard: number) => Listing,
): ShardPosition {
  if (cursor === undefined) return { shard: 0 };
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (parsed !== null && typeof parsed === 'object' && 'shard' in parsed) {
      const { shard } = parsed;
      const after = 'after' in parsed ? parsed.after : undefined;
      if (typeof shard === 'number' && Number.isInteger(shard) && shard >= 0 && shard < shards) {
        if (after === undefined) return { shard };
        if (typeof after === 'string' && after !== '' && after.startsWith(listingOf(shard).prefix))
          return { shard, after };
      }
    }
  } catch {
    // fall through: any undecodable cursor is the client's mistake
  }
  throw new ValidationError([{ path: 'query.cursor', message: 'is not a cursor returned by this listing' }]);
}
