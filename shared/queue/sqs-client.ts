import { SQSClient } from '@aws-sdk/client-sqs';

let client: SQSClient | undefined;

/** One SQS client per container; `AWS_ENDPOINT_URL_SQS` points it at the embedded engine locally. */
export function sqsClient(): SQSClient {
  client ??= new SQSClient({});
  return client;
}

/** Drops the client so the next call builds one from the current environment (local runtime restarts). */
export function resetSqsClient(): void {
  client?.destroy();
  client = undefined;
}
