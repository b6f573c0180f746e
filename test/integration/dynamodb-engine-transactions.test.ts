import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald } from './harness.ts';

/**
 * The embedded engine's TransactWriteItems (infra/local/dynamodb-engine.ts) is all or nothing: when
 * one item's condition fails, every item is put back as it was before (read in one batched read,
 * ADR 0034) — changed ones restored, created ones deleted — and the caller gets DynamoDB's
 * TransactionCanceledException with a reason per item.
 */
let herald: Awaited<ReturnType<typeof startTestHerald>>;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  herald = await startTestHerald({ queues: [] });
  documents = herald.clients.dynamodb;
});
afterAll(async () => {
  await herald?.stop();
});

async function read(pk: string, sk: string) {
  const { Item } = await documents.send(
    new GetCommand({ TableName: herald.tableName, Key: { pk, sk }, ConsistentRead: true }),
  );
  return Item;
}

describe('the embedded engine’s transactions', () => {
  it('writes every item when every condition holds', async () => {
    await documents.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: herald.tableName, Item: { pk: 'TX#ok', sk: 'A', n: 1 } } },
          {
            Put: {
              TableName: herald.tableName,
              Item: { pk: 'TX#ok', sk: 'B', n: 2 },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
    expect(await read('TX#ok', 'A')).toMatchObject({ n: 1 });
    expect(await read('TX#ok', 'B')).toMatchObject({ n: 2 });
  });

  it('puts back every item as it was when one condition fails', async () => {
    await documents.send(
      new PutCommand({ TableName: herald.tableName, Item: { pk: 'TX#no', sk: 'old', v: 'before' } }),
    );
    await documents.send(
      new PutCommand({ TableName: herald.tableName, Item: { pk: 'TX#no', sk: 'taken', v: 'first' } }),
    );
    const attempt = documents.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: herald.tableName, Item: { pk: 'TX#no', sk: 'old', v: 'after' } } },
          { Put: { TableName: herald.tableName, Item: { pk: 'TX#no', sk: 'new', v: 'created' } } },
          {
            Update: {
              TableName: herald.tableName,
              Key: { pk: 'TX#no', sk: 'taken' },
              UpdateExpression: 'SET v = :v',
              ConditionExpression: 'attribute_not_exists(pk)',
              ExpressionAttributeValues: { ':v': 'second' },
            },
          },
        ],
      }),
    );
    await expect(attempt).rejects.toMatchObject({
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
    });
    expect(await read('TX#no', 'old')).toMatchObject({ v: 'before' });
    expect(await read('TX#no', 'new')).toBeUndefined();
    expect(await read('TX#no', 'taken')).toMatchObject({ v: 'first' });
  });
});
