import type { HeraldConfig } from './config.ts';
import { HeraldLogger, type LogSink } from './logger.ts';

/** Where a function's logs go instead of stdout: the local runtime's and the tests' seam. */
export interface TelemetrySinks {
  /** Every finished log line. @default stdout */
  readonly logs?: LogSink;
}

/** What a function observes itself with, built once per container from its configuration. */
export interface Telemetry {
  readonly logger: HeraldLogger;
}

/** The function's logger at `HERALD_LOG_LEVEL`, in `HERALD_LOG_FORMAT`, writing to `sinks.logs`. */
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
  };
}
