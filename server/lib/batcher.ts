/**
 * Natural batching of writes that would each take a round trip: items submitted while the slots are
 * busy wait, and go together in the next batch as soon as a slot frees. A lone item waits only for
 * the end of the event loop's current turn (the requests read in the same turn join it), so at low
 * load nothing is delayed and under load one round trip, one commit and one wake-up of the database
 * serve many items.
 *
 * `keysOf` names what an item may not share with another item of its batch (one employee's clock, one
 * punch id): such an item waits for a later batch. When a batch fails as a whole, each of its items
 * is run again on its own, so a bad item fails alone and the others are not refused for it. That is
 * safe only because `run` is atomic: a batch that failed wrote nothing.
 */
export interface BatcherOptions<In, Out> {
  run(items: In[]): Promise<Out[]>;
  keysOf(item: In): string[];
  /** Batches running at once. */
  maxInFlight: number;
  maxBatch: number;
}

interface Waiting<In, Out> {
  item: In;
  resolve(out: Out): void;
  reject(err: unknown): void;
}

export function createBatcher<In, Out>({ run, keysOf, maxInFlight, maxBatch }: BatcherOptions<In, Out>) {
  let queue: Waiting<In, Out>[] = [];
  let inFlight = 0;
  let scheduled = false;

  function schedule() {
    if (scheduled || inFlight >= maxInFlight || queue.length === 0) return;
    scheduled = true;
    setImmediate(flush);
  }

  /** The next batch: queued items in order, skipping any that shares a key with one already taken. */
  function takeBatch(): Waiting<In, Out>[] {
    const batch: Waiting<In, Out>[] = [];
    const rest: Waiting<In, Out>[] = [];
    const used = new Set<string>();
    for (const waiting of queue) {
      const keys = keysOf(waiting.item);
      if (batch.length >= maxBatch || keys.some((k) => used.has(k))) rest.push(waiting);
      else {
        for (const k of keys) used.add(k);
        batch.push(waiting);
      }
    }
    queue = rest;
    return batch;
  }

  async function runBatch(batch: Waiting<In, Out>[]) {
    try {
      const outs = await run(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(outs[i]!));
    } catch (err) {
      if (batch.length === 1) batch[0]!.reject(err);
      else await Promise.all(batch.map((w) => runBatch([w])));
    }
  }

  function flush() {
    scheduled = false;
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = takeBatch();
      inFlight++;
      void runBatch(batch).finally(() => {
        inFlight--;
        schedule();
      });
    }
  }

  return {
    submit(item: In): Promise<Out> {
      return new Promise<Out>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      });
    },
  };
}
