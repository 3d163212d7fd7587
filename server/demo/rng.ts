/**
 * A tiny seeded pseudo-random generator (mulberry32) with the helpers the demo needs. The demo never
 * uses Math.random: the same seed must give the same organisation on every fresh start.
 */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks by weight; items with weight 0 are never picked. */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  /** A new, independent generator whose sequence depends on this one's seed and the label only. */
  fork(label: string): Rng;
}

/** FNV-1a over the label: stable across runs and platforms, so forked streams are too. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick(items) {
      if (items.length === 0) throw new Error('rng.pick from an empty list');
      return items[Math.floor(next() * items.length)]!;
    },
    weighted(items) {
      const total = items.reduce((sum, [, w]) => sum + Math.max(0, w), 0);
      if (total <= 0) throw new Error('rng.weighted needs a positive total weight');
      let roll = next() * total;
      for (const [item, w] of items) {
        if (w <= 0) continue;
        roll -= w;
        if (roll < 0) return item;
      }
      return items.findLast(([, w]) => w > 0)![0];
    },
    // Forks hash the *original* seed with the label, not the current state, so adding draws to one
    // step never shifts what another step generates.
    fork: (label) => createRng((seed ^ hashLabel(label)) >>> 0),
  };
  return rng;
}
