import { AsyncLocalStorage } from 'node:async_hooks';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** The CloudWatch namespace of Herald's own metrics (the alarms and the dashboard read it). */
export const METRICS_NAMESPACE = 'Herald';
/** The `service` dimension Powertools adds to every metric (the alarms name it too). */
export const METRICS_SERVICE = 'herald';

/**
 * Herald's metrics, their units and dimensions (besides `service`). Dimensions are few-valued on
 * purpose (route templates, channels, statuses, codes): never a sandbox, an id or an address.
 */
export const METRICS = {
  /** A trigger call (POST under /im/executions) answered: `route`, `outcome` (accepted|refused), `problem` (type, or `none`). */
  Triggers: 'Count',
  /** A status a message reached: `channel`, `status`. The final ones are delivered, bounce, error, exclude, … */
  Messages: 'Count',
  /** A message excluded: `channel`, `reason` (the exclusion code). */
  Exclusions: 'Count',
  /** How long a provider took to answer a send: `channel`, `provider` (sandbox|smtp|ses). */
  ProviderLatency: 'Milliseconds',
  /** A webhook delivery attempt: `outcome` (delivered|failed). */
  WebhookAttempts: 'Count',
  /** From a status event's fan-out to its webhook's 2xx (retries included). */
  WebhookDeliveryDelay: 'Milliseconds',
  /** Audience members a fan-out page processed (sum per period: members per second). */
  FanoutMembers: 'Count',
  /** Records a worker reported in `batchItemFailures`, per batch: `queue`. */
  FailedRecords: 'Count',
} as const;

export type MetricName = keyof typeof METRICS;
export type MetricDimensions = Readonly<Record<string, string>>;

/** One value of one metric. */
export interface MetricPoint {
  readonly name: MetricName;
  readonly value: number;
  readonly dimensions: MetricDimensions;
}

/** Where EMF documents go: stdout (CloudWatch Logs reads them on Lambda) unless a runtime or test says. */
export type MetricSink = (document: string) => void;

/** Powertools' values per metric in one document; past it, Powertools would flush on its own. */
const MAX_VALUES = 99;

/** Powertools Metrics, exposing whether `POWERTOOLS_METRICS_DISABLED` (or POWERTOOLS_DEV) turned it off. */
class EmfMetrics extends Metrics {
  get off(): boolean {
    return this.isDisabled();
  }
}

/**
 * A function's metrics: Powertools Metrics serializing CloudWatch EMF documents (namespace
 * `Herald`, dimension `service: herald`), written to a sink. Without a sink they go to stdout,
 * unless Powertools metrics are disabled; a sink given is always written to (it is how the
 * local runtime and the tests read them).
 */
export class HeraldMetrics {
  readonly #emf = new EmfMetrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });
  readonly #sink: MetricSink | undefined;

  constructor(options: { sink?: MetricSink } = {}) {
    this.#sink = options.sink;
  }

  /**
   * Writes the points: one EMF document per set of dimensions, a metric's values as a list.
   * Synchronous, so the documents of work running side by side never mix.
   */
  publish(points: readonly MetricPoint[]): void {
    if (points.length === 0 || (!this.#sink && this.#emf.off)) return;
    const groups = new Map<string, MetricPoint[]>();
    for (const point of points) {
      const key = JSON.stringify(Object.entries(point.dimensions).sort(([a], [b]) => a.localeCompare(b)));
      groups.set(key, [...(groups.get(key) ?? []), point]);
    }
    for (const group of groups.values()) {
      for (let start = 0; start < group.length; start += MAX_VALUES) {
        const chunk = group.slice(start, start + MAX_VALUES);
        for (const [name, value] of Object.entries(chunk[0]?.dimensions ?? {}))
          this.#emf.addDimension(name, value);
        for (const point of chunk) this.#emf.addMetric(point.name, METRICS[point.name], point.value);
        const document = JSON.stringify(this.#emf.serializeMetrics());
        this.#emf.clearMetrics();
        this.#emf.clearDimensions();
        if (this.#sink) this.#sink(document);
        else process.stdout.write(`${document}\n`);
      }
    }
  }
}

const buffers = new AsyncLocalStorage<MetricPoint[]>();

/**
 * Runs `work` collecting every metric it records, then publishes them with `metrics` (also when
 * it throws). The handler shells open one per request and per SQS record.
 */
export async function withMetrics<T>(metrics: HeraldMetrics, work: () => Promise<T>): Promise<T> {
  const points: MetricPoint[] = [];
  try {
    return await buffers.run(points, work);
  } finally {
    metrics.publish(points);
  }
}

let fallback: HeraldMetrics | undefined;

/** Records one value; published when the current request or record ends (at once outside one). */
export function recordMetric(name: MetricName, value: number, dimensions: MetricDimensions = {}): void {
  const point = { name, value, dimensions };
  const buffer = buffers.getStore();
  if (buffer) buffer.push(point);
  else {
    fallback ??= new HeraldMetrics();
    fallback.publish([point]);
  }
}
