import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';

/** The levels `HERALD_LOG_LEVEL` accepts (Powertools' own). */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** `json`: one Powertools JSON document a line (CloudWatch Logs Insights); `text`: a readable line. */
export const LOG_FORMATS = ['json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Where finished log lines go: stdout unless a runtime or a test says (the log sink seam). */
export type LogSink = (line: string) => void;

/**
 * The ids that follow one piece of work from the API through dispatch, the provider and webhook
 * delivery. Every line logged inside a {@link withLogScope} carries the scope's ids under these keys.
 */
export interface Correlation {
  /** The API call's own id (Lambda's request id): a problem document's `report.correlationId`. */
  readonly correlationId?: string;
  /** The SQS message a worker is processing (a DLQ entry's `messageId`). */
  readonly sqsMessageId?: string;
  readonly sandbox?: string;
  readonly requestId?: string;
  readonly executionId?: string;
  readonly messageId?: string;
  readonly campaignId?: string;
  readonly webhookId?: string;
  readonly eventId?: string;
}

export interface HeraldLoggerOptions {
  /** @default 'INFO' */
  readonly level?: LogLevelName;
  /** @default 'json' */
  readonly format?: LogFormat;
  /** @default a line on stdout */
  readonly sink?: LogSink;
}

const stdout: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/**
 * The Powertools Logger with its level given by the caller (from the parsed configuration, never
 * from `POWERTOOLS_LOG_LEVEL` read at import) and its output going to a sink, in JSON or as a
 * readable line. `printLog` is Powertools' protected extension point for where a formatted item goes.
 */
export class HeraldLogger extends Logger {
  private readonly sink: LogSink;
  private readonly format: LogFormat;

  constructor(options: HeraldLoggerOptions = {}) {
    super({ serviceName: 'herald', logLevel: options.level ?? 'INFO' });
    this.sink = options.sink ?? stdout;
    this.format = options.format ?? 'json';
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    const attributes = log.getAttributes();
    // The constructor may print before the fields exist (Powertools' own warnings).
    const sink = this.sink ?? stdout;
    sink(
      this.format === 'text'
        ? textLine(attributes, this.getJsonReplacer())
        : JSON.stringify(attributes, this.getJsonReplacer()),
    );
  }
}

/** Powertools' keys that a readable line shows in its own way or leaves out. */
const BASE_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'xray_trace_id',
]);

/**
 * `12:03:04.567 INFO  request POST /im/executions/unitary 202 12ms  requestId=… executionId=…`:
 * time (UTC), level, message, then every other key as `key=value`; an error's stack on the lines
 * that follow.
 */
function textLine(
  attributes: Record<string, unknown>,
  replacer: (key: string, value: unknown) => unknown,
): string {
  const time = typeof attributes.timestamp === 'string' ? attributes.timestamp.slice(11, 23) : '';
  const level = String(attributes.level ?? '').padEnd(5);
  let stack = '';
  const pairs = Object.entries(attributes)
    .filter(([key, value]) => !BASE_KEYS.has(key) && value !== undefined)
    .map(([key, value]) => {
      if (key === 'error' && value && typeof value === 'object') {
        const error = JSON.parse(JSON.stringify(value, replacer)) as Record<string, unknown>;
        if (typeof error.stack === 'string') stack = `\n    ${error.stack.replaceAll('\n', '\n    ')}`;
        return `error=${JSON.stringify(`${error.name ?? 'Error'}: ${error.message ?? ''}`)}`;
      }
      const text = typeof value === 'string' ? value : JSON.stringify(value, replacer);
      return `${key}=${typeof value === 'string' && /[\s"=]/.test(value) ? JSON.stringify(value) : text}`;
    });
  return `${time} ${level} ${String(attributes.message ?? '')}${pairs.length ? `  ${pairs.join(' ')}` : ''}${stack}`;
}

/** What a piece of work logs with: its container's logger and the ids it is about. */
interface LogScope {
  readonly logger: HeraldLogger;
  correlation: Correlation;
}

const scopes = new AsyncLocalStorage<LogScope>();

/**
 * Runs `work` with `logger` as the logger of everything it calls and `correlation` on every line
 * it logs. The handler shells (API, SQS worker, scheduler) open one per request or record, so lines
 * of requests running side by side (the local runtime runs every function in one process) never
 * take each other's ids.
 */
export function withLogScope<T>(logger: HeraldLogger, correlation: Correlation, work: () => T): T {
  return scopes.run({ logger, correlation: withoutUndefined(correlation) }, work);
}

/** Adds ids learned during the work (the executionId a trigger created) to the current scope. */
export function addCorrelation(correlation: Correlation): void {
  const scope = scopes.getStore();
  if (scope) scope.correlation = { ...scope.correlation, ...withoutUndefined(correlation) };
}

/** The ids of the current scope (empty outside one). */
export function currentCorrelation(): Correlation {
  return scopes.getStore()?.correlation ?? {};
}

function withoutUndefined(correlation: Correlation): Correlation {
  return Object.fromEntries(Object.entries(correlation).filter(([, value]) => value !== undefined));
}

/**
 * Outside any scope — code that is not running as a function's unit of work (the CLI, unit tests
 * calling a use case directly): only warnings and errors, JSON, on stdout. The INFO lines are the
 * record of a function's work, and every function's work runs in a scope.
 */
let fallback: HeraldLogger | undefined;
const current = (): { logger: HeraldLogger; correlation: Correlation } => {
  const scope = scopes.getStore();
  if (scope) return scope;
  fallback ??= new HeraldLogger({ level: 'WARN' });
  return { logger: fallback, correlation: {} };
};

type Attributes = Record<string, unknown>;

/** What use cases log with: the current scope's logger, its ids merged into every line. */
export interface Log {
  debug(message: string, attributes?: Attributes): void;
  info(message: string, attributes?: Attributes): void;
  warn(message: string, attributes?: Attributes): void;
  error(message: string, attributes?: Attributes): void;
}

const at =
  (level: 'debug' | 'info' | 'warn' | 'error') =>
  (message: string, attributes: Attributes = {}): void => {
    const { logger: target, correlation } = current();
    // The line's own attributes first (and winning), then the scope's ids.
    target[level](message, Object.assign({}, attributes, correlation, attributes));
  };

/**
 * The logger every module imports. Never log headers, bodies or secrets: they carry keys and
 * personal data. Each line goes to the logger of the scope it runs in (`withLogScope`), so its level
 * and output are those its function was created with.
 */
export const logger: Log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
