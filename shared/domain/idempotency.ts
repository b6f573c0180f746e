import { createHash } from 'node:crypto';
import type { PendingJobs } from '../schemas/fanout-job.ts';

/**
 * The hash that tells a repeat from a different request under the same idempotency key. The JSON
 * is canonical (keys sorted, undefined dropped), so a client that retries with its fields in
 * another order is still recognised as repeating itself.
 */
export function requestHash(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

/** The idempotency key of an audience send, shared by immediate and scheduled runs. */
export function audienceRequestKey(requestId: string): string {
  return `audience#${requestId}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** How long an idempotency record answers repeats (the reference peers' 24-hour window). */
export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600;

export interface IdempotencyRecord {
  readonly sandbox: string;
  readonly key: string;
  readonly bodyHash: string;
  readonly state: 'pending' | 'done';
  /** Until when a pending record belongs to the request that wrote it (ms since epoch). */
  readonly lockedUntil: number;
  readonly executionId: string;
  readonly response: unknown;
  /** Epoch seconds after which the record no longer counts. */
  readonly expiresAt: number;
  /**
   * The outbox: the jobs the request queues, written in the same transaction as its execution and
   * dropped once they are sent. A retry of the request, or the scheduler's sweep of claims whose
   * lock lapsed, sends them, so accepted work is never stranded.
   */
  readonly jobs?: PendingJobs;
}

/** What a claim transaction answers: written, or the live record that already holds the key. */
export type ClaimResult = { claimed: true } | { claimed: false; existing: IdempotencyRecord };

/** Sends a claim's pending jobs to their queues (each queue's own adapter). */
export interface JobSender {
  send(jobs: PendingJobs): Promise<void>;
}

/** The idempotency records (claims) every idempotent call shares, after their claim transaction. */
export interface ClaimStore {
  get(sandbox: string, key: string): Promise<IdempotencyRecord | undefined>;
  /** Marks a pending record done and drops its jobs (no-op if another request already did). */
  complete(sandbox: string, key: string): Promise<void>;
  /** Takes over a pending record whose lock has lapsed; false if someone else did first. */
  relock(record: IdempotencyRecord, lockedUntil: number): Promise<boolean>;
  /** Pending records whose lock lapsed at or before `now` (the sweeper's work list). */
  listStale(now: Date, limit: number): Promise<{ sandbox: string; key: string }[]>;
}
