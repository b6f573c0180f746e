import { describe, expect, it } from 'vitest';
import { neverReached, type SendOutcome } from '../../shared/domain/channel.ts';
import { FAILOVER_THROTTLE_BUDGET, failsOver } from '../../shared/domain/sending.ts';

const notNow = (extra: Partial<Extract<SendOutcome, { kind: 'retry-later' }>> = {}): SendOutcome => ({
  kind: 'retry-later',
  code: 'x',
  reason: 'x',
  throttled: false,
  ...extra,
});

describe('which answers move a message to the fallback', () => {
  it('moves at once when the provider is down (no connection, a 5xx)', () => {
    expect(failsOver(notNow({ providerDown: true }), 1)).toBe(true);
  });

  it('moves a throttled message only from the budget’s try on', () => {
    expect(FAILOVER_THROTTLE_BUDGET).toBe(3);
    expect(failsOver(notNow({ throttled: true }), 1)).toBe(false);
    expect(failsOver(notNow({ throttled: true }), 2)).toBe(false);
    expect(failsOver(notNow({ throttled: true }), 3)).toBe(true);
  });

  it('never moves a plain "not now" (a timeout, greylisting), an acceptance or a refusal', () => {
    expect(failsOver(notNow(), 6)).toBe(false);
    expect(failsOver({ kind: 'accepted', providerMessageId: 'p', events: [] }, 1)).toBe(false);
    expect(failsOver({ kind: 'failed', status: 'bounce', code: 'c', reason: 'r' }, 1)).toBe(false);
  });

  it('takes refused connections and unknown hosts as never reached, a timeout or reset not', () => {
    expect(neverReached(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(neverReached(new Error('fetch failed', { cause: { code: 'ENOTFOUND' } }))).toBe(true);
    expect(neverReached(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }))).toBe(false);
    expect(neverReached(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(false);
    expect(neverReached('nothing')).toBe(false);
  });
});
