import { describe, expect, it } from 'vitest';
import type { SendOutcome } from '../../shared/domain/channel.ts';
import {
  HEALTH_SUCCESS_INTERVAL_MS,
  HEALTH_WINDOW_MS,
  type HealthObservation,
  HealthTally,
  healthView,
  ProviderHealthRecorder,
} from '../../shared/domain/provider-health.ts';

const accepted: SendOutcome = { kind: 'accepted', providerMessageId: 'p', events: [] };
const down: SendOutcome = {
  kind: 'retry-later',
  code: 'ses-ServiceUnavailable',
  reason: 'Service Unavailable',
  throttled: false,
  providerDown: true,
};
const bounce: SendOutcome = { kind: 'failed', status: 'bounce', code: 'smtp-550', reason: 'no such user' };

function tally(...answers: [string | undefined, SendOutcome][]) {
  const t = new HealthTally();
  for (const [id, outcome] of answers) t.add(id, outcome, '2030-01-01T00:00:00.000Z');
  return t;
}

describe('the dispatcher’s provider health writes (ADR 0028)', () => {
  it('write failures once per configuration and job, a success at most once a minute, and at once after a failure', async () => {
    const writes: [string, HealthObservation][] = [];
    const recorder = new ProviderHealthRecorder({
      record: async (_sandbox, id, observation) => void writes.push([id, observation]),
    });
    // A job: two failures on the primary, the fallback took both; a bounce is no provider failure.
    await recorder.record(
      'sb',
      tally(['p', down], ['f', accepted], ['p', down], ['f', accepted], ['f', bounce]),
      0,
    );
    expect(writes).toEqual([
      [
        'p',
        {
          failures: 2,
          lastFailure: {
            at: '2030-01-01T00:00:00.000Z',
            code: 'ses-ServiceUnavailable',
            reason: 'Service Unavailable',
          },
        },
      ],
      ['f', { failures: 0, succeededAt: '2030-01-01T00:00:00.000Z' }],
    ]);
    writes.length = 0;
    // Successes within the minute: nothing written; the primary's first success after its failures: written.
    await recorder.record('sb', tally(['f', accepted], ['p', accepted]), 10_000);
    expect(writes.map(([id]) => id)).toEqual(['p']);
    writes.length = 0;
    await recorder.record('sb', tally(['f', accepted], ['p', accepted], [undefined, down]), 20_000);
    expect(writes).toEqual([]);
    await recorder.record('sb', tally(['f', accepted]), HEALTH_SUCCESS_INTERVAL_MS + 1);
    expect(writes.map(([id]) => id)).toEqual(['f']);
  });

  it('show the current window’s failures and the previous one’s, none older', () => {
    const now = 10 * HEALTH_WINDOW_MS + 60_000;
    const record = { sandbox: 'sb', configurationId: 'c', failures: 2, previousFailures: 3 };
    expect(healthView({ ...record, windowStart: 10 * HEALTH_WINDOW_MS }, now).recentFailures).toBe(5);
    expect(healthView({ ...record, windowStart: 9 * HEALTH_WINDOW_MS }, now).recentFailures).toBe(2);
    expect(healthView({ ...record, windowStart: 8 * HEALTH_WINDOW_MS }, now).recentFailures).toBe(0);
    expect(healthView(undefined, now)).toEqual({ recentFailures: 0, windowMinutes: 30 });
  });
});
