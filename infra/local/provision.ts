import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { dlqName, type QueueDefinition } from '../../shared/definitions/queues.ts';
import type { TableDefinition } from '../../shared/definitions/table.ts';

/**
 * Creates the table from the same description the CDK stack uses, unless it exists. Works against
 * any DynamoDB-protocol endpoint (the embedded engine, another emulator, or AWS).
 */
/** A table definition with any of its indexes (the shared one has them all). */
type TableShape = Omit<TableDefinition, 'globalIndexes'> & {
  readonly globalIndexes: readonly TableDefinition['globalIndexes'][number][];
};

export async function ensureTable(
  client: DynamoDBClient,
  definition: TableShape,
  tableName: string,
): Promise<{ readonly missingIndexes: readonly string[] }> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    // dynalite cannot add an index to a table (UpdateTable ignores index creation), so a data
    // folder made before an index was defined lacks it: the caller says so, reads of it fail.
    const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    return {
      missingIndexes: definition.globalIndexes.map((i) => i.name).filter((name) => !present.has(name)),
    };
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const attributes = new Set<string>([definition.partitionKey, definition.sortKey]);
  for (const index of definition.globalIndexes) {
    attributes.add(index.partitionKey);
    attributes.add(index.sortKey);
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: definition.partitionKey, KeyType: 'HASH' },
        { AttributeName: definition.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: definition.globalIndexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: index.projection },
      })),
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: definition.ttlAttribute, Enabled: true },
    }),
  );
  return { missingIndexes: [] };
}

/**
 * Creates each queue and its dead-letter queue with the definitions' redrive and visibility
 * settings (CreateQueue is idempotent for equal attributes). Returns each queue's URL by env var.
 */
export async function ensureQueues(
  client: SQSClient,
  definitions: readonly QueueDefinition[],
  prefix: string,
  /** Rewrites the URLs an engine returns (fauxqs names hosts like `sqs.us-east-1.localhost`). */
  rewriteUrl: (url: string) => string = (url) => url,
): Promise<Record<string, string>> {
  const urls: Record<string, string> = {};
  for (const queue of definitions) {
    const dlq = await client.send(
      new CreateQueueCommand({
        QueueName: `${prefix}${dlqName(queue)}`,
        Attributes: { MessageRetentionPeriod: String(14 * 24 * 3600) },
      }),
    );
    if (!dlq.QueueUrl) throw new Error(`CreateQueue returned no URL for ${dlqName(queue)}`);
    const dlqUrl = rewriteUrl(dlq.QueueUrl);
    const dlqAttributes = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
    );
    const created = await client.send(
      new CreateQueueCommand({
        QueueName: `${prefix}${queue.name}`,
        Attributes: {
          VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqAttributes.Attributes?.QueueArn,
            maxReceiveCount: queue.maxReceiveCount,
          }),
        },
      }),
    );
    if (!created.QueueUrl) throw new Error(`CreateQueue returned no URL for ${queue.name}`);
    urls[queue.envVar] = rewriteUrl(created.QueueUrl);
    urls[`${queue.envVar.replace(/_URL$/, '')}_DLQ_URL`] = dlqUrl;
  }
  return urls;
}
