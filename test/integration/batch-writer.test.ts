import { BatchWriteCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { InitializeMiddleware } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriter, type WriteGroup } from '../../shared/store/batch-writer.ts';
import { startTestHerald } from './harness.ts';

/**
 * The batch writer (ADR 0030) against the embedded DynamoDB: the groups handed in during one turn
 * go out in as few BatchWriteItem calls as the 25-item limit allows, a later write of the same
 * item lands last, and a group DynamoDB leaves unprocessed is written again in a transaction.
 */
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let documents: DynamoDBDocumentClient;
const calls: string[] = [];

beforeAll(async () => {
  herald = await startTestHerald({ queues: [] });
  documents = herald.clients.dynamodb;
  const counter =
    <Input extends object, Output extends object>(): InitializeMiddleware<Input, Output> =>
    (next, context) =>
    async (args) => {
      calls.push(String(context.commandName));
      return next(args);
    };
  documents.middlewareStack.add(counter(), {
    name: 'batch-writer-count',
    step: 'initialize',
    override: true,
  });
});
afterAll(async () => {
  await herald?.stop();
});

const group = (tag: string, i: number, extra: Record<string, unknown> = {}): WriteGroup => ({
  puts: [
    { pk: `BW#${tag}`, sk: `A#${i}`, n: i, ...extra },
    { pk: `BW#${tag}`, sk: `B#${i}`, n: i, ...extra },
  ],
  deletes: [],
});

async function read(pk: string, sk: string) {
  const { Item } = await documents.send(
    new GetCommand({ TableName: herald.tableName, Key: { pk, sk }, ConsistentRead: true }),
  );
  return Item;
}

describe('the batch writer', () => {
  it('writes the groups of one turn in BatchWriteItem calls of at most 25 items', async () => {
    const writer = new BatchWriter(documents, herald.tableName);
    calls.length = 0;
    // 20 groups of 2 items: 40 items, two calls side by side (24 + 16).
    await Promise.all(Array.from({ length: 20 }, (_, i) => writer.write(group('turn', i))));
    expect(calls).toEqual(['BatchWriteItemCommand', 'BatchWriteItemCommand']);
    for (let i = 0; i < 20; i++) {
      expect(await read('BW#turn', `A#${i}`)).toMatchObject({ n: i });
      expect(await read('BW#turn', `B#${i}`)).toMatchObject({ n: i });
    }
  });

  it('lands a later write of the same item after the earlier one, and deletes what it is told to', async () => {
    const writer = new BatchWriter(documents, herald.tableName);
    await writer.write(group('order', 1));
    calls.length = 0;
    await Promise.all([
      writer.write(group('order', 1, { state: 'first' })),
      writer.write(group('order', 1, { state: 'second' })),
      writer.write({ puts: [], deletes: [{ pk: 'BW#order', sk: 'B#1' }] }),
    ]);
    // Three waves: each names an item the one before it names.
    expect(calls).toEqual(['BatchWriteItemCommand', 'BatchWriteItemCommand', 'BatchWriteItemCommand']);
    expect(await read('BW#order', 'A#1')).toMatchObject({ state: 'second' });
    expect(await read('BW#order', 'B#1')).toBeUndefined();
  });

  it('writes a group DynamoDB left unprocessed again, whole, in one transaction', async () => {
    // A fault the embedded engine cannot cause (it never throttles): the client answers the first
    // BatchWriteItem with its first item unprocessed, after writing the others for real.
    let faulted = false;
    const throttled = {
      send: async (command: unknown) => {
        if (command instanceof BatchWriteCommand && !faulted) {
          faulted = true;
          const requests = command.input.RequestItems?.[herald.tableName] ?? [];
          const [left, ...rest] = requests;
          await documents.send(new BatchWriteCommand({ RequestItems: { [herald.tableName]: rest } }));
          return { UnprocessedItems: { [herald.tableName]: left ? [left] : [] } };
        }
        return documents.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient; // only `send` is used by the writer
    const writer = new BatchWriter(throttled, herald.tableName);
    calls.length = 0;
    await Promise.all([writer.write(group('throttled', 1)), writer.write(group('throttled', 2))]);
    // The rest of the batch, then the first group (whose item was left) in a transaction.
    expect(calls).toEqual(['BatchWriteItemCommand', 'TransactWriteItemsCommand']);
    for (const i of [1, 2]) {
      expect(await read('BW#throttled', `A#${i}`)).toMatchObject({ n: i });
      expect(await read('BW#throttled', `B#${i}`)).toMatchObject({ n: i });
    }
  });
});
