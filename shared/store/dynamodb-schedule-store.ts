import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IdempotencyRecord } from '../domain/idempotency.ts';
import type { ScheduleRecord, ScheduleStore } from '../domain/schedule.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { putClaimed } from './idempotency.ts';
import { DUE_SCHEDULE_PARTITION, keys, withoutKeys } from './keys.ts';

/** Kept for this long after the run time (they hold the run's context until it starts). */
const RETENTION_SECONDS = 30 * 24 * 3600;

/**
 * Scheduled audience runs. A schedule waiting to run is in the sparse `due` index (its own
 * partition there), so the scheduler finds it with one query; it leaves the index once it ends.
 */
export class DynamoDbScheduleStore extends DynamoDbTable implements ScheduleStore {
  async create(schedule: ScheduleRecord, idempotency: IdempotencyRecord | undefined, nowMs: number) {
    const item = {
      ...keys.schedule(schedule.sandbox, schedule.scheduleId),
      type: 'schedule',
      ...schedule,
      duePk: DUE_SCHEDULE_PARTITION,
      dueSk: `${new Date(schedule.executeAt).toISOString()}#${schedule.sandbox}#${schedule.scheduleId}`,
      expiresAt: Math.floor(Date.parse(schedule.executeAt) / 1000) + RETENTION_SECONDS,
    };
    return putClaimed(this.client, this.tableName, [item], idempotency, nowMs);
  }

  async get(sandbox: string, scheduleId: string): Promise<ScheduleRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.schedule(sandbox, scheduleId),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const { type: _type, expiresAt: _expiresAt, ...record } = withoutKeys(Item);
    return record as unknown as ScheduleRecord;
  }

  async transition(
    schedule: ScheduleRecord,
    from: ScheduleRecord['scheduleStatus'],
    to: ScheduleRecord['scheduleStatus'],
    extra: { executionId?: string; failure?: string } = {},
  ): Promise<boolean> {
    const finished = to !== 'Scheduled' && to !== 'Triggering';
    const sets = ['scheduleStatus = :to'];
    const values: Record<string, unknown> = { ':to': to, ':from': from };
    if (extra.executionId) {
      sets.push('executionId = :executionId');
      values[':executionId'] = extra.executionId;
    }
    if (extra.failure) {
      sets.push('failure = :failure');
      values[':failure'] = extra.failure;
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.schedule(schedule.sandbox, schedule.scheduleId),
          // A finished schedule leaves the due index, and no longer keeps the run's context.
          UpdateExpression: `SET ${sets.join(', ')}${finished ? ' REMOVE duePk, dueSk, #context' : ''}`,
          ConditionExpression: 'scheduleStatus = :from',
          ...(finished ? { ExpressionAttributeNames: { '#context': 'context' } } : {}),
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async listDue(now: Date, limit: number): Promise<{ sandbox: string; scheduleId: string }[]> {
    return (await this.queryDue(DUE_SCHEDULE_PARTITION, now, limit)).map((item) => ({
      sandbox: String(item.sandbox),
      scheduleId: String(item.scheduleId),
    }));
  }
}
