import type { HeraldConfig } from '../../shared/config.ts';
import { logger } from '../../shared/logger.ts';
import { type SqsJob, sqsWorker, type WorkerLog } from '../../shared/queue/sqs-worker.ts';
import type { Clients } from '../../shared/roots/parts.ts';
import { providerEventsRoot } from '../../shared/roots/provider-events.ts';
import * as z from '../../shared/schemas/zod.ts';
import { createTelemetry } from '../../shared/telemetry.ts';
import { type ProviderEventsDeps, receiveProviderEvent } from '../../shared/use-cases/provider-events.ts';

/** Where dropped events are counted: the container's logger, or a test's sink. */
export interface DropLog {
  warn(message: string, attributes: Record<string, unknown>): void;
}

/**
 * A provider event: the body as SQS gives it (SNS-wrapped SES event JSON), judged by the use case,
 * so a body that is not an SES event about a Herald message is dropped, never retried. Each drop
 * is logged with its reason and how many were dropped for that reason in this container.
 */
export function providerEventsWorker(log: DropLog = logger): SqsJob<z.ZodMiniString, ProviderEventsDeps> {
  const dropped = new Map<string, number>();
  return {
    name: 'provider event',
    queue: 'provider-events',
    body: 'text',
    schema: z.string(),
    process: async (deps, body, record) => {
      const result = await receiveProviderEvent(deps, body);
      if (result.outcome === 'dropped') {
        const count = (dropped.get(result.reason) ?? 0) + 1;
        dropped.set(result.reason, count);
        log.warn('provider event dropped', { reason: result.reason, count, sqsMessageId: record.messageId });
      }
      return result;
    },
  };
}

/** SQS provider-events queue → SES feedback recorded on Herald's messages, then status events. */
export function createHandler(config: HeraldConfig, clients?: Partial<Clients>, log?: DropLog & WorkerLog) {
  const deps = providerEventsRoot(config, clients);
  return sqsWorker({
    ...providerEventsWorker(log),
    deps: () => deps,
    telemetry: createTelemetry(config, clients?.sinks),
    ...(log ? { log } : {}),
  });
}
