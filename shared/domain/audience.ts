import { createHash } from 'node:crypto';

/** Partitions one audience's members (and an audience execution's messages) are spread over. */
export const MEMBER_SHARDS = 16;

/** The shard of a profile: stable, and even over profile ids. */
export function memberShard(profileId: string): number {
  return (createHash('sha256').update(profileId).digest()[0] ?? 0) % MEMBER_SHARDS;
}

/** How long an audience run may take; members not reached by then are excluded (reference: 12 h). */
export const AUDIENCE_WINDOW_MS = 12 * 3600 * 1000;

/** Messages per dispatch job of an audience run. */
export const AUDIENCE_CHUNK = 20;

/**
 * Send times for `count` messages at `ratePerSec`, from `startMs`, in chunks: chunk i goes when the
 * messages before it have used their share of the rate. Spreading by scheduling, never by sleeping.
 */
export function planChunks(count: number, ratePerSec: number, startMs: number, chunk = AUDIENCE_CHUNK) {
  const plan: { offset: number; size: number; atMs: number }[] = [];
  for (let offset = 0; offset < count; offset += chunk) {
    plan.push({
      offset,
      size: Math.min(chunk, count - offset),
      atMs: startMs + Math.round((offset / ratePerSec) * 1000),
    });
  }
  return plan;
}

/** A deterministic message id for a member of a run, so a replayed page never creates a second one. */
export function audienceMessageId(executionId: string, profileId: string): string {
  const hex = createHash('sha256').update(`${executionId}:${profileId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
