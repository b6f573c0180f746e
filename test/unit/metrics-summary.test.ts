import { describe, expect, it } from 'vitest';
import { MetricsSummary } from '../../infra/local/metrics-summary.ts';
import { HeraldMetrics } from '../../shared/metrics.ts';

describe("the local runtime's metrics summary", () => {
  it('sums the EMF documents the functions write, per metric and dimensions, between two lines', () => {
    const summary = new MetricsSummary();
    const metrics = new HeraldMetrics({ sink: (document) => summary.add(document) });
    const accepted = { route: '/im/executions/unitary', outcome: 'accepted', problem: 'none' };
    metrics.publish([
      { name: 'Triggers', value: 1, dimensions: accepted },
      { name: 'Triggers', value: 1, dimensions: accepted },
      { name: 'ProviderLatency', value: 4, dimensions: { channel: 'email', provider: 'smtp' } },
      { name: 'ProviderLatency', value: 10, dimensions: { channel: 'email', provider: 'smtp' } },
      { name: 'FanoutMembers', value: 250, dimensions: {} },
    ]);
    summary.add('not an EMF document');
    expect(summary.line(60)).toBe(
      'metrics, last 60 s: FanoutMembers=250 · ProviderLatency{channel=email provider=smtp} n=2 avg=7ms max=10ms · ' +
        'Triggers{route=/im/executions/unitary outcome=accepted problem=none}=2',
    );
    expect(summary.line(60)).toBeUndefined();
  });
});
