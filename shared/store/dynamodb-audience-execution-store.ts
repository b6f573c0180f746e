import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AudienceExecutionRecord, AudienceExecutionStore } from '../domain/audience.ts';
import { MEMBER_SHARDS } from '../domain/audience.ts';
import type { IdempotencyRecord } from '../domain/idempotency.ts';
import type { MessageStatus } from '../schemas/execution.ts';
import { executionLogItem } from './dynamodb-execution-log.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { putClaimed } from './idempotency.ts';
import { audienceExecutionItem, messageStatusItem, shardsDoneItem } from './items.ts';
import { keys } from './keys.ts';
import { queryPages } from './query-all.ts';
import { nextSlot, reserveSlots } from './slot-ledger.ts';

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
    return putClaimed(
      this.client,
      this.tableName,
      [
        audienceExecutionItem.item(execution),
        executionLogItem.item({
          sandbox: execution.sandbox,
          executionId: execution.executionId,
          kind: 'audience',
          campaignId: execution.campaignId,
          ...(execution.requestId !== undefined ? { requestId: execution.requestId } : {}),
          audienceId: execution.audienceId,
          createdAt: execution.createdAt,
          createdBy: execution.createdBy,
        }),
      ],
      idempotency,
      nowMs,
    );
  }

  async get(sandbox: string, executionId: string): Promise<AudienceExecutionRecord | undefined> {
    return this.getRecord(audienceExecutionItem, keys.audienceExecution(sandbox, executionId));
  }

  async nextSlot(sandbox: string, executionId: string): Promise<number | undefined> {
    return nextSlot(this.client, this.tableName, keys.throttleLedger(sandbox, executionId));
  }

  async reserveSlots(
    sandbox: string,
    executionId: string,
    count: number,
    ratePerSec: number,
    nowMs: number,
  ): Promise<number> {
    return reserveSlots(this.client, this.tableName, keys.throttleLedger(sandbox, executionId), {
      count,
      ratePerSec,
      nowMs,
    });
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
    const run = result.Attributes ? shardsDoneItem.parse(result.Attributes) : undefined;
    if ((run?.shardsDone?.size ?? 0) >= MEMBER_SHARDS && run?.status === 'InProgress') {
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
            for (const item of page.Items ?? []) statuses.push(messageStatusItem.parse(item));
          },
        ),
      ),
    );
    return statuses;
  }
}
