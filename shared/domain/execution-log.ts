import type { EXECUTION_KINDS } from '../schemas/execution-log.ts';

/**
 * The execution log: one small entry per execution (unitary, high-throughput, audience run), so a
 * sandbox's executions can be listed newest first. Entries are spread over EXECUTION_LOG_SHARDS
 * partitions, so a sandbox triggering thousands of calls a second writes no hot partition; a page
 * reads every shard and merges them (the console's "recent executions", ADR 0019).
 */

export type ExecutionKind = (typeof EXECUTION_KINDS)[number];

/** Partitions of one sandbox's log; each takes ~1,000 writes/s, so 16 take the design's 5,000/s. */
export const EXECUTION_LOG_SHARDS = 16;

export interface ExecutionLogRecord {
  readonly sandbox: string;
  readonly executionId: string;
  readonly kind: ExecutionKind;
  readonly campaignId: string;
  readonly requestId?: string;
  /** Audience runs: the audience sent to. */
  readonly audienceId?: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

/** The shard of an execution: its id's last hex digit, random in UUIDv7 and UUIDv8 ids alike. */
export function executionLogShard(executionId: string): number {
  const digit = Number.parseInt(executionId.slice(-1), 16);
  return Number.isNaN(digit) ? 0 : digit % EXECUTION_LOG_SHARDS;
}

/** Where in the log an entry sorts: by creation time, then id (unique, so a cursor is exact). */
export const executionLogPosition = (r: Pick<ExecutionLogRecord, 'createdAt' | 'executionId'>) =>
  `${r.createdAt}#${r.executionId}`;

export interface ExecutionLogQuery {
  readonly limit: number;
  /** Only entries before this position (a page's cursor). */
  readonly before?: string;
  /** Only entries created at or after this instant (ISO 8601). */
  readonly since?: string;
  readonly campaignId?: string;
  readonly kind?: ExecutionKind;
}

export interface ExecutionLogReader {
  /** Newest first; `next` is the position to pass as `before` for the next page, when there is one. */
  list(
    sandbox: string,
    query: ExecutionLogQuery,
  ): Promise<{ items: ExecutionLogRecord[]; next: string | undefined }>;
}

/**
 * The newest `limit` entries of the union of each shard's newest `limit`: an entry not among its
 * own shard's first `limit` has `limit` newer ones there, so it cannot be among the first overall.
 */
export function mergeShards(
  shards: readonly { items: readonly ExecutionLogRecord[]; more: boolean }[],
  limit: number,
): { items: ExecutionLogRecord[]; next: string | undefined } {
  const all = shards
    .flatMap((s) => s.items)
    .sort((a, b) => executionLogPosition(b).localeCompare(executionLogPosition(a)));
  const items = all.slice(0, limit);
  const more = all.length > limit || shards.some((s) => s.more);
  const last = items.at(-1);
  return { items, next: more && last ? executionLogPosition(last) : undefined };
}
