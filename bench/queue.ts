import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * Waits until a queue holds nothing (none visible, none in flight); returns ms since `since`.
 * Gives up after `timeoutMs` (a stuck worker must not hang the bench).
 */
export async function queueDrained(
  sqs: SQSClient,
  url: string,
  since: number,
  timeoutMs = 600_000,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (performance.now() > deadline)
      throw new Error(`${url} still holds messages after ${timeoutMs / 1000} s`);
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    if (
      Number(Attributes.ApproximateNumberOfMessages) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible) ===
      0
    ) {
      return performance.now() - since;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
