import type { ApiKeyRecord, ApiKeyStore } from '../../shared/domain/auth.ts';
import type { CampaignStore } from '../../shared/domain/campaign.ts';
import { type CampaignRecord, nextTransition } from '../../shared/domain/campaign.ts';
import type { Clock } from '../../shared/domain/clock.ts';
import { AlreadyExistsError, ConcurrentUpdateError } from '../../shared/domain/errors.ts';
import type { NamespaceRecord, NamespaceStore } from '../../shared/domain/identity.ts';
import type { Page } from '../../shared/domain/page.ts';
import { decodeCursor, encodeCursor, keys } from '../../shared/store/keys.ts';

/**
 * In-memory ports for unit tests. They keep the contracts of the DynamoDB adapters that matter to
 * the use cases (revision conditions, sandbox isolation, cursors) and copy records in and out, so a
 * use case that mutates what it read or wrote is caught.
 */

/** A clock that stands still until a test moves it. */
export function fixedClock(iso: string): Clock & { set(iso: string): void; advance(ms: number): void } {
  let current = new Date(iso);
  return {
    now: () => new Date(current),
    set(next) {
      current = new Date(next);
    },
    advance(ms) {
      current = new Date(current.getTime() + ms);
    },
  };
}

/** Campaigns by sandbox and id; `save` and `delete` honour the revision conditions of the port. */
export class FakeCampaignStore implements CampaignStore {
  readonly records = new Map<string, CampaignRecord>();

  async create(record: CampaignRecord): Promise<void> {
    const key = itemKey(record.sandbox, record.id);
    if (this.records.has(key)) throw new AlreadyExistsError('Campaign', record.id);
    this.records.set(key, structuredClone(record));
  }

  async get(sandbox: string, id: string): Promise<CampaignRecord | undefined> {
    const record = this.records.get(itemKey(sandbox, id));
    return record && structuredClone(record);
  }

  async save(record: CampaignRecord): Promise<void> {
    const key = itemKey(record.sandbox, record.id);
    const stored = this.records.get(key);
    if (!stored || stored.revision !== record.revision - 1) {
      throw new ConcurrentUpdateError(`Campaign ${record.id}`);
    }
    this.records.set(key, structuredClone(record));
  }

  async delete(sandbox: string, id: string, revision: number): Promise<void> {
    const key = itemKey(sandbox, id);
    if (this.records.get(key)?.revision !== revision) throw new ConcurrentUpdateError(`Campaign ${id}`);
    this.records.delete(key);
  }

  async list(sandbox: string, page: { limit: number; cursor?: string }): Promise<Page<CampaignRecord>> {
    const { pk, prefix } = keys.campaigns(sandbox);
    const after = decodeCursor(page.cursor, pk, prefix)?.sk ?? '';
    const rows = [...this.records.values()]
      .filter((r) => r.sandbox === sandbox)
      .map((r) => ({ record: r, sk: keys.campaign(r.sandbox, r.id).sk }))
      .filter((row) => row.sk > after)
      .sort((a, b) => (a.sk < b.sk ? -1 : 1));
    const items = rows.slice(0, page.limit);
    const last = items.at(-1);
    const nextCursor =
      rows.length > page.limit && last ? encodeCursor(keys.campaign(sandbox, last.record.id)) : undefined;
    return {
      items: items.map((row) => structuredClone(row.record)),
      ...(nextCursor ? { nextCursor } : {}),
    };
  }

  async listDue(now: Date, limit: number): Promise<{ sandbox: string; id: string }[]> {
    return [...this.records.values()]
      .flatMap((record) => {
        const due = nextTransition(record);
        return due && Date.parse(due.at) <= now.getTime() ? [{ record, at: Date.parse(due.at) }] : [];
      })
      .sort((a, b) => a.at - b.at)
      .slice(0, limit)
      .map(({ record }) => ({ sandbox: record.sandbox, id: record.id }));
  }
}

/** Custom namespaces by sandbox. */
export class FakeNamespaceStore implements NamespaceStore {
  readonly records = new Map<string, NamespaceRecord>();

  constructor(initial: readonly NamespaceRecord[] = []) {
    for (const record of initial) this.records.set(itemKey(record.sandbox, record.code), record);
  }

  async create(record: NamespaceRecord): Promise<void> {
    const key = itemKey(record.sandbox, record.code);
    if (this.records.has(key)) throw new AlreadyExistsError('Namespace', record.code);
    this.records.set(key, { ...record });
  }

  async list(sandbox: string): Promise<NamespaceRecord[]> {
    return [...this.records.values()].filter((r) => r.sandbox === sandbox);
  }

  async exists(sandbox: string, code: string): Promise<boolean> {
    return this.records.has(itemKey(sandbox, code));
  }
}

/** API keys by hash; counts `findByHash` calls so caching can be checked. */
export class FakeApiKeyStore implements ApiKeyStore {
  readonly byHash = new Map<string, ApiKeyRecord>();
  lookups = 0;

  constructor(initial: readonly ApiKeyRecord[] = []) {
    for (const record of initial) this.byHash.set(record.hash, record);
  }

  async create(record: ApiKeyRecord): Promise<void> {
    this.byHash.set(record.hash, record);
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    this.lookups++;
    return this.byHash.get(hash);
  }

  async list(sandbox: string | null): Promise<ApiKeyRecord[]> {
    return [...this.byHash.values()].filter((r) => r.sandbox === sandbox);
  }

  async delete(sandbox: string | null, id: string): Promise<boolean> {
    for (const [hash, record] of this.byHash) {
      if (record.id === id && record.sandbox === sandbox) return this.byHash.delete(hash);
    }
    return false;
  }
}

function itemKey(sandbox: string, id: string): string {
  return `${sandbox}\u0000${id}`;
}
