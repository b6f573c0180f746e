import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';

/** BatchGetItem takes at most 100 keys a call. */
const BATCH_GET_LIMIT = 100;

/** What every DynamoDB adapter holds: the document client and Herald's one table. */
export abstract class DynamoDbTable {
  protected readonly client: DynamoDBDocumentClient;
  protected readonly tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  /**
   * Strongly consistent reads of many items, 100 keys a call, retrying unprocessed keys (the SDK
   * has already backed off on throttling). Items come back in no particular order; missing ones
   * are simply absent.
   */
  protected async batchGet(
    itemKeys: readonly Record<string, unknown>[],
    projection?: string,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for (let start = 0; start < itemKeys.length; start += BATCH_GET_LIMIT) {
      let request: Record<string, unknown>[] | undefined = itemKeys.slice(start, start + BATCH_GET_LIMIT);
      while (request && request.length > 0) {
        const result: BatchGetCommandOutput = await this.client.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: request,
                ConsistentRead: true,
                ...(projection ? { ProjectionExpression: projection } : {}),
              },
            },
          }),
        );
        items.push(...(result.Responses?.[this.tableName] ?? []));
        request = result.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return items;
  }

  /**
   * Items of one partition of the sparse `due` index whose time (the start of `dueSk`, an ISO
   * date) has come, oldest first.
   */
  protected async queryDue(partition: string, now: Date, limit: number): Promise<Record<string, unknown>[]> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'due',
        KeyConditionExpression: 'duePk = :pk AND dueSk <= :now',
        ExpressionAttributeValues: { ':pk': partition, ':now': `${now.toISOString()}~` },
        Limit: limit,
      }),
    );
    return result.Items ?? [];
  }
}
