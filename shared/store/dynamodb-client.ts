import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { traceClient } from '../tracing.ts';

/**
 * A document client with Herald's marshalling. A Lambda's composition root builds one per
 * container with the SDK's standard resolution (region, credentials, `AWS_ENDPOINT_URL_DYNAMODB`);
 * the local runtime builds one with its engine's endpoint and hands it to every root.
 */
export function createDocumentClient(options: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(traceClient(new DynamoDBClient(options)), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
