import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher.ts';

interface Item {
  key: string;
  value: number;
}

/** A batcher over a run that records its batches and answers each value doubled after `delayMs`. */
function recording({ maxInFlight = 1, maxBatch = 100, delayMs = 5, failWhen = (_: Item[]): boolean => false } = {}) {
  const batches: number[][] = [];
  let running = 0;
  let mostRunning = 0;
  const batcher = createBatcher<Item, number>({
    async run(items) {
      batches.push(items.map((i) => i.value));
      running++;
      mostRunning = Math.max(mostRunning, running);
      await new Promise((r) => setTimeout(r, delayMs));
      running--;
      if (failWhen(items)) throw new Error(`batch of ${items.map((i) => i.value).join(',')} failed`);
      return items.map((i) => i.value * 2);
    },
    keysOf: (i) => [i.key],
    maxInFlight,
    maxBatch,
  });
  return { batcher, batches, mostRunning: () => mostRunning };
}

describe('createBatcher', () => {
  it('sends items submitted in one turn together, and those that arrive while it runs in the next batch', async () => {
    const { batcher, batches } = recording();
    const first = [1, 2, 3].map((value) => batcher.submit({ key: `k${value}`, value }));
    await new Promise((r) => setTimeout(r, 1)); // the first batch is on its way
    const second = [4, 5].map((value) => batcher.submit({ key: `k${value}`, value }));
    expect(await Promise.all([...first, ...second])).toEqual([2, 4, 6, 8, 10]);
    expect(batches).toEqual([[1, 2, 3], [4, 5]]);
  });

  it('never puts two items with one key in a batch, keeps their order, and caps a batch', async () => {
    const { batcher, batches } = recording({ maxBatch: 3 });
    const items = [
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
      { key: 'a', value: 3 },
      { key: 'c', value: 4 },
      { key: 'd', value: 5 },
      { key: 'a', value: 6 },
    ];
    expect(await Promise.all(items.map((i) => batcher.submit(i)))).toEqual([2, 4, 6, 8, 10, 12]);
    expect(batches).toEqual([[1, 2, 4], [3, 5], [6]]);
  });

  it('runs at most maxInFlight batches at once', async () => {
    const { batcher, batches, mostRunning } = recording({ maxInFlight: 2, maxBatch: 2 });
    await Promise.all(Array.from({ length: 10 }, (_, value) => batcher.submit({ key: `k${value}`, value })));
    expect(mostRunning()).toBe(2);
    expect(batches.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('runs the items of a failed batch one by one, so only the bad one fails', async () => {
    const { batcher, batches } = recording({ failWhen: (items) => items.some((i) => i.value === 13) });
    const results = await Promise.allSettled([1, 13, 3].map((value) => batcher.submit({ key: `k${value}`, value })));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([2, 'batch of 13 failed', 6]);
    expect(batches[0]).toEqual([1, 13, 3]);
    expect(batches.slice(1).sort()).toEqual([[1], [13], [3]].sort());
  });
});
