import os from 'node:os';
import { runAppendBenchmark, type AppendBenchmarkResult } from './append.ts';
import { runClockBenchmark, type ClockRun } from './clock.ts';
import { runCoverageBenchmark, type CoverageResult } from './coverage.ts';
import { runGetBenchmark, type GetBenchmarkResult } from './http-get.ts';
import { dropDemoTemplate } from './lib/demo-db.ts';
import { postgresBase, postgresReachable } from './lib/postgres.ts';
import { runPushBenchmark, type PushResult } from './push.ts';
import { runEngineBenchmark, runScheduleGetBenchmark, type EngineResult, type ScheduleGetResult } from './schedule.ts';
import { machineCpuSeconds } from './lib/proc.ts';

/**
 * `npm run bench`: every figure is printed next to a baseline measured in the same run on the same
 * machine, and compared as a ratio (absolute numbers differ between machines; ratios travel).
 * See bench/README.md. Settings from the environment:
 *   BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 3), BENCH_CONNECTIONS (default 32),
 *   BENCH_CLIENTS (default 8), BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 *   LOG_LEVEL (the server's, default info as in production), BENCH_PUSH_CLIENTS (default 1000).
 * Choose groups with arguments or BENCH_ONLY (comma-separated): get, append, schedule, clock, push,
 * coverage; e.g. `npm run bench -- schedule clock` or `BENCH_ONLY=push npm run bench`. Default: all.
 */
const num = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
  return value;
};
const duration = num('BENCH_DURATION', 10);
const warmup = num('BENCH_WARMUP', 3);
const connections = num('BENCH_CONNECTIONS', 32);
const clients = num('BENCH_CLIENTS', 8);
const groups = ['get', 'append', 'schedule', 'clock', 'push', 'coverage'] as const;
type Group = (typeof groups)[number];
const asked = [...process.argv.slice(2), ...(process.env.BENCH_ONLY ?? '').split(',')].map((x) => x.trim()).filter(Boolean);
for (const name of asked) if (!groups.includes(name as Group)) throw new Error(`unknown benchmark group "${name}" (choose from ${groups.join(', ')})`);
const selected = (g: Group) => asked.length === 0 || asked.includes(g);
const pushClients = num('BENCH_PUSH_CLIENTS', 1000);

const TARGET_GET = 0.5;
const TARGET_APPEND = 0.6;

const started = performance.now();
const withPostgres = await postgresReachable();
process.stdout.write(
  `Workfloor benchmarks: node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ` +
    `${duration} s measured after ${warmup} s warm-up per target\n`,
);
// Other work on the machine takes CPU from whichever side is busier: say so, since it skews the figures.
const before = machineCpuSeconds();
await new Promise((r) => setTimeout(r, 1000));
const after = machineCpuSeconds();
if (before && after) {
  const busy = (after.busy - before.busy) / Math.max(1e-9, after.total - before.total);
  const load = os.loadavg()[0]!;
  process.stdout.write(`Machine before the run: ${(busy * 100).toFixed(0)}% busy, load average ${load.toFixed(1)}\n`);
  if (busy > 0.15) {
    process.stdout.write(
      'WARNING: other processes are using the CPU; absolute figures will be low and ratios noisy. Run again on a quiet machine.\n',
    );
  }
}
if (!withPostgres) {
  const where = new URL(postgresBase);
  where.password = '';
  process.stdout.write(`PostgreSQL is not reachable at ${where.toString()}: PGlite figures only (set BENCH_DATABASE_URL).\n`);
}

let get: GetBenchmarkResult | undefined;
let append: AppendBenchmarkResult | undefined;
let engine: EngineResult | undefined;
let scheduleGet: ScheduleGetResult | undefined;
let clock: ClockRun[] | undefined;
let push: PushResult | undefined;
let coverage: CoverageResult | undefined;
const needsPostgres = (name: string) => {
  if (!withPostgres) process.stdout.write(`  ${name} needs PostgreSQL: skipped.\n`);
  return withPostgres;
};
const failures: string[] = [];
/** Runs one group; a failure is printed and the run goes on with the next group (exit code 1 at the end). */
async function group(name: Group, fn: () => Promise<void>) {
  if (!selected(name)) return;
  try {
    await fn();
  } catch (err) {
    failures.push(name);
    process.stdout.write(`  FAILED: ${err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 12).join('\n  ') : String(err)}\n`);
  }
}
try {
  await group('get', async () => {
    process.stdout.write(`\n1. Authenticated GET /api/v1/locations/:id (one row), ${connections} connections, autocannon in its own process\n`);
    get = await runGetBenchmark({ connections, duration, warmup }, withPostgres);
  });
  await group('append', async () => {
    process.stdout.write(`\n2. Append a location and its event in one transaction, ${clients} clients on PostgreSQL\n`);
    append = await runAppendBenchmark({ clients, duration, warmup: Math.min(warmup, 2) }, withPostgres);
  });
  await group('schedule', async () => {
    process.stdout.write('\n3a. Schedule expansion (expandSchedule) vs the zone conversions alone, in its own process\n');
    engine = await runEngineBenchmark();
    process.stdout.write('\n3b. GET /api/v1/schedule, demo organisation (320 people, 3 locations), 31 days, PostgreSQL\n');
    if (needsPostgres('GET /schedule')) scheduleGet = await runScheduleGetBenchmark({ requests: 30, warmup: 5 });
  });
  await group('clock', async () => {
    process.stdout.write('\n4. Punches over HTTP (POST /api/v1/clock-events) vs pgbench making the same writes, demo organisation, PostgreSQL\n');
    if (needsPostgres('The clock benchmark')) clock = await runClockBenchmark({ clientCounts: [16, 64], duration, warmup: Math.min(warmup, 2) });
  });
  await group('push', async () => {
    process.stdout.write(`\n5. Push latency, ${pushClients} subscribed clients, 50 punches/s: Workfloor (socket.io) vs a bare ws broadcast\n`);
    if (needsPostgres('The push benchmark')) push = await runPushBenchmark({ clients: pushClients, rate: 50, duration, warmup: Math.min(warmup, 2) });
  });
  await group('coverage', async () => {
    process.stdout.write('\n6. Coverage: hourly read, freshness at 200 punches/s, incremental throughput, full rebuild vs one raw scan\n');
    if (needsPostgres('The coverage benchmark')) coverage = await runCoverageBenchmark({ rate: 200, duration, warmup: Math.min(warmup, 2), requests: 30, backlog: 2000 });
  });
} finally {
  await dropDemoTemplate();
}

// ---- Summary ----
type Row = [string, string, string, string, string, string];
const rows: Row[] = [['benchmark', 'Workfloor', 'baseline', 'ratio', 'target', 'verdict']];
const fmt = (n: number, unit: string) => `${n.toFixed(0)} ${unit}`;
function compare(name: string, value: number | undefined, baseline: number | undefined, unit: string, target: number | undefined, baselineName: string) {
  if (value === undefined) return;
  const ratio = baseline ? value / baseline : undefined;
  rows.push([
    name,
    fmt(value, unit),
    baseline === undefined ? '-' : `${fmt(baseline, unit)} (${baselineName})`,
    ratio === undefined ? '-' : ratio.toFixed(2),
    target === undefined ? '-' : `>= ${target.toFixed(2)}`,
    target === undefined || ratio === undefined ? '(for reference)' : ratio >= target ? 'met' : 'MISSED',
  ]);
}
if (get) {
  compare('GET one row, PostgreSQL', get.postgres?.requestsPerSecond, get.bare.requestsPerSecond, 'req/s', TARGET_GET, 'node:http');
  compare('GET one row, PGlite', get.pglite.requestsPerSecond, get.bare.requestsPerSecond, 'req/s', TARGET_GET, 'node:http');
}
if (append) {
  compare(`append row+event, PostgreSQL, ${clients} clients`, append.postgres?.tps, append.pgbench?.tps, 'tx/s', TARGET_APPEND, 'pgbench');
  compare('append row+event, PGlite, 1 client', append.pglite.tps, append.pgbench?.tps, 'tx/s', undefined, `pgbench, ${clients} clients`);
}
// Ratios where lower is better (time against time): the verdict is value/baseline <= target.
function compareTime(name: string, value: number | undefined, baseline: number | undefined, unit: string, target: number | undefined, baselineName: string, digits = 0) {
  if (value === undefined) return;
  const ratio = baseline ? value / baseline : undefined;
  rows.push([
    name,
    `${value.toFixed(digits)} ${unit}`,
    baseline === undefined ? '-' : `${baseline.toFixed(digits)} ${unit} (${baselineName})`,
    ratio === undefined ? '-' : ratio.toFixed(2),
    target === undefined ? '-' : `<= ${target.toFixed(2)}`,
    target === undefined || ratio === undefined ? '(for reference)' : ratio <= target ? 'met' : 'MISSED',
  ]);
}
function absolute(name: string, value: number | undefined, unit: string, limit: number | undefined, note = '') {
  if (value === undefined) return;
  rows.push([name, `${value.toFixed(0)} ${unit}`, note || '-', '-', limit === undefined ? '-' : `< ${limit} ${unit}`, limit === undefined ? '(for reference)' : value < limit ? 'met' : 'MISSED']);
}
if (engine) {
  compareTime('expandSchedule per shift, cold cache', engine.coldMsPerShift * 1000, engine.baselineMsPerShift * 1000, 'µs', 3, '2 conversions', 1);
  compareTime('expandSchedule per shift, warm cache', engine.warmMsPerShift * 1000, engine.baselineMsPerShift * 1000, 'µs', 3, '2 conversions', 1);
}
if (scheduleGet) {
  compareTime('GET /schedule month, p50', scheduleGet.p50Ms, scheduleGet.sqlP50Ms, 'ms', undefined, 'raw SQL', 1);
  compareTime('GET /schedule month, p95', scheduleGet.p95Ms, scheduleGet.sqlP95Ms, 'ms', undefined, 'raw SQL', 1);
}
for (const r of clock ?? []) compare(`punches over HTTP, ${r.clients} clients`, r.workfloorTps, r.pgbenchTps, 'tx/s', 0.6, 'pgbench');
if (push) {
  compareTime(`push p99, ${push.workfloor.clients} clients, 50/s`, push.workfloor.latency.p99, push.bare.latency.p99, 'ms', 3, 'bare ws');
  absolute('push p99 (absolute)', push.workfloor.latency.p99, 'ms', 100);
  compareTime(`push p50, ${push.workfloor.clients} clients, 50/s`, push.workfloor.latency.p50, push.bare.latency.p50, 'ms', undefined, 'bare ws');
}
if (coverage) {
  absolute(`coverage freshness p95 (${coverage.freshness.achievedRate.toFixed(0)}/s achieved)`, coverage.freshness.latency.p95, 'ms', 1000, `p50 ${coverage.freshness.latency.p50.toFixed(0)} ms`);
  absolute('coverage incremental', (coverage.worker.drainedEvents / coverage.worker.drainMs) * 1000, 'events/s', undefined);
  compareTime('coverage full rebuild', coverage.worker.rebuildFirstMs, coverage.worker.scanMs, 'ms', undefined, 'one raw scan');
  absolute('GET /coverage/hourly 90 d, p50', coverage.hourly.p50Ms, 'ms', undefined, `p95 ${coverage.hourly.p95Ms.toFixed(0)} ms`);
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
process.stdout.write('\nSummary\n');
for (const [i, row] of rows.entries()) {
  process.stdout.write(`  ${row.map((cell, j) => cell.padEnd(widths[j]!)).join('  ')}\n`);
  if (i === 0) process.stdout.write(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
}
if (append) {
  process.stdout.write(
    '\nPGlite runs inside the server process on one connection: its append figure is 1 client, printed next to\n' +
      `pgbench's ${clients} clients for scale, not as a target.\n`,
  );
}
process.stdout.write(`Total ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
if (failures.length) {
  process.stdout.write(`FAILED groups: ${failures.join(', ')}\n`);
  process.exitCode = 1;
}
