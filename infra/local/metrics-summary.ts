/**
 * The local view of Herald's metrics: the functions' EMF documents (what CloudWatch reads from a
 * Lambda's stdout), summed per metric and dimensions between two summaries. `npm start` prints
 * {@link MetricsSummary.line} every HERALD_METRICS_SUMMARY_SECONDS, so the numbers the dashboard
 * shows on AWS are readable on a laptop without it.
 */
export class MetricsSummary {
  readonly #series = new Map<string, { unit: string; count: number; sum: number; max: number }>();

  /** Takes one EMF document (as the metrics sink receives it); anything else is ignored. */
  add(document: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(document);
    } catch {
      return;
    }
    if (parsed === null || typeof parsed !== 'object') return;
    const fields = parsed as Record<string, unknown> & {
      _aws?: {
        CloudWatchMetrics?: { Dimensions?: string[][]; Metrics?: { Name: string; Unit?: string }[] }[];
      };
    };
    for (const directive of fields._aws?.CloudWatchMetrics ?? []) {
      const dimensions = (directive.Dimensions?.[0] ?? [])
        .filter((name) => name !== 'service')
        .map((name) => `${name}=${String(fields[name])}`)
        .join(' ');
      for (const metric of directive.Metrics ?? []) {
        const raw = fields[metric.Name];
        const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is number => typeof v === 'number');
        if (values.length === 0) continue;
        const key = dimensions ? `${metric.Name}{${dimensions}}` : metric.Name;
        const series = this.#series.get(key) ?? { unit: metric.Unit ?? 'None', count: 0, sum: 0, max: 0 };
        for (const value of values) {
          series.count += 1;
          series.sum += value;
          series.max = Math.max(series.max, value);
        }
        this.#series.set(key, series);
      }
    }
  }

  /**
   * What was recorded since the last call, one line, or undefined when nothing was: counts as
   * sums, durations as `n=… avg=…ms max=…ms`. `Triggers{route=/im/executions/unitary outcome=accepted problem=none}=3`.
   */
  line(seconds: number): string | undefined {
    if (this.#series.size === 0) return undefined;
    const parts = [...this.#series.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, s]) =>
        s.unit === 'Milliseconds'
          ? `${key} n=${s.count} avg=${Math.round(s.sum / s.count)}ms max=${Math.round(s.max)}ms`
          : `${key}=${s.sum}`,
      );
    this.#series.clear();
    return `metrics, last ${seconds} s: ${parts.join(' · ')}`;
  }
}
