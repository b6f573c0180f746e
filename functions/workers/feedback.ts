import { type SqsJob, sqsWorker } from '../../shared/queue/sqs-worker.ts';
import { feedbackMessageSchema } from '../../shared/schemas/feedback-message.ts';
import { type DeliveryDeps, deliverJob, fanOutStatusEvent } from '../../shared/use-cases/deliver.ts';
import { containerDeps } from '../../shared/wiring.ts';

/** A feedback message: a status event to fan out to webhooks, or one delivery to a webhook. */
export const feedbackWorker: SqsJob<typeof feedbackMessageSchema, DeliveryDeps> = {
  name: 'feedback message',
  schema: feedbackMessageSchema,
  process: (deps, message) =>
    message.kind === 'status-event' ? fanOutStatusEvent(deps, message) : deliverJob(deps, message),
};

/** SQS feedback queue → fan status events out to webhooks, and deliver (sign, POST, retry) each one. */
export const handler = sqsWorker({ ...feedbackWorker, deps: containerDeps });
