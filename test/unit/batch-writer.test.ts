import { describe, expect, it } from 'vitest';
import { packWaves } from '../../shared/store/batch-writer.ts';

describe("packWaves (the batch writer's requests, ADR 0030)", () => {
  it('packs groups in order: a request holds at most 25 items, a repeated item starts a wave', () => {
    const entry = (keys: string[]) => ({ group: { puts: [], deletes: [] }, keys });
    const a = entry(['1', '2']);
    const b = entry(['3']);
    const c = entry(['2', '4']);
    expect(packWaves([a, b, c])).toEqual([[[a, b]], [[c]]]);
    const big = Array.from({ length: 13 }, (_, i) => entry([`x${i}`, `y${i}`]));
    const waves = packWaves(big);
    expect(waves).toHaveLength(1);
    expect(waves[0]?.map((request) => request.length)).toEqual([12, 1]);
  });
});
