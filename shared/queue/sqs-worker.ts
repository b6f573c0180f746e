import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { QueueDefinition } from '../definitions/queues.ts';
import { addCorrelation, type Correlation, logger } from '../logger.ts';
import { METRICS_NAMESPACE, METRICS_SERVICE, type MetricName } from '../metrics.ts';
import type * as z from '../schemas/zod.ts';
import { createTelemetry, type Telemetry, withTelemetry } from '../telemetry.ts';

export { METRICS_NAMESPACE, METRICS_SERVICE };
/** Records a worker reported in `batchItemFailures`, per batch; dimension `queue`. */
export const FAILED_RECORDS_METRIC = 'FailedRecords' satisfies MetricName;

/** What a job of one queue is: its body's schema and the use case that runs it. */
export interface SqsJob<S extends z.ZodMiniType, Deps> {
  /** What one record is, in log lines: `dispatch job`, `feedback message`, … */
  readonly name: string;
  /** The queue it is read from: the `queue` dimension of the FailedRecords metric. */
  readonly queue: QueueDefinition['name'];
  /** The record body's shape, once parsed as JSON (or as the text itself, with `body: 'text'`). */
  readonly schema: S;
  /**
   * How the body is read before the schema: `json` (a body that is not JSON is a
   * MalformedJobError), or `text`, for a consumer of bodies Herald does not write (provider
   * events) that judges a malformed one itself rather than retrying it.
   * @default 'json'
   */
  readonly body?: 'json' | 'text';
  /**
   * Runs one job. Throwing fails that record alone: it is reported as a batch item failure, SQS
   * delivers it again after the visibility timeout and, past the queue's receive limit, moves it
   * to the dead-letter queue. Jobs must be idempotent (SQS delivers at least once).
   */
  readonly process: (deps: Deps, job: z.output<S>, record: SQSRecord) => Promise<unknown>;
}

/** Where failed records are told: the Powertools logger's `error`, or a test's sink. */
export interface WorkerLog {
  error(message: string, attributes: Record<string, unknown>): void;
}

export interface SqsWorkerOptions<S extends z.ZodMiniType, Deps> extends SqsJob<S, Deps> {
  /** Builds the adapters once per container, at the first record. */
  readonly deps: () => Deps;
  /**
   * The container's telemetry: each record runs in a log scope of its logger, with the ids its job
   * names (`sandbox`, `requestId`, `executionId`, `messageId`, `campaignId`, `webhookId`, `eventId`).
   * Its metrics: the FailedRecords document of each batch with failures, and what the job records.
   * @default INFO, JSON, on stdout
   */
  readonly telemetry?: Telemetry;
  /** @default the scope's logger (`shared/logger.ts`) */
  readonly log?: WorkerLog;
}

/** A record whose body is not JSON or not a job: retrying cannot help, its DLQ entry is the trace. */
export class MalformedJobError extends Error {
  override readonly name = 'MalformedJobError';
}

const CORRELATION_KEYS = [
  'sandbox',
  'requestId',
  'executionId',
  'messageId',
  'campaignId',
  'webhookId',
  'eventId',
] as const satisfies readonly (keyof Correlation)[];

/** The correlation ids a job names at its top level (every Herald job names some). */
function correlationOf(job: unknown): Correlation {
  if (job === null || typeof job !== 'object') return {};
  const fields = job as Record<string, unknown>;
  const found: Record<string, string> = {};
  for (const key of CORRELATION_KEYS) {
    const value = fields[key];
    if (typeof value === 'string') found[key] = value;
  }
  return found;
}

/** Issues as `path: message`, without the values (bodies carry personal data). */
function describeIssues(error: z.core.$ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
}

/**
 * The one SQS consumer shell, on Powertools batch: each record's body is parsed as JSON and with
 * the job's zod schema, then handed to the use case; records run side by side (Powertools' default)
 * and each failed one is logged with its `messageId`, receive count and the error (message, stack,
 * cause), then reported as a partial batch failure, so only that record is retried. A batch whose
 * every record failed is reported the same way, not thrown: the same retry, less noise — which is
 * why Lambda's `Errors` metric never sees these failures, and the shell writes its own: at the end
 * of a batch with failures, one EMF document with `FailedRecords` = the number of records in
 * `batchItemFailures` (the per-worker alarm watches it). See docs/adr/0017-alarms-and-deploy-settings.md.
 *
 * A processor is made per invocation: Powertools' `BatchProcessor` keeps the batch it is working
 * on in its fields, and the local runtime runs up to four batches of one worker at once.
 */
export function sqsWorker<S extends z.ZodMiniType, Deps>(
  options: SqsWorkerOptions<S, Deps>,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const log = options.log ?? logger;
  const telemetry =
    options.telemetry ?? createTelemetry({ HERALD_LOG_LEVEL: 'INFO', HERALD_LOG_FORMAT: 'json' });
  let deps: Deps | undefined;

  const parse = (record: SQSRecord): z.output<S> => {
    let body: unknown = record.body;
    if (options.body !== 'text') {
      try {
        body = JSON.parse(record.body);
      } catch {
        // Not the SyntaxError: its message quotes the body.
        throw new MalformedJobError(`the ${options.name} is not JSON`);
      }
    }
    const parsed = options.schema.safeParse(body);
    if (!parsed.success) {
      throw new MalformedJobError(`the ${options.name} is not valid: ${describeIssues(parsed.error)}`);
    }
    return parsed.data;
  };

  const processRecord = (record: SQSRecord): Promise<void> =>
    withTelemetry(telemetry, `## ${options.name}`, { sqsMessageId: record.messageId }, async () => {
      try {
        deps ??= options.deps();
        const job = parse(record);
        addCorrelation(correlationOf(job));
        await options.process(deps, job, record);
      } catch (error) {
        log.error(
          `${options.name} failed; SQS will deliver it again (or to the DLQ past its receive limit)`,
          {
            sqsMessageId: record.messageId,
            receiveCount: Number(record.attributes.ApproximateReceiveCount),
            error,
          },
        );
        throw error;
      }
    });

  return async (event, context) => {
    const response = await processPartialResponse(event, processRecord, new BatchProcessor(EventType.SQS), {
      context,
      throwOnFullBatchFailure: false,
    });
    const failed = response.batchItemFailures.length;
    if (failed > 0) {
      // One document, written synchronously: a batch running beside this one on the same instance
      // cannot publish half of it. Nothing is written for a clean batch (no empty EMF).
      telemetry.metrics.publish([
        { name: FAILED_RECORDS_METRIC, value: failed, dimensions: { queue: options.queue } },
      ]);
    }
    return response;
  };
}
