import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { queryRows, type Db, type Tx } from '../db/client.ts';
import { consumerLockKey, isAfter, type EventLog, type LogPosition, type StoredEvent } from './event-log.ts';

export interface ConsumerDefinition {
  /** Stable name: the key of the durable offset. Renaming it replays the whole log. */
  name: string;
  /**
   * Applies a batch inside the transaction that also advances the offset (exactly-once effect).
   * Answers false when the batch changed nothing: see `createConsumer` for what that saves.
   */
  handle(tx: Tx, batch: StoredEvent[]): Promise<void | boolean>;
  batchSize?: number;
  /**
   * The event types `handle` cares about, as LIKE patterns (`employee.%`); default every type. The
   * others are passed over without being read whole, and a batch with none of them changes nothing.
   */
  types?: string[];
  /**
   * Least time between the starts of two runs woken by commits. Under a stream of writes the consumer
   * then takes one bigger batch per interval instead of one small batch per few commits; a lone write
   * is still handled after WAKE_DELAY_MS. Default 0.
   */
  minIntervalMs?: number;
}

export interface Consumer {
  name: string;
  /** Processes one batch; answers how many events it took (0 when caught up or another process holds it). */
  step(): Promise<number>;
  /** Processes until caught up. */
  drain(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
  position(): Promise<LogPosition>;
  /** Moves the offset to `position` (after a rebuild that already covers everything up to it). */
  seek(position: LogPosition): Promise<void>;
}

const POLL_INTERVAL_MS = 250;
/** Longest a consumer goes without writing its offset while its batches change nothing. */
const DURABLE_EVERY_MS = 5_000;
/** How long a wake-up waits for more commits to join it. */
const WAKE_DELAY_MS = 20;

/**
 * Runs a log consumer. Each step takes the consumer's advisory lock (try-lock, so with several
 * processes exactly one works at a time and the others move on), reads the next batch after the
 * offset, applies it and advances the offset, all in one transaction: a crash at any point
 * leaves either the whole batch applied with the offset moved, or neither.
 *
 * A batch its handler says changed nothing (most batches of a consumer that cares about a few event
 * types) commits no write at all: writing the offset would give the step a transaction id, and while
 * it is open every reader of the log waits (see event-log.ts). The position passed is kept in memory
 * and written with the next batch that changes something, at the latest after DURABLE_EVERY_MS, and
 * at stop. A restart or another process goes on from the durable offset and reads those events again,
 * to the same effect: none.
 */
export function createConsumer(
  definition: ConsumerDefinition,
  { db, events, log }: { db: Db; events: EventLog; log: Logger },
): Consumer {
  const batchSize = definition.batchSize ?? 500;
  const minIntervalMs = definition.minIntervalMs ?? 0;
  let lastRunStart = -Infinity;
  const untilNextRun = () => Math.max(0, lastRunStart + minIntervalMs - Date.now());
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;
  let wakeRequested = false;
  let unsubscribe: (() => void) | undefined;
  let wakeTimer: NodeJS.Timeout | undefined;

  let offsetRowExists = false;
  async function ensureOffsetRow() {
    if (offsetRowExists) return;
    await db.execute(sql`INSERT INTO consumer_offsets (name) VALUES (${definition.name}) ON CONFLICT (name) DO NOTHING`);
    offsetRowExists = true;
  }

  /** Events read past the durable offset that changed nothing (see above), and when the offset was last written. */
  let passed: LogPosition | undefined;
  let lastWrittenAt = Date.now();

  /** Under the consumer's lock; never backwards (at stop, another process may have gone further). */
  async function writeOffset(tx: Tx, position: LogPosition) {
    await tx.execute(sql`
      UPDATE consumer_offsets SET tx_id = ${position.txId}::xid8, seq = ${position.seq}, updated_at = now()
      WHERE name = ${definition.name} AND (tx_id, seq) < (${position.txId}::xid8, ${position.seq})`);
    lastWrittenAt = Date.now();
  }

  async function step(): Promise<number> {
    return db.transaction(async (tx) => {
      // An advisory lock, not a row lock: it takes no transaction id, so while the consumer reads and
      // computes, no reader of the log has its horizon held back (a transaction id is assigned only at
      // the consumer's first write). Only the holder of this lock moves the offset. The lock, the
      // offset and the batch come in one statement.
      const { events: batch, scanned, last: position } = await events.readForConsumer(tx, definition.name, batchSize, passed, definition.types);
      if (!position) return 0;
      const changed = batch.length > 0 ? await definition.handle(tx, batch) : false;
      if (changed === false && Date.now() - lastWrittenAt < DURABLE_EVERY_MS) {
        passed = position;
        return scanned;
      }
      await writeOffset(tx, position);
      passed = undefined;
      return scanned;
    });
  }

  async function drain(): Promise<number> {
    await ensureOffsetRow();
    let total = 0;
    for (;;) {
      const n = await step();
      total += n;
      // A short batch means the consumer reached the horizon: no need for another round trip to learn it.
      // Stopping ends the loop after the step in flight, not after the backlog: the offset is durable,
      // so the next start (or another process) goes on from there, and shutdown stays quick.
      if (n < batchSize || (stopped && running)) return total;
    }
  }

  function schedule(delay: number) {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(loop, delay);
  }

  function loop() {
    if (stopped) return;
    if (running) {
      wakeRequested = true;
      return;
    }
    wakeRequested = false;
    lastRunStart = Date.now();
    running = drain()
      .catch((err: unknown) => log.error({ err, consumer: definition.name }, 'consumer step failed; retrying'))
      .finally(() => {
        running = undefined;
        schedule(wakeRequested ? untilNextRun() : POLL_INTERVAL_MS);
      });
  }

  return {
    name: definition.name,
    step,
    drain,
    start() {
      if (!stopped) return;
      stopped = false;
      // Another process's commits are seen on the next poll; this process's own commits wake it at once.
      // Commits in a burst wake the consumer once: one batch serves many writes.
      unsubscribe = events.onCommit(() => {
        if (!wakeTimer) wakeTimer = setTimeout(() => ((wakeTimer = undefined), loop()), Math.max(WAKE_DELAY_MS, untilNextRun()));
      });
      schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(wakeTimer);
      unsubscribe?.();
      await running;
      if (passed) {
        const position = passed;
        passed = undefined;
        await db.transaction(async (tx) => {
          const [lock] = await queryRows<{ locked: boolean }>(tx, sql`SELECT pg_try_advisory_xact_lock(hashtext(${consumerLockKey(definition.name)})) AS locked`);
          if (lock?.locked) await writeOffset(tx, position);
        });
      }
    },
    async seek(position: LogPosition) {
      passed = undefined;
      await ensureOffsetRow();
      await db.execute(sql`
        UPDATE consumer_offsets SET tx_id = ${position.txId}::xid8, seq = ${position.seq}, updated_at = now()
        WHERE name = ${definition.name}`);
    },
    async position() {
      const [row] = await queryRows<{ tx_id: string; seq: number | string }>(
        db,
        sql`SELECT tx_id::text AS tx_id, seq FROM consumer_offsets WHERE name = ${definition.name}`,
      );
      const durable = row ? { txId: row.tx_id, seq: Number(row.seq) } : { txId: '0', seq: 0 };
      // Events passed in memory count as taken: the consumer has nothing left to do for them.
      return passed && isAfter(passed, durable) ? passed : durable;
    },
  };
}
