import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IdempotencyRecord } from '../domain/idempotency.ts';
import type { Page } from '../domain/page.ts';
import type { ScheduleRecord, ScheduleStore } from '../domain/schedule.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { putClaimed } from './idempotency.ts';
import { scheduleDueItem, scheduleItem, scheduleRefItem } from './items.ts';
import { DUE_SCHEDULE_PARTITION, keys } from './keys.ts';

/**
 * Scheduled audience runs. A schedule waiting to run is in the sparse `due` index (its own
 * partition there), so the scheduler finds it with one query; it leaves the index once it ends.
 * Each has an entry in its sandbox's listing, written in the same transaction. Schedules created
 * before the listing existed are not listed (they run, and can be read and cancelled by id).
 */
export class DynamoDbScheduleStore extends DynamoDbTable implements ScheduleStore {
  async create(schedule: ScheduleRecord, idempotency: IdempotencyRecord | undefined, nowMs: number) {
    const { sandbox, scheduleId, createdAt, executeAt } = schedule;
    return putClaimed(
      this.client,
      this.tableName,
      [scheduleItem.item(schedule), scheduleRefItem.item({ sandbox, scheduleId, createdAt, executeAt })],
      idempotency,
      nowMs,
    );
  }

  /** Newest first: a page of the listing's entries, then their schedules in one batched read. */
  async list(
    sandbox: string,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<Page<ScheduleRecord>> {
    const refs = await this.pageRecords(scheduleRefItem, keys.schedules(sandbox), page, {
      newestFirst: true,
    });
    const found = new Map(
      (
        await this.getRecords(
          scheduleItem,
          refs.items.map((ref) => keys.schedule(sandbox, ref.scheduleId)),
        )
      ).map((schedule) => [schedule.scheduleId, schedule]),
    );
    return {
      items: refs.items.flatMap((ref) => found.get(ref.scheduleId) ?? []),
      ...(refs.nextCursor ? { nextCursor: refs.nextCursor } : {}),
    };
  }

  async get(sandbox: string, scheduleId: string): Promise<ScheduleRecord | undefined> {
    return this.getRecord(scheduleItem, keys.schedule(sandbox, scheduleId));
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
    return (await this.queryDue(DUE_SCHEDULE_PARTITION, now, limit)).map((item) =>
      scheduleDueItem.parse(item),
    );
  }
}
