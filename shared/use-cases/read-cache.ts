import type { CampaignReader, CampaignStore } from '../domain/campaign.ts';
import type { SandboxReader, SandboxStore } from '../domain/sandbox.ts';

/** Entries one cache keeps before it starts again (a container serves few sandboxes and campaigns). */
const MAX_ENTRIES = 1_000;

/**
 * Wraps a read in a per-container cache of `ttlMs`, keyed by its arguments, so a hot path does not
 * read the same item on every call. Absent items are cached too (an unknown id costs one read per
 * period, not one per call). A change to the item is seen within `ttlMs`.
 */
export function cachedReads<Args extends readonly string[], V>(
  read: (...args: Args) => Promise<V>,
  ttlMs: number,
  nowMs: () => number = Date.now,
): (...args: Args) => Promise<V> {
  const cache = new Map<string, { value: V; until: number }>();
  return async (...args) => {
    // NUL never occurs in sandbox names or ids, so the joined key is unambiguous.
    const key = args.join('\u0000');
    const hit = cache.get(key);
    if (hit && hit.until > nowMs()) return hit.value;
    const value = await read(...args);
    if (cache.size > MAX_ENTRIES) cache.clear();
    cache.set(key, { value, until: nowMs() + ttlMs });
    return value;
  };
}

/** Campaigns on the trigger path: an activation, stop or edit is seen within `ttlMs`. */
export function cachedCampaigns(
  store: Pick<CampaignStore, 'get'>,
  ttlMs: number,
  nowMs: () => number = Date.now,
): CampaignReader {
  return { get: cachedReads((sandbox: string, id: string) => store.get(sandbox, id), ttlMs, nowMs) };
}

/**
 * Sandbox settings (the default country) on the trigger and profile paths: every call of a
 * sandbox would otherwise read the same item, in the one partition all sandboxes share.
 */
export function cachedSandboxes(
  store: Pick<SandboxStore, 'get'>,
  ttlMs: number,
  nowMs: () => number = Date.now,
): SandboxReader {
  return { get: cachedReads((name: string) => store.get(name), ttlMs, nowMs) };
}
