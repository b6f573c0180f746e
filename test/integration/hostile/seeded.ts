/**
 * A small seeded generator (mulberry32), so the corpus is the same on every run: a failing case can
 * be replayed by its number. Never use Math.random in the corpus.
 */
export interface Seeded {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  /** A copy of the items in a seeded order. */
  shuffle<T>(items: readonly T[]): T[];
  /** Up to n of the items, chosen by the seed, in their original order. */
  sample<T>(items: readonly T[], n: number): T[];
  /** A version 4 UUID drawn from the seed (an id no fixture has). */
  uuid(): string;
}

export function seeded(seed: number): Seeded {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const shuffle = <T>(items: readonly T[]) => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  };
  return {
    next,
    int,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from nothing');
      return items[int(items.length)] as (typeof items)[number];
    },
    shuffle,
    sample: (items, n) => {
      if (items.length <= n) return [...items];
      const chosen = new Set(shuffle(items.map((_, i) => i)).slice(0, n));
      return items.filter((_, i) => chosen.has(i));
    },
    uuid: () => {
      const hex = Array.from({ length: 32 }, () => int(16).toString(16));
      hex[12] = '4';
      hex[16] = (8 + int(4)).toString(16);
      const s = hex.join('');
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
    },
  };
}
