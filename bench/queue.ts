import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Waits until a queue holds nothing (none visible, none in flight); returns ms since `since`. */
export async function queueDrained(sqs: SQSClient, url: string, since: number): Promise<number> {
  for (;;) {
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
