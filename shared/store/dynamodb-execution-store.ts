import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ExecutionRecord, ExecutionStore, MessageRecord } from '../domain/execution.ts';
import type { IdempotencyRecord } from '../domain/idempotency.ts';
import type { MessageStatus, StatusChange } from '../schemas/execution.ts';
import { isConditionFailure } from './conditions.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { type Claim, putClaimed } from './idempotency.ts';
import { keys, withoutKeys } from './keys.ts';
import { queryPages } from './query-all.ts';

/** Executions and their messages share a partition, so reading one execution is one Query. */
export class DynamoDbExecutionStore extends DynamoDbTable implements ExecutionStore {
  async claim(
    idempotency: IdempotencyRecord,
    execution: ExecutionRecord,
    messages: readonly MessageRecord[],
    nowMs: number,
  ): Promise<Claim> {
    const expiresAt = idempotency.expiresAt + 29 * 24 * 3600;
    return putClaimed(
      this.client,
      this.tableName,
      [
        {
          ...keys.execution(execution.sandbox, execution.executionId),
          type: 'execution',
          ...execution,
          expiresAt,
        },
        ...messages.map((message) => ({
          ...keys.message(message.sandbox, message.executionId, message.messageId),
          type: 'message',
          ...message,
          expiresAt,
        })),
      ],
      idempotency,
      nowMs,
    );
  }

  async getExecution(sandbox: string, executionId: string) {
    const { pk } = keys.execution(sandbox, executionId);
    const items: Record<string, unknown>[] = [];
    await queryPages(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
      },
      (page) => items.push(...(page.Items ?? [])),
    );
    const executionItem = items.find((item) => item.sk === 'EXEC');
    if (!executionItem) return undefined;
    return {
      execution: strip(executionItem) as unknown as ExecutionRecord,
      messages: items
        .filter((item) => String(item.sk).startsWith('MSG#'))
        .map((item) => strip(item) as unknown as MessageRecord),
    };
  }

  async getMessage(
    sandbox: string,
    executionId: string,
    messageId: string,
    shard?: number,
  ): Promise<MessageRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.message(sandbox, executionId, messageId, shard),
        ConsistentRead: true,
      }),
    );
    return Item ? (strip(Item) as unknown as MessageRecord) : undefined;
  }

  async getMessages(
    sandbox: string,
    executionId: string,
    refs: readonly { readonly messageId: string; readonly shard?: number }[],
  ): Promise<Map<string, MessageRecord>> {
    const unique = [...new Map(refs.map((ref) => [ref.messageId, ref])).values()];
    const items = await this.batchGet(
      unique.map((ref) => keys.message(sandbox, executionId, ref.messageId, ref.shard)),
    );
    return new Map(items.map((item) => [String(item.messageId), strip(item) as unknown as MessageRecord]));
  }

  async createMessages(messages: readonly MessageRecord[]): Promise<MessageRecord[]> {
    const existing: MessageRecord[] = [];
    await Promise.all(
      messages.map(async (message) => {
        try {
          await this.client.send(
            new PutCommand({
              TableName: this.tableName,
              Item: {
                ...keys.message(message.sandbox, message.executionId, message.messageId, message.shard),
                type: 'message',
                ...message,
                expiresAt:
                  Math.floor(Date.parse(message.history[0]?.at ?? new Date().toISOString()) / 1000) +
                  30 * 24 * 3600,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
          const stored = await this.getMessage(
            message.sandbox,
            message.executionId,
            message.messageId,
            message.shard,
          );
          if (stored) existing.push(stored);
        }
      }),
    );
    return existing;
  }

  async transition(
    message: MessageRecord,
    from: MessageStatus,
    changes: readonly StatusChange[],
    extra: { address?: string; missingVariables?: readonly string[] } = {},
  ): Promise<boolean> {
    const last = changes.at(-1);
    if (!last) return true;
    const sets = ['#status = :status', 'history = list_append(history, :changes)'];
    const values: Record<string, unknown> = { ':status': last.status, ':changes': changes, ':from': from };
    if (last.code !== undefined) {
      sets.push('statusCode = :code');
      values[':code'] = last.code;
    }
    if (extra.address !== undefined) {
      sets.push('address = :address');
      values[':address'] = extra.address;
    }
    if (extra.missingVariables !== undefined && extra.missingVariables.length > 0) {
      sets.push('missingVariables = :missing');
      values[':missing'] = extra.missingVariables;
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.message(message.sandbox, message.executionId, message.messageId, message.shard),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: '#status = :from',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

function strip(item: Record<string, unknown>): Record<string, unknown> {
  const { type: _type, expiresAt: _expiresAt, ...rest } = withoutKeys(item);
  return rest;
}
