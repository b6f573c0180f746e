import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { InitializeMiddleware } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchReader } from '../../shared/store/batch-reader.ts';
import { startTestHerald } from './harness.ts';

/**
 * The batch reader (ADR 0033) against the embedded DynamoDB: the items asked for during one turn
 * are read in as few BatchGetItem calls as the 100-key limit allows, each caller gets its own
 * item (or undefined), and a key asked twice is read once.
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
      const keys = Object.values(input.RequestItems ?? {})[0]?.Keys?.length ?? 0;
      calls.push({ command: String(context.commandName), keys });
      return next(args);
    };
  documents.middlewareStack.add(counter(), {
    name: 'batch-reader-count',
    step: 'initialize',
    override: true,
  });
  for (let i = 0; i < 150; i += 2) {
    await documents.send(
      new PutCommand({ TableName: herald.tableName, Item: { pk: `BR#${i}`, sk: 'ITEM', n: i } }),
    );
  }
});
afterAll(async () => {
  await herald?.stop();
});

describe('the batch reader', () => {
  it('reads the keys of one turn in BatchGetItem calls of at most 100 keys, each caller its item', async () => {
    const reader = new BatchReader(documents, herald.tableName);
    calls.length = 0;
    // 150 keys, every other one written: two calls side by side (100 + 50).
    const found = await Promise.all(
      Array.from({ length: 150 }, (_, i) => reader.read({ pk: `BR#${i}`, sk: 'ITEM' })),
    );
    expect(calls.map((c) => c.command)).toEqual(['BatchGetItemCommand', 'BatchGetItemCommand']);
    expect(calls.map((c) => c.keys).sort((a, b) => a - b)).toEqual([50, 100]);
    found.forEach((item, i) => {
      if (i % 2 === 0) expect(item).toMatchObject({ pk: `BR#${i}`, n: i });
      else expect(item).toBeUndefined();
    });
  });

  it('reads a key asked twice in one turn once, and a later turn again', async () => {
    const reader = new BatchReader(documents, herald.tableName);
    calls.length = 0;
    const [a, b] = await Promise.all([
      reader.read({ pk: 'BR#4', sk: 'ITEM' }),
      reader.read({ pk: 'BR#4', sk: 'ITEM' }),
    ]);
    expect(a).toMatchObject({ n: 4 });
    expect(b).toMatchObject({ n: 4 });
    expect(calls).toEqual([{ command: 'BatchGetItemCommand', keys: 1 }]);
    // Strongly consistent: a write made after the first turn is seen by the next.
    await documents.send(
      new PutCommand({ TableName: herald.tableName, Item: { pk: 'BR#5', sk: 'ITEM', n: 5 } }),
    );
    expect(await reader.read({ pk: 'BR#5', sk: 'ITEM' })).toMatchObject({ n: 5 });
    expect(calls.map((c) => c.command)).toEqual([
      'BatchGetItemCommand',
      'PutItemCommand',
      'BatchGetItemCommand',
    ]);
  });
});
