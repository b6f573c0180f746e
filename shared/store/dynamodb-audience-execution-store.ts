import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AudienceExecutionRecord, AudienceExecutionStore } from '../domain/audience.ts';
import { MEMBER_SHARDS } from '../domain/audience.ts';
import type { IdempotencyRecord } from '../domain/idempotency.ts';
import type { MessageStatus } from '../schemas/execution.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { putClaimed } from './idempotency.ts';
import { keys, withoutKeys } from './keys.ts';
import { queryPages } from './query-all.ts';

/** Runs are kept this long after they start (with their shared context). */
const RETENTION_SECONDS = 30 * 24 * 3600;

/**
 * Audience executions: the run item (progress counted per page, never per message), its throttle
 * ledger, and messages spread over MEMBER_SHARDS partitions.
 */
export class DynamoDbAudienceExecutionStore extends DynamoDbTable implements AudienceExecutionStore {
  async claim(
    execution: AudienceExecutionRecord,
    idempotency: IdempotencyRecord | undefined,
    nowMs: number,
  ): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord }> {
    const expiresAt = Math.floor(Date.parse(execution.createdAt) / 1000) + RETENTION_SECONDS;
    // shardsDone grows as a number set (ADD); an empty list stored now would refuse that.
    const { shardsDone: _shardsDone, ...stored } = execution;
    return putClaimed(
      this.client,
      this.tableName,
      [
        {
          ...keys.audienceExecution(execution.sandbox, execution.executionId),
          type: 'audience-execution',
          ...stored,
          expiresAt,
        },
      ],
      idempotency,
      nowMs,
    );
  }

  async get(sandbox: string, executionId: string): Promise<AudienceExecutionRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.audienceExecution(sandbox, executionId),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const { type: _type, expiresAt: _expiresAt, shardsDone, ...record } = withoutKeys(Item);
    return {
      ...(record as unknown as AudienceExecutionRecord),
      shardsDone: [...((shardsDone as Set<number> | undefined) ?? [])],
    };
  }

  async nextSlot(sandbox: string, executionId: string): Promise<number | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.throttleLedger(sandbox, executionId),
        ConsistentRead: true,
      }),
    );
    return Item ? Number(Item.nextSlotAt) : undefined;
  }

  async reserveSlots(
    sandbox: string,
    executionId: string,
    count: number,
    ratePerSec: number,
    nowMs: number,
  ): Promise<number> {
    for (;;) {
      const stored = await this.nextSlot(sandbox, executionId);
      const start = Math.max(stored ?? 0, nowMs);
      const next = start + Math.round((count / ratePerSec) * 1000);
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.throttleLedger(sandbox, executionId),
            UpdateExpression: 'SET nextSlotAt = :next, expiresAt = :expires',
            ConditionExpression: stored === undefined ? 'attribute_not_exists(pk)' : 'nextSlotAt = :stored',
            ExpressionAttributeValues: {
              ':next': next,
              ':expires': Math.floor(nowMs / 1000) + RETENTION_SECONDS,
              ...(stored === undefined ? {} : { ':stored': stored }),
            },
          }),
        );
        return start;
      } catch (error) {
        // Another fanout worker reserved first: read the ledger again.
        if (!isConditionFailure(error)) throw error;
      }
    }
  }

  async shardDone(sandbox: string, executionId: string, shard: number): Promise<void> {
    const result = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.audienceExecution(sandbox, executionId),
        UpdateExpression: 'ADD shardsDone :shard',
        ExpressionAttributeValues: { ':shard': new Set([shard]) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const done = result.Attributes?.shardsDone as Set<number> | undefined;
    if ((done?.size ?? 0) >= MEMBER_SHARDS && result.Attributes?.status === 'InProgress') {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.audienceExecution(sandbox, executionId),
          UpdateExpression: 'SET #status = :done',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':done': 'Succeeded' },
        }),
      );
    }
  }

  async messageStatuses(sandbox: string, executionId: string) {
    const statuses: { status: MessageStatus; statusCode?: string }[] = [];
    await Promise.all(
      Array.from({ length: MEMBER_SHARDS }, (_, shard) =>
        queryPages(
          this.client,
          {
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.message(sandbox, executionId, '', shard).pk },
            ProjectionExpression: '#status, statusCode',
            ExpressionAttributeNames: { '#status': 'status' },
          },
          (page) => {
            for (const item of page.Items ?? []) {
              statuses.push({
                status: item.status as MessageStatus,
                ...(typeof item.statusCode === 'string' ? { statusCode: item.statusCode } : {}),
              });
            }
          },
        ),
      ),
    );
    return statuses;
  }
}
