import pg from 'pg';
import { io as connectSocketIo } from 'socket.io-client';
import { Temporal } from 'temporal-polyfill';
import { cloneDemo, demoEmployees, demoLocations, withClient } from './lib/demo-db.ts';
import { benchPort } from './lib/ports.ts';
import { captureStderr, cpuMeter, firstJsonLine, spawnTs, waitForExit } from './lib/proc.ts';
import { createPuncher, punchAtRate } from './lib/punch-client.ts';
import { median, ms, quantile, sleep, summarise, type LatencySummary } from './lib/stats.ts';
import { startWorkfloor } from './lib/workfloor-server.ts';

export interface CoverageWorkerResult {
  rebuildFirstMs: number;
  rebuildHours: number;
  rebuildAgainMs: number;
  rebuildAgainHours: number;
  scanMs: number;
  raw: Record<string, string>;
  backlogPunches: number;
  backlogSeconds: number;
  drainedEvents: number;
  drainMs: number;
}
export interface CoverageResult {
  hourly: { p50Ms: number; p95Ms: number; rows: number; sqlP50Ms: number };
  freshness: { punches: number; rate: number; achievedRate: number; latency: LatencySummary; unmatched: number; stepsSeen: number; stepsMissed: number; pushP50Ms: number; pushP95Ms: number };
  worker: CoverageWorkerResult;
}

const xid = (text: string) => BigInt(text);

/**
 * (d) GET /coverage/hourly over 90 days, then (a) freshness under sustained punching, on one server;
 * then (b) incremental throughput and (c) rebuild vs raw scan in a worker on another fresh copy.
 *
 * Freshness is matched exactly, not guessed from timing: a poller reads the coverage consumer's offset
 * row (its position in the log, and `xmin`, the id of the consumer transaction that last moved it) every
 * few milliseconds. A punch is in the first consumer step whose offset reached the punch's own log
 * position; that step wrote its `coverage.updated` events in the same transaction, so the punch is
 * fresh when that step's `coverage.updated` for its location reaches the subscribed socket. A step
 * that changed nothing at the punch's location (a clock-in adds no worked minute yet) has nothing to
 * push: the stored coverage, and every client's copy, were already right when it committed, so the
 * punch is fresh when the poller sees that commit. A step the poller missed only makes a punch count
 * later (never earlier).
 */
export async function runCoverageBenchmark(settings: { rate: number; duration: number; warmup: number; requests: number; backlog: number }): Promise<CoverageResult> {
  const scratch = await cloneDemo('coverage');
  let hourly: CoverageResult['hourly'];
  let freshness: CoverageResult['freshness'];
  try {
    const locations = await demoLocations(scratch.url);
    const leeds = locations.find((l) => l.name.startsWith('Leeds')) ?? locations[0]!;
    const employees = await demoEmployees(scratch.url);
    const server = await startWorkfloor({ databaseUrl: scratch.url, port: await benchPort() });
    try {
      const token = await server.login();
      const headers = { authorization: `Bearer ${token}` };

      // ---- (d) GET /coverage/hourly, one location, 90 days ----
      const today = Temporal.Now.plainDateISO(leeds.timezone);
      const from = today.subtract({ days: 75 }).toString();
      const to = today.add({ days: 14 }).toString();
      const url = `${server.url}/api/v1/coverage/hourly?locationId=${leeds.id}&from=${from}&to=${to}`;
      let rows = 0;
      for (let i = 0; i < 5; i++) {
        const res = await fetch(url, { headers });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`GET /coverage/hourly answered ${res.status}: ${text.slice(0, 300)}`);
        rows = (JSON.parse(text) as { items: unknown[] }).items.length;
      }
      const latencies: number[] = [];
      for (let i = 0; i < settings.requests; i++) {
        const t0 = performance.now();
        const res = await fetch(url, { headers });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
      }
      const sqlTimes = await withClient(scratch.url, async (client) => {
        const fromTs = Temporal.PlainDate.from(from).toZonedDateTime(leeds.timezone).toInstant().toString();
        const toTs = Temporal.PlainDate.from(to).add({ days: 1 }).toZonedDateTime(leeds.timezone).toInstant().toString();
        const times: number[] = [];
        for (let i = 0; i < 5 + settings.requests; i++) {
          const t0 = performance.now();
          await client.query('SELECT * FROM coverage_hourly WHERE location_id = $1 AND hour_end > $2 AND hour_start < $3 ORDER BY hour_start', [leeds.id, fromTs, toTs]);
          if (i >= 5) times.push(performance.now() - t0);
        }
        return times;
      });
      hourly = { p50Ms: median(latencies), p95Ms: quantile(latencies, 0.95), rows, sqlP50Ms: median(sqlTimes) };
      process.stdout.write(
        `  (d) GET /coverage/hourly ${leeds.name}, ${from}..${to} (${rows} hours): p50 ${ms(hourly.p50Ms)}  p95 ${ms(hourly.p95Ms)}` +
          `   (${settings.requests} sequential; raw SQL read of the same rows p50 ${ms(hourly.sqlP50Ms)})\n`,
      );

      // ---- (a) freshness under sustained punching ----
      const coverageSeen: { at: number; seq: number; locationId: string }[] = [];
      const punchSeen = new Map<string, { at: number; seq: number }>();
      const socket = connectSocketIo(server.url, { transports: ['websocket'], auth: { token }, forceNew: true, reconnection: false });
      socket.on('event', (e: { type: string; seq: number; entity: { id: string }; payload: { locationId?: string } }) => {
        const at = performance.now();
        if (e.type === 'coverage.updated') coverageSeen.push({ at, seq: e.seq, locationId: e.payload.locationId ?? e.entity.id });
        else if (e.type === 'clock_event.recorded') punchSeen.set(e.entity.id, { at, seq: e.seq });
      });
      await new Promise<void>((resolve, reject) => {
        socket.on('connect_error', reject);
        socket.on('connect', () => resolve());
      });
      for (const l of locations) {
        await new Promise<void>((resolve, reject) =>
          socket.emit('subscribe', { channel: `floor:${l.id}` }, (ack: { ok: boolean; message?: string }) => (ack.ok ? resolve() : reject(new Error(ack.message)))),
        );
      }
      const poster = createPuncher(server.url, token, 256);
      try {
        if (settings.warmup > 0) await punchAtRate(poster, employees, settings.rate, settings.warmup);
        await sleep(1000);
        // The consumer's offset versions: (step transaction id, log position reached), as they commit.
        const steps: { xid: bigint; txId: bigint; seq: number; seenAt: number }[] = [];
        const polling = { on: true };
        const poller = (async () => {
          const client = new pg.Client({ connectionString: scratch.url });
          await client.connect();
          try {
            while (polling.on) {
              const { rows: r } = await client.query<{ step: string; tx_id: string; seq: string }>(
                `SELECT xmin::text AS step, tx_id::text AS tx_id, seq::text AS seq FROM consumer_offsets WHERE name = 'coverage'`,
              );
              const row = r[0];
              if (row && (steps.length === 0 || steps.at(-1)!.xid !== xid(row.step))) steps.push({ xid: xid(row.step), txId: xid(row.tx_id), seq: Number(row.seq), seenAt: performance.now() });
              await sleep(3);
            }
          } finally {
            await client.end();
          }
        })();
        const returned = new Map<string, { at: number; locationId: string }>();
        const started = performance.now();
        const meter = cpuMeter(server.pid);
        const run = await punchAtRate(poster, employees, settings.rate, settings.duration, (r, e) => returned.set(r.id, { at: r.returnedAt, locationId: e.locationId }));
        const achievedRate = returned.size / ((performance.now() - started) / 1000);
        const cpu = meter();
        for (const r of run.results) if (r.status !== 201) returned.delete(r.id);
        if (run.errors.length) process.stdout.write(`  WARNING: ${run.errors.length} punches refused, e.g. ${run.errors[0]}\n`);
        // Wait until the consumer has passed every punch (or give up after 60 s).
        const deadline = performance.now() + 60_000;
        for (;;) {
          await sleep(250);
          const lastPunch = Math.max(...[...punchSeen.values()].map((p) => p.seq), 0);
          const last = steps.at(-1);
          if ((last && last.seq >= lastPunch && punchSeen.size >= returned.size) || performance.now() > deadline) break;
        }
        await sleep(1500);
        polling.on = false;
        await poller;

        // Log positions (tx_id, seq) of the punches' events and the coverage events' transactions.
        const positions = await withClient(scratch.url, async (client) => {
          const { rows: r } = await client.query<{ seq: string; tx_id: string; entity_id: string; type: string }>(
            `SELECT seq::text, tx_id::text, entity_id, type FROM events WHERE seq >= $1 AND type IN ('clock_event.recorded', 'coverage.updated')`,
            [Math.min(...[...punchSeen.values()].map((p) => p.seq), ...coverageSeen.map((c) => c.seq))],
          );
          return r;
        });
        const punchPos = new Map<string, { txId: bigint; seq: number }>();
        const coverageTx = new Map<number, bigint>();
        for (const p of positions) {
          if (p.type === 'clock_event.recorded') punchPos.set(p.entity_id, { txId: xid(p.tx_id), seq: Number(p.seq) });
          else coverageTx.set(Number(p.seq), xid(p.tx_id));
        }
        const pushes = coverageSeen.map((c) => ({ ...c, txId: coverageTx.get(c.seq) })).filter((c) => c.txId !== undefined) as { at: number; seq: number; locationId: string; txId: bigint }[];
        const stepXids = new Set(steps.map((s) => s.xid));
        const stepsMissed = new Set(pushes.map((p) => p.txId).filter((t) => !stepXids.has(t))).size;
        const values: number[] = [];
        const pushLatencies: number[] = [];
        let unmatched = 0;
        let pushedByStep = 0;
        for (const [id, r] of returned) {
          const pos = punchPos.get(id);
          const step = pos && steps.find((s) => s.txId > pos.txId || (s.txId === pos.txId && s.seq >= pos.seq));
          if (!step) {
            unmatched++;
            continue;
          }
          const push = pushes.find((p) => p.locationId === r.locationId && p.txId === step.xid);
          values.push(Math.max(0, (push?.at ?? step.seenAt) - r.at));
          if (push) pushedByStep++;
          const seen = punchSeen.get(id);
          if (seen) pushLatencies.push(Math.max(0, seen.at - r.at));
        }
        freshness = {
          punches: returned.size,
          rate: settings.rate,
          achievedRate,
          latency: summarise(values),
          unmatched,
          stepsSeen: steps.length,
          stepsMissed,
          pushP50Ms: median(pushLatencies),
          pushP95Ms: quantile(pushLatencies, 0.95),
        };
        process.stdout.write(
          `  (a) freshness at ${settings.rate} punches/s for ${settings.duration} s (${returned.size} punches, ${achievedRate.toFixed(0)}/s achieved; ` +
            `server ${cpu.server?.toFixed(2) ?? '?'} cores, machine ${cpu.machine === undefined ? '?' : (cpu.machine * 100).toFixed(0)}% busy):\n` +
            `      POST returned -> coverage fresh: p50 ${ms(freshness.latency.p50)}  p95 ${ms(freshness.latency.p95)}  max ${ms(freshness.latency.max)}` +
            `   (${steps.length} consumer steps seen, ${stepsMissed} missed by the poller, ${unmatched} punches unmatched;` +
            ` ${pushedByStep} changed their location's hour and were timed to the push, the rest to the step's commit)\n` +
            `      POST returned -> the punch's own event pushed: p50 ${ms(freshness.pushP50Ms)}  p95 ${ms(freshness.pushP95Ms)}\n`,
        );
      } finally {
        poster.close();
        socket.disconnect();
      }
    } finally {
      await server.stop();
    }
  } finally {
    await scratch.drop();
  }

  // ---- (b) and (c) in a worker on a fresh copy ----
  const second = await cloneDemo('coverage_rebuild');
  let worker: CoverageWorkerResult;
  try {
    const child = spawnTs('bench/coverage-worker.ts', { BENCH_DATABASE: second.url, BACKLOG: String(settings.backlog) });
    const stderr = captureStderr(child);
    worker = await firstJsonLine<CoverageWorkerResult>(child, stderr, 300_000);
    await waitForExit(child);
  } finally {
    await second.drop();
  }
  process.stdout.write(
    `  (b) incremental: ${worker.drainedEvents} punch events (a backlog made in ${worker.backlogSeconds.toFixed(1)} s) drained in ${ms(worker.drainMs)} = ` +
      `${((worker.drainedEvents / worker.drainMs) * 1000).toFixed(0)} events/s\n` +
      `  (c) full rebuild (empty table, ${worker.rebuildHours} hours written) ${ms(worker.rebuildFirstMs)}; again with the rows in place ${ms(worker.rebuildAgainMs)} (${worker.rebuildAgainHours} hours changed)\n` +
      `      PostgreSQL scanning the raw rows once (count + sum over ${worker.raw.shifts} work_shifts, ${worker.raw.punches} punches, ${worker.raw.contracts} contracts): ${ms(worker.scanMs)}` +
      `   ratio ${(worker.rebuildFirstMs / worker.scanMs).toFixed(1)}x (again: ${(worker.rebuildAgainMs / worker.scanMs).toFixed(1)}x)\n`,
  );
  return { hourly, freshness, worker };
}
