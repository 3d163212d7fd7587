import type { Logger } from 'pino';
import type { EventLog, LogPosition, StoredEvent } from './event-log.ts';

export type TailListener = (batch: StoredEvent[]) => void | Promise<void>;

const POLL_INTERVAL_MS = 200;
const BATCH = 1000;
/** Least time between two reads woken by commits (under a burst: a few ms of latency for far fewer reads). */
const WAKE_DELAY_MS = 5;

/**
 * This process's live view of the log: follows it from the head at start-up and hands each new batch,
 * in log order, to its listeners (socket fan-out, cache invalidation). Not durable: a process that
 * restarts starts from the head again, and clients catch up by `sinceSeq`. Work is serialised so that
 * a replay (`exclusive`) sees a position no batch is being delivered past.
 */
export function createLogTail({ events, log }: { events: EventLog; log: Logger }) {
  const listeners = new Set<TailListener>();
  let position: LogPosition | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let pollPending = false;
  let unsubscribeCommit: (() => void) | undefined;
  let wakeTimer: NodeJS.Timeout | undefined;

  function enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  }

  let lastPollStart = -Infinity;

  async function pollOnce(): Promise<void> {
    lastPollStart = Date.now();
    if (!position) position = await events.head();
    for (;;) {
      const batch = await events.readAfter(position, BATCH);
      if (batch.length === 0) return;
      position = { txId: batch.at(-1)!.txId, seq: batch.at(-1)!.seq };
      for (const listener of listeners) {
        try {
          await listener(batch);
        } catch (err) {
          log.error({ err }, 'log tail listener failed');
        }
      }
      if (batch.length < BATCH) return;
    }
  }

  /** Asks for a poll soon; calls made while one is queued collapse into it. */
  function poke(): Promise<void> {
    if (pollPending) return queue.then(() => undefined);
    pollPending = true;
    return enqueue(async () => {
      pollPending = false;
      await pollOnce();
    }).catch((err: unknown) => log.warn({ err }, 'log tail poll failed; retrying'));
  }

  function tick() {
    if (stopped) return;
    void poke().finally(() => {
      if (!stopped) timer = setTimeout(tick, POLL_INTERVAL_MS);
    });
  }

  return {
    async start() {
      if (!stopped) return;
      stopped = false;
      position = await events.head();
      // A commit after a quiet spell is read at once; commits in a burst are delivered together, at
      // most one read of the log per WAKE_DELAY_MS, so one read serves many writes.
      unsubscribeCommit = events.onCommit(() => {
        if (!wakeTimer) wakeTimer = setTimeout(() => ((wakeTimer = undefined), void poke()), Math.max(0, lastPollStart + WAKE_DELAY_MS - Date.now()));
      });
      timer = setTimeout(tick, POLL_INTERVAL_MS);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(wakeTimer);
      unsubscribeCommit?.();
      await queue;
    },
    subscribe(listener: TailListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Delivers everything committed so far; resolves when listeners have seen it (tests, shutdown). */
    flush: () => enqueue(pollOnce),
    /**
     * Runs `job` between two deliveries, after delivering everything committed so far, with the
     * position delivered. A subscriber's replay therefore covers every event committed before it
     * asked, and the live stream carries only what commits later.
     */
    exclusive<T>(job: (delivered: LogPosition) => Promise<T>): Promise<T> {
      return enqueue(async () => {
        await pollOnce();
        return job(position!);
      });
    },
  };
}

export type LogTail = ReturnType<typeof createLogTail>;
