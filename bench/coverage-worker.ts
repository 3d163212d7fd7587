import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { buildApp } from '../server/app.ts';
import { openDatabase } from '../server/db/client.ts';
import { memoryRateLimitStore } from '../server/lib/rate-limiter.ts';
import { demoEmployees } from './lib/demo-db.ts';
import { BENCH_ADMIN } from './lib/workfloor-server.ts';

/**
 * Coverage, in one process on a fresh copy of the demo database (coverage table still empty, as after
 * generation), with the app built as in production but its background work not started:
 *  - full rebuild: `coverage.rebuild()` on the empty table (every hour of the window written), then
 *    again with the rows in place (nothing to write), against PostgreSQL scanning the raw rows it reads
 *    once (count and a sum over work_shifts, punches and contracts);
 *  - incremental throughput: the consumer moved to the head of the log, a backlog of BACKLOG live
 *    punches recorded through the time-clock service, then `drain()` timed.
 * Prints one JSON line. Env: BENCH_DATABASE, BACKLOG (default 2000).
 */
const databaseUrl = process.env.BENCH_DATABASE!;
const backlog = Number(process.env.BACKLOG ?? 2000);
const log = pino({ level: 'silent' });
const database = await openDatabase({ databaseUrl, log });
const app = await buildApp({
  config: { logLevel: 'silent' },
  database,
  secret: randomBytes(32).toString('hex'),
  log,
  rateLimits: memoryRateLimitStore(),
  runConsumers: false,
});
await app.ready();
const wf = app.workfloor;
const { accessToken } = await wf.auth.login(BENCH_ADMIN.email, BENCH_ADMIN.password, '127.0.0.1');
const principal = await wf.auth.authenticateAccessToken(accessToken);
const time = async <T>(fn: () => Promise<T>) => {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
};

// ---- (c) rebuild vs one scan of the raw rows ----
const first = await time(() => wf.coverage.rebuild());
const again = await time(() => wf.coverage.rebuild());
const client = new pg.Client({ connectionString: databaseUrl });
await client.connect();
const scans: number[] = [];
let raw: Record<string, string> = {};
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const { rows } = await client.query(`
    SELECT (SELECT count(*) FROM work_shifts) AS shifts,
           (SELECT sum(extract(epoch FROM coalesce(clock_out_at, now()) - clock_in_at)) FROM work_shifts) AS shift_seconds,
           (SELECT count(*) FROM punches) AS punches,
           (SELECT sum(extract(epoch FROM at)) FROM punches) AS punch_epoch,
           (SELECT count(*) FROM contracts) AS contracts,
           (SELECT sum(jsonb_array_length(pattern)) FROM contracts) AS pattern_shifts`);
  scans.push(performance.now() - t0);
  raw = rows[0];
}
await client.end();
scans.sort((a, b) => a - b);

// ---- (b) incremental: drain a backlog of punch events ----
const coverageConsumer = wf.consumers.find((c) => c.name === wf.coverage.consumer.name)!;
await coverageConsumer.seek(await wf.events.head());
const employees = await demoEmployees(databaseUrl);
let made = 0;
const madeStarted = performance.now();
await Promise.all(
  Array.from({ length: 8 }, async (_, c) => {
    const mine = employees.filter((_, i) => i % 8 === c);
    for (let i = 0; made < backlog; i++) {
      made++;
      const e = mine[i % mine.length]!;
      await wf.timeclock.recordPunch(principal, { id: randomUUID(), employeeId: e.id, kind: e.open ? 'clock_out' : 'clock_in' }, 'web');
      e.open = !e.open;
    }
  }),
);
const madeSeconds = (performance.now() - madeStarted) / 1000;
await new Promise((r) => setTimeout(r, 200)); // every backlog transaction finished: all below the horizon
const drained = await time(() => coverageConsumer.drain());

await app.close();
await database.close();
process.stdout.write(
  `${JSON.stringify({
    rebuildFirstMs: first.ms,
    rebuildHours: first.value.hours,
    rebuildAgainMs: again.ms,
    rebuildAgainHours: again.value.hours,
    scanMs: scans[Math.floor(scans.length / 2)],
    raw,
    backlogPunches: made,
    backlogSeconds: madeSeconds,
    drainedEvents: drained.value,
    drainMs: drained.ms,
  })}\n`,
);
process.exit(0);
