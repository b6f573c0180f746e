import type { HeraldConfig } from '../../shared/config.ts';
import { type SqsJob, sqsWorker } from '../../shared/queue/sqs-worker.ts';
import { feedbackRoot } from '../../shared/roots/feedback.ts';
import type { Clients } from '../../shared/roots/parts.ts';
import { feedbackMessageSchema } from '../../shared/schemas/feedback-message.ts';
import { createTelemetry } from '../../shared/telemetry.ts';
import { type DeliveryDeps, deliverJob, fanOutStatusEvent } from '../../shared/use-cases/deliver.ts';

/** A feedback message: a status event to fan out to webhooks, or one delivery to a webhook. */
export const feedbackWorker: SqsJob<typeof feedbackMessageSchema, DeliveryDeps> = {
  name: 'feedback message',
  queue: 'feedback',
  schema: feedbackMessageSchema,
  process: (deps, message) =>
    message.kind === 'status-event' ? fanOutStatusEvent(deps, message) : deliverJob(deps, message),
};

/** SQS feedback queue → fan status events out to webhooks, and deliver (sign, POST, retry) each one. */
export function createHandler(config: HeraldConfig, clients?: Partial<Clients>) {
  const deps = feedbackRoot(config, clients);
  return sqsWorker({
    ...feedbackWorker,
    deps: () => deps,
    telemetry: createTelemetry(config, clients?.sinks),
  });
}
