import type { SendOutcome } from './channel.ts';

/**
 * Per-provider health (issue 16, ADR 0028): how a channel configuration's provider calls went
 * lately, shown on the configuration. Failures are a provider's own "not now" (no connection, a
 * 5xx, throttling, a timeout), never a recipient's refusal (bounce, error, opt-out). They are
 * counted in fixed windows of HEALTH_WINDOW_MS; `recentFailures` is the current window's count and
 * the previous one's: the failures of the last 15 to 30 minutes.
 */
export const HEALTH_WINDOW_MS = 15 * 60_000;

/**
 * A container writes a configuration's success at most this often (sampled: a success is one
 * UpdateItem per configuration, per dispatch container, per minute at most), and at once after it
 * recorded a failure, so a recovering provider shows its recovery within a job.
 */
export const HEALTH_SUCCESS_INTERVAL_MS = 60_000;

/** What the store keeps for a configuration. */
export interface ProviderHealthRecord {
  readonly sandbox: string;
  readonly configurationId: string;
  /** The start of the window `failures` counts (epoch ms, a multiple of HEALTH_WINDOW_MS). */
  readonly windowStart?: number;
  readonly failures?: number;
  /** The window before `windowStart`'s count, kept when the window rolled over. */
  readonly previousFailures?: number;
  readonly lastFailureAt?: string;
  readonly lastFailureCode?: string;
  readonly lastFailureReason?: string;
  readonly lastSuccessAt?: string;
}

/** A job's provider answers for one configuration, written in one update. */
export interface HealthObservation {
  readonly failures: number;
  readonly lastFailure?: { readonly at: string; readonly code: string; readonly reason: string };
  readonly succeededAt?: string;
}

export interface ProviderHealthStore {
  /** Adds failures to the configuration's window and sets the last failure and/or the last success. */
  record(
    sandbox: string,
    configurationId: string,
    observation: HealthObservation,
    nowMs: number,
  ): Promise<void>;
  get(sandbox: string, configurationId: string): Promise<ProviderHealthRecord | undefined>;
  /** The records of these configurations (missing ones absent). */
  getMany(sandbox: string, configurationIds: readonly string[]): Promise<ProviderHealthRecord[]>;
}

export const windowStartOf = (nowMs: number) => nowMs - (nowMs % HEALTH_WINDOW_MS);

/** The health as the API shows it, at `nowMs`. */
export function healthView(record: ProviderHealthRecord | undefined, nowMs: number) {
  const current = windowStartOf(nowMs);
  const start = record?.windowStart;
  const recentFailures =
    start === current
      ? (record?.failures ?? 0) + (record?.previousFailures ?? 0)
      : start === current - HEALTH_WINDOW_MS
        ? (record?.failures ?? 0)
        : 0;
  return {
    recentFailures,
    windowMinutes: (2 * HEALTH_WINDOW_MS) / 60_000,
    ...(record?.lastFailureAt !== undefined ? { lastFailureAt: record.lastFailureAt } : {}),
    ...(record?.lastFailureCode !== undefined ? { lastFailureCode: record.lastFailureCode } : {}),
    ...(record?.lastFailureReason !== undefined ? { lastFailureReason: record.lastFailureReason } : {}),
    ...(record?.lastSuccessAt !== undefined ? { lastSuccessAt: record.lastSuccessAt } : {}),
  };
}

/**
 * One dispatch container's health writer: a job's answers are tallied per configuration and
 * written once per configuration with failures (one UpdateItem), and a success only when this
 * container has not written one for HEALTH_SUCCESS_INTERVAL_MS or wrote a failure since.
 */
export class ProviderHealthRecorder {
  readonly #store: Pick<ProviderHealthStore, 'record'>;
  /** Per sandbox and configuration: when this container last wrote a success, and a failure since. */
  readonly #written = new Map<string, { successAt: number; failedSince: boolean }>();

  constructor(store: Pick<ProviderHealthStore, 'record'>) {
    this.#store = store;
  }

  /** What a job saw, per configuration id; resolves when written (errors are the caller's to log). */
  async record(sandbox: string, tally: HealthTally, nowMs: number): Promise<void> {
    await Promise.all(
      [...tally.entries()].map(async ([configurationId, seen]) => {
        const key = `${sandbox}\u0000${configurationId}`;
        const written = this.#written.get(key);
        const writeSuccess =
          seen.succeededAt !== undefined &&
          (written === undefined ||
            written.failedSince ||
            nowMs - written.successAt >= HEALTH_SUCCESS_INTERVAL_MS);
        if (seen.failures === 0 && !writeSuccess) return;
        const { succeededAt, ...failures } = seen;
        await this.#store.record(
          sandbox,
          configurationId,
          { ...failures, ...(writeSuccess && succeededAt !== undefined ? { succeededAt } : {}) },
          nowMs,
        );
        if (this.#written.size > 10_000) this.#written.clear();
        this.#written.set(key, {
          successAt: writeSuccess ? nowMs : (written?.successAt ?? Number.NEGATIVE_INFINITY),
          // Any failure now: the next success is written at once, to show the recovery.
          failedSince: seen.failures > 0 || (!writeSuccess && written?.failedSince === true),
        });
      }),
    );
  }
}

/** A job's answers per configuration id, tallied as they come. */
export class HealthTally {
  readonly #seen = new Map<string, HealthObservation>();

  add(configurationId: string | undefined, outcome: SendOutcome, at: string): void {
    if (configurationId === undefined) return;
    const seen = this.#seen.get(configurationId) ?? { failures: 0 };
    if (outcome.kind === 'retry-later')
      this.#seen.set(configurationId, {
        ...seen,
        failures: seen.failures + 1,
        lastFailure: { at, code: outcome.code, reason: outcome.reason },
      });
    else if (outcome.kind === 'accepted') this.#seen.set(configurationId, { ...seen, succeededAt: at });
  }

  entries(): IterableIterator<[string, HealthObservation]> {
    return this.#seen.entries();
  }
}
