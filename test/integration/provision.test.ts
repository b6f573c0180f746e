import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbEngine } from '../../infra/local/dynamodb-engine.ts';
import { ensureTable } from '../../infra/local/provision.ts';
import { tableDefinition } from '../../shared/definitions/table.ts';

/**
 * The table from the shared definition, against the real embedded DynamoDB: every index with its
 * projection, and a table made before an index existed (dynalite cannot add one) named as lacking it.
 */
let engine: Awaited<ReturnType<typeof startDynamoDbEngine>>;
let raw: DynamoDBClient;

beforeAll(async () => {
  engine = await startDynamoDbEngine({});
  raw = new DynamoDBClient({
    endpoint: engine.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(async () => {
  raw?.destroy();
  await engine?.stop();
});

describe('ensureTable', () => {
  it('creates every index with its projection, and finds none missing again', async () => {
    expect(await ensureTable(raw, tableDefinition, 'herald-provision')).toEqual({ missingIndexes: [] });
    const { Table } = await raw.send(new DescribeTableCommand({ TableName: 'herald-provision' }));
    expect(
      Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.Projection?.ProjectionType]).sort(),
    ).toEqual([
      ['due', 'ALL'],
      ['origination', 'ALL'],
      ['profileMessages', 'KEYS_ONLY'],
    ]);
    expect(await ensureTable(raw, tableDefinition, 'herald-provision')).toEqual({ missingIndexes: [] });
  });

  it('names the indexes a table made before them lacks', async () => {
    const before = {
      ...tableDefinition,
      globalIndexes: tableDefinition.globalIndexes.filter((i) => i.name === 'due'),
    };
    await ensureTable(raw, before, 'herald-old');
    expect(await ensureTable(raw, tableDefinition, 'herald-old')).toEqual({
      missingIndexes: ['origination', 'profileMessages'],
    });
  });
});
