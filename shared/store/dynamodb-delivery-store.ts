import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { AlreadyExistsError } from '../domain/errors.ts';
import type { Page } from '../domain/page.ts';
import type { DeliveryRecord, DeliveryStore, WebhookConfig } from '../domain/webhook.ts';
import type { AttemptView } from '../schemas/webhook.ts';
import { BatchReader } from './batch-reader.ts';
import { BatchWriter } from './batch-writer.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { attemptItem, deliveryItem, failedDeliveryItem, retainedFrom } from './items.ts';
import { keys, LEGACY_WEBHOOK_LOG_SHARDS } from './keys.ts';
import { queryPages } from './query-all.ts';
import {
  forEachLimited,
  readNewestFirst,
  SHARD_QUERY_CONCURRENCY,
  type ShardedListing,
  type ShardQuery,
  shardOf,
} from './sharded-listing.ts';

type WebhookLayout = Pick<WebhookConfig, 'sandbox' | 'id' | 'logShards'>;

/**
 * The shards of a webhook's attempt log (ADR 0033: as many as its `logShards`); a webhook created
 * before it has LEGACY_WEBHOOK_LOG_SHARDS, then the partition it had before them (ADR 0022).
 */
function attemptListing({ sandbox, id, logShards }: WebhookLayout): ShardedListing {
  const unsharded = keys.unshardedAttempts(sandbox, id).pk;
  const shards = Array.from(
    { length: logShards ?? LEGACY_WEBHOOK_LOG_SHARDS },
    (_, s) => keys.attempts(sandbox, id, s).pk,
  );
  return { id: unsharded, pks: logShards === undefined ? [...shards, unsharded] : shards };
}

function failedPartitions({ sandbox, id, logShards }: WebhookLayout): string[] {
  const shards = Array.from(
    { length: logShards ?? LEGACY_WEBHOOK_LOG_SHARDS },
    (_, s) => keys.failedDeliveries(sandbox, id, s).pk,
  );
  return logShards === undefined ? [...shards, keys.unshardedFailedDeliveries(sandbox, id).pk] : shards;
}

/**
 * One item per event × webhook (its payload and state), the attempt log, and an index of
 * exhausted deliveries for recovery. The log and the index are spread over the webhook's
 * `logShards` partitions (ADR 0033; 512 for a webhook older than that) by a hash of the event id, so one busy webhook is no hot partition; all
 * of an event's attempts share its shard. All expire by TTL. An attempt's writes (the record's new
 * state, the log line, the failed index) go out in BatchWriteItem calls shared with the other
 * attempts settling at the same moment (ADR 0030).
 */
export class DynamoDbDeliveryStore extends DynamoDbTable implements DeliveryStore {
  private readonly writer: BatchWriter;
  private readonly reader: BatchReader;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    super(client, tableName);
    this.writer = new BatchWriter(client, tableName);
    this.reader = new BatchReader(client, tableName);
  }

  async create(record: DeliveryRecord): Promise<boolean> {
    try {
      await this.createRecord(deliveryItem, record);
      return true;
    } catch (error) {
      // A redelivered status event: its delivery is already recorded.
      if (error instanceof AlreadyExistsError) return false;
      throw error;
    }
  }

  async get(sandbox: string, webhookId: string, eventId: string): Promise<DeliveryRecord | undefined> {
    return this.getRecord(deliveryItem, keys.delivery(sandbox, webhookId, eventId));
  }

  async find(sandbox: string, webhookId: string, eventId: string): Promise<DeliveryRecord | undefined> {
    // Batched with the other records of the SQS batch asking in the same turn (ADR 0033).
    const item = await this.reader.readOne(keys.delivery(sandbox, webhookId, eventId));
    return item ? deliveryItem.parse(item) : undefined;
  }

  async recordAttempt(
    record: DeliveryRecord,
    attempt: AttemptView,
    state: DeliveryRecord['state'],
  ): Promise<void> {
    // The record carries its webhook's layout; one made before ADR 0033 has the legacy one.
    const shard = shardOf(record.eventId, record.logShards ?? LEGACY_WEBHOOK_LOG_SHARDS);
    const failedKey = {
      pk: keys.failedDeliveries(record.sandbox, record.webhookId, shard).pk,
      sk: `${record.createdAt}#${record.eventId}`,
    };
    // The failed index holds the delivery only while its record says `failed` (both change in this
    // group), so there is nothing to delete otherwise: no write to the index per attempt.
    const failedPut =
      state === 'failed'
        ? [
            {
              ...failedKey,
              type: failedDeliveryItem.kind,
              eventId: record.eventId,
              expiresAt: retainedFrom(record.createdAt),
            },
          ]
        : [];
    const failedDelete = state !== 'failed' && record.state === 'failed' ? [failedKey] : [];
    // Batched with the attempts of the other deliveries settling in the same turn (ADR 0030).
    await this.writer.write({
      puts: [
        this.putOf(deliveryItem, {
          ...record,
          state,
          attempts: record.attempts + 1,
          lastAttemptAt: attempt.at,
        }).Item,
        {
          pk: keys.attempts(record.sandbox, record.webhookId, shard).pk,
          sk: `${attempt.at}#${record.eventId}#${attempt.attempt}`,
          type: attemptItem.kind,
          ...attempt,
          expiresAt: retainedFrom(attempt.at),
        },
        ...failedPut,
      ],
      deletes: failedDelete,
    });
  }

  async listAttempts(
    webhook: WebhookLayout,
    page: { limit: number; cursor?: string },
  ): Promise<Page<AttemptView>> {
    return readNewestFirst(attemptListing(webhook), (query) => this.queryShard(query), page);
  }

  private async queryShard(query: ShardQuery) {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: query.before === undefined ? 'pk = :pk' : 'pk = :pk AND sk < :before',
        ExpressionAttributeValues: {
          ':pk': query.pk,
          ...(query.before === undefined ? {} : { ':before': query.before }),
        },
        ScanIndexForward: false,
        Limit: query.limit,
        ...(query.startKey ? { ExclusiveStartKey: query.startKey } : {}),
      }),
    );
    return {
      entries: (result.Items ?? []).map((item) => ({ sk: String(item.sk), value: attemptItem.parse(item) })),
      ...(result.LastEvaluatedKey ? { lastKey: result.LastEvaluatedKey } : {}),
    };
  }

  /** Every shard of the failed index, side by side (recovery is rare); by creation time. */
  async listFailed(webhook: WebhookLayout, since: string, until: string): Promise<string[]> {
    const found: { sk: string; eventId: string }[] = [];
    await forEachLimited(failedPartitions(webhook), SHARD_QUERY_CONCURRENCY, (pk) =>
      queryPages(
        this.client,
        {
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :since AND :until',
          ExpressionAttributeValues: { ':pk': pk, ':since': since, ':until': until },
        },
        (page) =>
          found.push(
            ...(page.Items ?? []).map((item) => ({
              sk: String(item.sk),
              eventId: failedDeliveryItem.parse(item).eventId,
            })),
          ),
      ),
    );
    return found.sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0)).map((f) => f.eventId);
  }
}
