import { QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { MEMBER_SHARDS } from '../domain/audience.ts';
import { AlreadyExistsError } from '../domain/errors.ts';
import type {
  ExecutionRecord,
  ExecutionStore,
  MessageExtra,
  MessageRecord,
  ProfileMessage,
  ProfileMessageReader,
} from '../domain/execution.ts';
import type { IdempotencyRecord } from '../domain/idempotency.ts';
import type { Page } from '../domain/page.ts';
import type { MessageStatus, StatusChange } from '../schemas/execution.ts';
import { isConditionFailure } from './conditions.ts';
import { executionLogEntry } from './dynamodb-execution-log.ts';
import { DynamoDbTable } from './dynamodb-table.ts';
import { type Claim, putClaimed } from './idempotency.ts';
import { audienceExecutionItem, executionItem, messageItem, retainedFrom } from './items.ts';
import { keys, parseCursor } from './keys.ts';
import { queryPages } from './query-all.ts';

/** Executions and their messages share a partition, so reading one execution is one Query. */
export class DynamoDbExecutionStore extends DynamoDbTable implements ExecutionStore, ProfileMessageReader {
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
        executionItem.item(execution, { expiresAt }),
        ...messages.map((message) => messageItem.item(message, { expiresAt })),
        // A test send is not an execution of the campaign: it is not listed.
        ...(execution.test ? [] : [executionLogEntry('unitary', execution)]),
      ],
      idempotency,
      nowMs,
    );
  }

  async createOnce(execution: ExecutionRecord, messages: readonly MessageRecord[]) {
    const expiresAt = retainedFrom(execution.createdAt);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: executionItem.item(execution, { expiresAt }),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...messages.map((message) => ({
              Put: { TableName: this.tableName, Item: messageItem.item(message, { expiresAt }) },
            })),
            { Put: { TableName: this.tableName, Item: executionLogEntry('high-throughput', execution) } },
          ],
        }),
      );
      return undefined;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const stored = await this.getRecord(
      executionItem,
      keys.execution(execution.sandbox, execution.executionId),
    );
    if (!stored) throw new Error(`execution ${execution.executionId} exists and cannot be read`);
    return stored;
  }

  async getExecution(sandbox: string, executionId: string) {
    const executionKey = keys.execution(sandbox, executionId);
    const { pk } = executionKey;
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
    const execution = items.find((item) => item.sk === executionKey.sk);
    if (!execution) return undefined;
    return {
      execution: executionItem.parse(execution),
      messages: items
        .filter((item) => typeof item.sk === 'string' && item.sk.startsWith('MSG#'))
        .map((item) => messageItem.parse(item)),
    };
  }

  async getMessage(
    sandbox: string,
    executionId: string,
    messageId: string,
    shard?: number,
  ): Promise<MessageRecord | undefined> {
    return this.getRecord(messageItem, keys.message(sandbox, executionId, messageId, shard));
  }

  async getExecutionRecord(sandbox: string, executionId: string): Promise<ExecutionRecord | undefined> {
    return this.getRecord(executionItem, keys.execution(sandbox, executionId));
  }

  async findMessage(
    sandbox: string,
    executionId: string,
    messageId: string,
  ): Promise<MessageRecord | undefined> {
    const shards = Array.from({ length: MEMBER_SHARDS }, (_, shard) => shard);
    const found = await this.getRecords(messageItem, [
      keys.message(sandbox, executionId, messageId),
      ...shards.map((shard) => keys.message(sandbox, executionId, messageId, shard)),
    ]);
    return found.find((message) => message.shard === undefined) ?? found[0];
  }

  async recordProviderEvent(message: MessageRecord, from: MessageStatus, change: StatusChange, key: string) {
    const itemKey = keys.message(message.sandbox, message.executionId, message.messageId, message.shard);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: itemKey,
          // providerEvents: a string set of the keys of the events recorded (see provider-status.ts).
          UpdateExpression:
            'SET #status = :status, statusCode = :code, history = list_append(history, :changes) ADD providerEvents :keys',
          ConditionExpression:
            '#status = :from AND (attribute_not_exists(providerEvents) OR NOT contains(providerEvents, :key))',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': change.status,
            ':code': change.code ?? change.status,
            ':changes': [change],
            ':keys': new Set([key]),
            ':key': key,
            ':from': from,
          },
        }),
      );
      return { result: 'recorded' as const };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const stored = await this.getRecord(messageItem, itemKey);
    if (stored?.providerEvents?.includes(key)) return { result: 'seen' as const };
    return { result: 'moved' as const, message: stored };
  }

  async createMessages(messages: readonly MessageRecord[]): Promise<MessageRecord[]> {
    const existing: MessageRecord[] = [];
    await Promise.all(
      messages.map(async (message) => {
        try {
          await this.createRecord(messageItem, message, {
            expiresAt: retainedFrom(message.history[0]?.at ?? new Date().toISOString()),
          });
        } catch (error) {
          if (!(error instanceof AlreadyExistsError)) throw error;
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
    extra: MessageExtra = {},
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
    if (extra.sms !== undefined) {
      sets.push('#encoding = :encoding', 'numberOfMessageParts = :parts');
      values[':encoding'] = extra.sms.encoding;
      values[':parts'] = extra.sms.parts;
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.message(message.sandbox, message.executionId, message.messageId, message.shard),
          // The send claim, if any, ends with the status it led to.
          UpdateExpression: `SET ${sets.join(', ')} REMOVE sendingSince`,
          ConditionExpression: '#status = :from',
          ExpressionAttributeNames: {
            '#status': 'status',
            ...(extra.sms !== undefined ? { '#encoding': 'encoding' } : {}),
          },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * One query of the keys-only `profileMessages` index (eventually consistent, as every index
   * read), then the messages and their executions in batched reads: an audience run's message
   * (it has a shard) names its run, any other its execution item.
   */
  async messagesOfProfile(
    sandbox: string,
    profileId: string,
    page: { readonly limit: number; readonly cursor?: string | undefined },
  ): Promise<Page<ProfileMessage>> {
    const { profileMsgPk } = keys.profileMessage(sandbox, profileId, '', '');
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'profileMessages',
        KeyConditionExpression: 'profileMsgPk = :pk',
        ExpressionAttributeValues: { ':pk': profileMsgPk },
        ScanIndexForward: false,
        Limit: page.limit,
        ...(page.cursor === undefined
          ? {}
          : { ExclusiveStartKey: { profileMsgPk, ...decodeProfileCursor(page.cursor, sandbox) } }),
      }),
    );
    const refs = (result.Items ?? []).map((item) => ({ pk: String(item.pk), sk: String(item.sk) }));
    const at = (key: { pk: string; sk: string }) => `${key.pk}\n${key.sk}`;
    const messages = new Map(
      (await this.batchGet(refs)).map((item) => {
        const message = messageItem.parse(item);
        return [at(messageItem.key(message)), message];
      }),
    );
    const origins = new Map<string, { campaignId: string; channel: string }>();
    const origin = [...messages.values()].map((m) =>
      m.shard === undefined
        ? keys.execution(sandbox, m.executionId)
        : keys.audienceExecution(sandbox, m.executionId),
    );
    const unique = [...new Map(origin.map((key) => [at(key), key])).values()];
    for (const item of await this.batchGet(unique)) {
      const record =
        item.type === audienceExecutionItem.kind
          ? audienceExecutionItem.parse(item)
          : executionItem.parse(item);
      origins.set(record.executionId, { campaignId: record.campaignId, channel: record.channel });
    }
    // In the index's order (newest first); a message or execution gone meanwhile (TTL) is left out.
    const items: ProfileMessage[] = [];
    for (const ref of refs) {
      const message = messages.get(at(ref));
      const from = message && origins.get(message.executionId);
      const createdAt = message?.history[0]?.at;
      if (message && from && createdAt) items.push({ message, ...from, createdAt });
    }
    const last = result.LastEvaluatedKey;
    return last ? { items, nextCursor: encodeProfileCursor(last) } : { items };
  }

  async claimSend(message: MessageRecord, from: MessageStatus, at: string) {
    const key = keys.message(message.sandbox, message.executionId, message.messageId, message.shard);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET sendingSince = :at',
          ConditionExpression: '#status = :from AND attribute_not_exists(sendingSince)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':at': at, ':from': from },
        }),
      );
      return { claim: 'claimed' as const };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const stored = await this.getRecord(messageItem, key);
    if (!stored || stored.status !== from || stored.sendingSince === undefined)
      return { claim: 'moved' as const };
    return { claim: 'taken' as const, since: stored.sendingSince };
  }
}

/** A page position in a profile's index: the index's sort key and the message's table key. */
function encodeProfileCursor(last: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ at: last.profileMsgSk, pk: last.pk, sk: last.sk }), 'utf8').toString(
    'base64url',
  );
}

/** A cursor `encodeProfileCursor` made for this sandbox, else a 400 on `query.cursor`. */
function decodeProfileCursor(cursor: string, sandbox: string) {
  return parseCursor(cursor, ({ at, pk, sk }) =>
    typeof at === 'string' &&
    typeof pk === 'string' &&
    typeof sk === 'string' &&
    pk.startsWith(`SB#${sandbox}#EXEC#`) &&
    sk.startsWith('MSG#')
      ? { profileMsgSk: at, pk, sk }
      : undefined,
  );
}
