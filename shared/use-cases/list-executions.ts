import { ValidationError } from '../domain/errors.ts';
import type { ExecutionLogReader } from '../domain/execution-log.ts';
import type { ExecutionSummary, ListExecutionsQuery } from '../schemas/execution-log.ts';

export interface ListExecutionsDeps {
  readonly executionLog: ExecutionLogReader;
}

/** A log position (`<ISO time>#<uuid>`) is all a cursor holds; the sandbox comes from the key. */
const POSITION = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z#[0-9a-f-]{36}$/;

const encodeCursor = (position: string) => Buffer.from(position, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const position = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!POSITION.test(position)) {
    throw new ValidationError([
      { path: 'query.cursor', message: 'is not a cursor returned by this listing' },
    ]);
  }
  return position;
}

/**
 * The sandbox's executions of every kind, newest first. Primary course: decode the cursor, read a
 * page of the execution log (every shard, merged), answer it with the next page's cursor.
 */
export async function listExecutions(
  deps: ListExecutionsDeps,
  sandbox: string,
  query: ListExecutionsQuery,
): Promise<{ items: ExecutionSummary[]; nextCursor?: string }> {
  const page = await deps.executionLog.list(sandbox, {
    limit: query.limit,
    ...(query.cursor !== undefined ? { before: decodeCursor(query.cursor) } : {}),
    ...(query.since !== undefined ? { since: new Date(query.since).toISOString() } : {}),
    ...(query.campaignId !== undefined ? { campaignId: query.campaignId } : {}),
    ...(query.kind !== undefined ? { kind: query.kind } : {}),
  });
  return {
    items: page.items.map(({ sandbox: _sandbox, ...summary }) => summary),
    ...(page.next !== undefined ? { nextCursor: encodeCursor(page.next) } : {}),
  };
}
