import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_SCHEDULE_SECONDS,
  delayBeforeAttempt,
  retryAfterSeconds,
} from '../../shared/domain/retry-schedule.ts';

describe('the retry schedule', () => {
  it('is the Standard Webhooks schedule', () => {
    expect(DEFAULT_RETRY_SCHEDULE_SECONDS).toEqual([0, 5, 300, 1800, 7200, 18000, 36000, 36000]);
  });

  it('tries at once, then waits each delay within ±20 %, and ends after the eighth attempt', () => {
    expect(delayBeforeAttempt(1, undefined, () => 0.99)).toBe(0);
    expect(delayBeforeAttempt(2, undefined, () => 0)).toBe(4);
    expect(delayBeforeAttempt(2, undefined, () => 0.5)).toBe(5);
    expect(delayBeforeAttempt(2, undefined, () => 0.999999)).toBeCloseTo(6, 2);
    expect(delayBeforeAttempt(8, undefined, () => 0)).toBe(28_800);
    expect(delayBeforeAttempt(9)).toBeUndefined();
    for (let i = 0; i < 100; i++) {
      const delay = delayBeforeAttempt(5) ?? 0;
      expect(delay).toBeGreaterThanOrEqual(7200 * 0.8);
      expect(delay).toBeLessThanOrEqual(7200 * 1.2);
    }
  });

  it('reads Retry-After as seconds or a date, bounded to a day', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60);
    expect(retryAfterSeconds('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds('9999999', now)).toBe(86_400);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds(undefined, now)).toBeUndefined();
  });
});
