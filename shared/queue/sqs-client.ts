import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { traceClient } from '../tracing.ts';

/**
 * An SQS client. A Lambda's composition root builds one per container with the SDK's standard
 * resolution (`AWS_ENDPOINT_URL_SQS` included); the local runtime builds one for its engine and
 * hands it to every root.
 */
export function createSqsClient(options: SQSClientConfig = {}): SQSClient {
  return traceClient(new SQSClient(options));
}
