/**
 * Standard Webhooks / Svix retry schedule: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and
 * 10 h, each delay with ±20 % jitter so retries of many endpoints do not arrive together.
 */
export const DEFAULT_RETRY_SCHEDULE_SECONDS: readonly number[] = [
  0, 5, 300, 1_800, 7_200, 18_000, 36_000, 36_000,
];

/** Bounds on a receiver's `Retry-After`: never sooner than the schedule says, never beyond a day. */
export const MAX_RETRY_AFTER_SECONDS = 24 * 3600;

/**
 * Seconds to wait before attempt `attempt` (1-based; attempt 1 is the first try), or undefined
 * when the schedule is exhausted. `random` is in [0, 1).
 */
export function delayBeforeAttempt(
  attempt: number,
  schedule: readonly number[] = DEFAULT_RETRY_SCHEDULE_SECONDS,
  random: () => number = Math.random,
): number | undefined {
  const base = schedule[attempt - 1];
  if (base === undefined) return undefined;
  if (base === 0) return 0;
  const jitter = (random() * 2 - 1) * 0.2;
  return Math.max(0, Math.round(base * (1 + jitter) * 1000) / 1000);
}

/**
 * A receiver's `Retry-After` (seconds or an HTTP date), bounded below by the scheduled delay and
 * above by a day. Undefined when absent or unreadable.
 */
export function retryAfterSeconds(header: string | undefined, now: Date): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  const seconds = /^\d+$/.test(trimmed) ? Number(trimmed) : (Date.parse(trimmed) - now.getTime()) / 1000;
  if (!Number.isFinite(seconds)) return undefined;
  return Math.min(Math.max(0, seconds), MAX_RETRY_AFTER_SECONDS);
}
