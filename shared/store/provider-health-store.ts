import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  HEALTH_WINDOW_MS,
  type HealthObservation,
  type ProviderHealthRecord,
  type ProviderHealthStore,
  windowStartOf,
} from '../domain/provider-health.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { providerHealthItem, RETENTION_SECONDS } from './items.ts';
import { keys } from './keys.ts';

/** Tries of a failure write when other dispatchers roll the same window over at the same time. */
const TRIES = 4;

/**
 * Channel configurations' provider health, one item each beside the send ledger
 * (`SB#<sandbox>#CHANNELCONF#<id>` / `HEALTH`), never in the configuration's own item (its PATCH
 * puts the whole item). A write is one UpdateItem: ADD to the window's failure count under the
 * condition that the window is still the current one; only when the window rolled over (once
 * per 15 minutes at most) does it read the item and start the new window, keeping the old
 * window's count as `previousFailures`. The item expires after RETENTION_SECONDS without a write.
 */
export class DynamoDbProviderHealthStore extends DynamoDbTable implements ProviderHealthStore {
  async record(
    sandbox: string,
    configurationId: string,
    observation: HealthObservation,
    nowMs: number,
  ): Promise<void> {
    const key = keys.providerHealth(sandbox, configurationId);
    const names: Record<string, string> = { '#type': 'type' };
    const values: Record<string, unknown> = {
      ':type': 'provider-health',
      ':sandbox': sandbox,
      ':id': configurationId,
      ':expires': Math.floor(nowMs / 1000) + RETENTION_SECONDS,
    };
    const sets = ['#type = :type', 'sandbox = :sandbox', 'configurationId = :id', 'expiresAt = :expires'];
    if (observation.lastFailure) {
      sets.push('lastFailureAt = :fat', 'lastFailureCode = :fcode', 'lastFailureReason = :freason');
      values[':fat'] = observation.lastFailure.at;
      values[':fcode'] = observation.lastFailure.code;
      values[':freason'] = observation.lastFailure.reason;
    }
    if (observation.succeededAt !== undefined) {
      sets.push('lastSuccessAt = :sat');
      values[':sat'] = observation.succeededAt;
    }
    const update = (expression: string, extra: Record<string, unknown>, condition?: string) =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: expression,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...values, ...extra },
          ...(condition ? { ConditionExpression: condition } : {}),
        }),
      );
    if (observation.failures === 0) {
      await update(`SET ${sets.join(', ')}`, {});
      return;
    }
    let window = windowStartOf(nowMs);
    for (let attempt = 1; ; attempt++) {
      try {
        // The usual case: the window is the current one; one write.
        await update(
          `SET ${sets.join(', ')} ADD failures :n`,
          { ':n': observation.failures, ':w': window },
          'windowStart = :w',
        );
        return;
      } catch (error) {
        if (!isConditionFailure(error) || attempt >= TRIES) throw error;
      }
      const stored = await this.get(sandbox, configurationId);
      const old = stored?.windowStart;
      // Another dispatcher started this window (or a later one, its clock ahead): add to it.
      if (old !== undefined && old >= window) {
        window = old;
        continue;
      }
      const previous = old === window - HEALTH_WINDOW_MS ? (stored?.failures ?? 0) : 0;
      try {
        await update(
          `SET ${sets.join(', ')}, windowStart = :w, failures = :n, previousFailures = :prev`,
          {
            ':n': observation.failures,
            ':w': window,
            ':prev': previous,
            ...(old !== undefined ? { ':old': old } : {}),
          },
          old === undefined ? 'attribute_not_exists(windowStart)' : 'windowStart = :old',
        );
        return;
      } catch (error) {
        if (!isConditionFailure(error) || attempt >= TRIES) throw error;
      }
    }
  }

  get(sandbox: string, configurationId: string): Promise<ProviderHealthRecord | undefined> {
    return this.getRecord(providerHealthItem, keys.providerHealth(sandbox, configurationId));
  }

  getMany(sandbox: string, configurationIds: readonly string[]): Promise<ProviderHealthRecord[]> {
    return this.getRecords(
      providerHealthItem,
      configurationIds.map((id) => keys.providerHealth(sandbox, id)),
    );
  }
}
