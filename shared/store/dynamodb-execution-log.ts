import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  EXECUTION_LOG_SHARDS,
  type ExecutionLogQuery,
  type ExecutionLogReader,
  type ExecutionLogRecord,
  executionLogPosition,
  executionLogShard,
  mergeShards,
} from '../domain/execution-log.ts';
import { EXECUTION_KINDS } from '../schemas/execution-log.ts';
import * as z from '../schemas/zod.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { entity, type RecordShape } from './entity.ts';
import { retainedFrom } from './items.ts';
import { keys } from './keys.ts';

/** An execution's entry in its sandbox's log; kept as long as the execution (30 days). */
export const executionLogItem = entity({
  kind: 'execution-log',
  label: 'Execution log entry',
  key: (r: ExecutionLogRecord) =>
    keys.executionLog(r.sandbox, executionLogShard(r.executionId), executionLogPosition(r)),
  id: (r) => r.executionId,
  schema: z.object({
    sandbox: z.string(),
    executionId: z.string(),
    kind: z.enum(EXECUTION_KINDS),
    campaignId: z.string(),
    requestId: z.optional(z.string()),
    audienceId: z.optional(z.string()),
    createdAt: z.string(),
    createdBy: z.string(),
  } satisfies RecordShape<ExecutionLogRecord>),
  attributes: (r) => ({ expiresAt: retainedFrom(r.createdAt) }),
});

/**
 * Reads the log: every shard queried newest first (in parallel), each up to `limit` matching
 * entries, merged. Filters on campaign and kind are applied by DynamoDB to each page read.
 */
export class DynamoDbExecutionLog extends DynamoDbTable implements ExecutionLogReader {
  async list(sandbox: string, query: ExecutionLogQuery) {
    const shards = await Promise.all(
      Array.from({ length: EXECUTION_LOG_SHARDS }, (_, shard) => this.readShard(sandbox, shard, query)),
    );
    return mergeShards(shards, query.limit);
  }

  private async readShard(sandbox: string, shard: number, query: ExecutionLogQuery) {
    const { pk } = keys.executionLogShard(sandbox, shard);
    const filters: string[] = [];
    const values: Record<string, unknown> = { ':pk': pk };
    if (query.campaignId !== undefined) {
      filters.push('campaignId = :campaignId');
      values[':campaignId'] = query.campaignId;
    }
    if (query.kind !== undefined) {
      filters.push('#kind = :kind');
      values[':kind'] = query.kind;
    }
    // Positions start with the ISO creation time; `~` sorts after every position of that time.
    const high = query.before ?? '~';
    values[':high'] = high;
    let condition = 'pk = :pk AND sk < :high';
    if (query.since !== undefined) {
      condition = 'pk = :pk AND sk BETWEEN :low AND :high';
      values[':low'] = query.since;
    }
    const items: ExecutionLogRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: condition,
          ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
          ...(query.kind !== undefined ? { ExpressionAttributeNames: { '#kind': 'kind' } } : {}),
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: query.limit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        // BETWEEN includes its upper bound: the cursor's own entry was on the previous page.
        if (item.sk !== high) items.push(executionLogItem.parse(item));
      }
      start = page.LastEvaluatedKey;
    } while (start && items.length < query.limit);
    return { items: items.slice(0, query.limit), more: start !== undefined || items.length > query.limit };
  }
}

/** The log entry of a unitary or high-throughput execution, written in the execution's own transaction. */
export const executionLogEntry = (
  kind: 'unitary' | 'high-throughput',
  r: {
    sandbox: string;
    executionId: string;
    campaignId: string;
    requestId: string;
    createdAt: string;
    createdBy: string;
  },
) =>
  executionLogItem.item({
    sandbox: r.sandbox,
    executionId: r.executionId,
    kind,
    campaignId: r.campaignId,
    requestId: r.requestId,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
  });
