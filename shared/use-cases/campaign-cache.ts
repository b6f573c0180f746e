import type { CampaignRecord } from '../domain/campaign.ts';
import type { CampaignReader, CampaignStore } from '../ports.ts';

/**
 * Reads campaigns through a per-container cache of a few seconds, so the trigger path does not
 * read the same hot item on every call. An activation, stop or edit is seen within `ttlMs`.
 */
export function cachedCampaigns(
  store: Pick<CampaignStore, 'get'>,
  ttlMs: number,
  nowMs: () => number = Date.now,
): CampaignReader {
  const cache = new Map<string, { record: CampaignRecord | undefined; until: number }>();
  return {
    async get(sandbox, id) {
      const key = `${sandbox}#${id}`;
      const hit = cache.get(key);
      if (hit && hit.until > nowMs()) return hit.record;
      const record = await store.get(sandbox, id);
      if (cache.size > 1_000) cache.clear();
      cache.set(key, { record, until: nowMs() + ttlMs });
      return record;
    },
  };
}
