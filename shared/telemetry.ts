import type { HeraldConfig } from './config.ts';
import { type Correlation, currentCorrelation, HeraldLogger, type LogSink, withLogScope } from './logger.ts';
import { HeraldMetrics, type MetricSink, withMetrics } from './metrics.ts';
import { traced } from './tracing.ts';

/** Where a function's logs and metrics go instead of stdout: the local runtime's and the tests' seam. */
export interface TelemetrySinks {
  /** Every finished log line. @default stdout */
  readonly logs?: LogSink;
  /** Every EMF document. @default stdout (unless POWERTOOLS_METRICS_DISABLED) */
  readonly metrics?: MetricSink;
}

/** What a function observes itself with, built once per container from its configuration. */
export interface Telemetry {
  readonly logger: HeraldLogger;
  readonly metrics: HeraldMetrics;
}

/** The function's logger at `HERALD_LOG_LEVEL`, in `HERALD_LOG_FORMAT`, and its metrics, on `sinks`. */
export function createTelemetry(
  config: Pick<HeraldConfig, 'HERALD_LOG_LEVEL' | 'HERALD_LOG_FORMAT'>,
  sinks: TelemetrySinks = {},
): Telemetry {
  return {
    logger: new HeraldLogger({
      level: config.HERALD_LOG_LEVEL,
      format: config.HERALD_LOG_FORMAT,
      ...(sinks.logs ? { sink: sinks.logs } : {}),
    }),
    metrics: new HeraldMetrics(sinks.metrics ? { sink: sinks.metrics } : {}),
  };
}

/**
 * One unit of work (an API request, an SQS record, a scheduler run), named for its X-Ray
 * subsegment: its log lines carry `correlation` (and what it adds), its metrics are published when
 * it ends, and its subsegment (when tracing) is annotated with the same ids.
 */
export function withTelemetry<T>(
  telemetry: Telemetry,
  name: string,
  correlation: Correlation,
  work: () => Promise<T>,
): Promise<T> {
  return withLogScope(telemetry.logger, correlation, () =>
    traced(name, currentCorrelation, () => withMetrics(telemetry.metrics, work)),
  );
}
