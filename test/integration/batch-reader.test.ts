import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { InitializeMiddleware } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchReader, packReads } from '../../shared/store/batch-reader.ts';
import { startTestHerald } from './harness.ts';

/**
 * The batch reader (ADR 0033, 0034) against the embedded DynamoDB: the reads handed in during one turn
 * go out in as few BatchGetItem calls as the 100-key limit allows, a key several reads ask for is
 * asked once, and each caller gets the items of its own keys.
 */
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let documents: DynamoDBDocumentClient;
const calls: { command: string; keys: number }[] = [];

beforeAll(async () => {
  herald = await startTestHerald({ queues: [] });
  documents = herald.clients.dynamodb;
  const counter =
    <Input extends object, Output extends object>(): InitializeMiddleware<Input, Output> =>
    (next, context) =>
    async (args) => {
      const input = args.input as { RequestItems?: Record<string, { Keys?: unknown[] }> };
      const keys = Object.values(input.RequestItems ?? {}).reduce((n, r) => n + (r.Keys?.length ?? 0), 0);
      calls.push({ command: String(context.commandName), keys });
      return next(args);
    };
  documents.middlewareStack.add(counter(), {
    name: 'batch-reader-count',
    step: 'initialize',
    override: true,
  });
  for (let i = 0; i < 150; i++)
    await documents.send(
      new PutCommand({ TableName: herald.tableName, Item: { pk: 'BR#items', sk: `I#${i}`, n: i } }),
    );
});
afterAll(async () => {
  await herald?.stop();
});

const key = (i: number) => ({ pk: 'BR#items', sk: `I#${i}` });
const numbers = (items: Record<string, unknown>[]) =>
  items.map((item) => Number(item.n)).sort((a, b) => a - b);

describe('the batch reader', () => {
  it('reads the reads of one turn in one BatchGetItem call, each caller getting its own items', async () => {
    const reader = new BatchReader(documents, herald.tableName);
    calls.length = 0;
    const [a, b, c, none] = await Promise.all([
      reader.read([key(1), key(2)]),
      // Key 2 is asked by two reads, key 999 is missing.
      reader.read([key(2), key(3), { pk: 'BR#items', sk: 'I#999' }]),
      reader.read([key(4)]),
      reader.read([]),
    ]);
    expect(calls).toEqual([{ command: 'BatchGetItemCommand', keys: 5 }]);
    expect(numbers(a ?? [])).toEqual([1, 2]);
    expect(numbers(b ?? [])).toEqual([2, 3]);
    expect(numbers(c ?? [])).toEqual([4]);
    expect(none).toEqual([]);
  });

  it('splits more than 100 distinct keys into calls of at most 100, side by side', async () => {
    const reader = new BatchReader(documents, herald.tableName);
    calls.length = 0;
    const reads = await Promise.all(
      Array.from({ length: 3 }, (_, r) => reader.read(Array.from({ length: 50 }, (_, i) => key(r * 50 + i)))),
    );
    expect(calls.map((call) => call.keys).sort((x, y) => y - x)).toEqual([100, 50]);
    reads.forEach((items, r) => {
      expect(numbers(items)).toEqual(Array.from({ length: 50 }, (_, i) => r * 50 + i));
    });
  });

  it('reads of different turns are different calls', async () => {
    const reader = new BatchReader(documents, herald.tableName);
    calls.length = 0;
    expect(numbers(await reader.read([key(5)]))).toEqual([5]);
    expect(numbers(await reader.read([key(6)]))).toEqual([6]);
    expect(calls).toHaveLength(2);
  });

  it('rejects every caller whose keys a failed call held', async () => {
    const reader = new BatchReader(documents, 'no-such-table');
    const results = await Promise.allSettled([reader.read([key(1)]), reader.read([key(2)])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('reads single items beside the others of their turn: undefined when absent, fresh the next turn', async () => {
    const reader = new BatchReader(documents, herald.tableName);
    calls.length = 0;
    const [found, absent, again] = await Promise.all([
      reader.readOne(key(4)),
      reader.readOne({ pk: 'BR#items', sk: 'I#none' }),
      reader.readOne(key(4)),
    ]);
    expect(found).toMatchObject({ n: 4 });
    expect(absent).toBeUndefined();
    expect(again).toMatchObject({ n: 4 });
    expect(calls).toEqual([{ command: 'BatchGetItemCommand', keys: 2 }]);
    // Strongly consistent: a write made after one turn is seen by the next.
    await documents.send(
      new PutCommand({ TableName: herald.tableName, Item: { pk: 'BR#items', sk: 'I#late', n: 999 } }),
    );
    expect(await reader.readOne({ pk: 'BR#items', sk: 'I#late' })).toMatchObject({ n: 999 });
    expect(calls.map((c) => c.command)).toEqual([
      'BatchGetItemCommand',
      'PutItemCommand',
      'BatchGetItemCommand',
    ]);
  });

  it('packs distinct keys in arrival order', () => {
    expect(packReads([{ keys: [key(1), key(2)] }, { keys: [key(2), key(3)] }], 2)).toEqual([
      [key(1), key(2)],
      [key(3)],
    ]);
  });
});
