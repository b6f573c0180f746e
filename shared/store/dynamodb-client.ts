import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

let client: DynamoDBDocumentClient | undefined;

/**
 * One document client per container. The endpoint comes from the SDK's standard resolution, so
 * `AWS_ENDPOINT_URL_DYNAMODB` points it at the embedded engine locally and nothing does on AWS.
 */
export function documentClient(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return client;
}

/** Drops the client so the next call builds one from the current environment (local runtime restarts). */
export function resetDocumentClient(): void {
  client?.destroy();
  client = undefined;
}
