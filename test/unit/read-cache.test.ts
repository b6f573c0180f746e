import { describe, expect, it } from 'vitest';
import type { SandboxRecord } from '../../shared/domain/sandbox.ts';
import { cachedReads, cachedSandboxes } from '../../shared/use-cases/read-cache.ts';

describe('per-container read caches', () => {
  it('read an item once per period, keyed by all the arguments', async () => {
    let now = 0;
    const reads: string[] = [];
    const read = cachedReads(
      async (sandbox: string, id: string) => {
        reads.push(`${sandbox}/${id}`);
        return `${sandbox}/${id}@${now}`;
      },
      5_000,
      () => now,
    );
    expect(await read('a', 'b')).toBe('a/b@0');
    now = 4_999;
    expect(await read('a', 'b')).toBe('a/b@0');
    expect(await read('ab', '')).toBe('ab/@4999');
    now = 5_000;
    expect(await read('a', 'b')).toBe('a/b@5000');
    expect(reads).toEqual(['a/b', 'ab/', 'a/b']);
  });

  it('cache an absent sandbox too, and see an edit after the period', async () => {
    let now = 0;
    let stored: SandboxRecord | undefined;
    let reads = 0;
    const sandboxes = cachedSandboxes(
      {
        get: async () => {
          reads++;
          return stored;
        },
      },
      5_000,
      () => now,
    );
    expect(await sandboxes.get('prod')).toBeUndefined();
    stored = { name: 'prod', createdAt: '2030-01-01T00:00:00Z', defaultCountry: 'US' };
    expect(await sandboxes.get('prod')).toBeUndefined();
    expect(reads).toBe(1);
    now = 5_001;
    expect((await sandboxes.get('prod'))?.defaultCountry).toBe('US');
    expect(reads).toBe(2);
  });
});
