import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { buildApp } from '../server/app.ts';
import { openDatabase } from '../server/db/client.ts';
import { memoryRateLimitStore } from '../server/lib/rate-limiter.ts';
import { BENCH_ADMIN } from './lib/workfloor-server.ts';

/**
 * One process doing what the server does on `POST /locations`, minus HTTP: `org.createLocation`
 * (one statement that INSERTs the location and its event, its own transaction) from CLIENTS callers,
 * with the app's log tail running as in production but not its consumers: each new location makes the
 * coverage consumer fill that location's whole window (about 1,200 hours), so thousands of locations a
 * second would measure coverage, not the write path. Coverage has its own group (6).
 * Prints one JSON line with what it measured.
 *
 * Env: BENCH_DATABASE (a PostgreSQL URL, or empty for PGlite in a temporary directory), CLIENTS,
 * DURATION and WARMUP (seconds).
 */
const databaseUrl = process.env.BENCH_DATABASE || undefined;
const clients = Number(process.env.CLIENTS ?? 8);
const duration = Number(process.env.DURATION ?? 10);
const warmup = Number(process.env.WARMUP ?? 2);

const log = pino({ level: 'silent' });
const pgliteDir = databaseUrl ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'workfloor-bench-pglite-'));
const database = await openDatabase({ databaseUrl, pgliteDir, log });
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
await wf.auth.ensureAdmin(BENCH_ADMIN.email, BENCH_ADMIN.password);
const { accessToken } = await wf.auth.login(BENCH_ADMIN.email, BENCH_ADMIN.password, '127.0.0.1');
const principal = await wf.auth.authenticateAccessToken(accessToken);

let counter = 0;
async function runFor(seconds: number, latencies?: number[]): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const started = performance.now();
        await wf.org.createLocation(principal, { name: `Bench location ${++counter}`, timezone: 'Europe/London' });
        latencies?.push(performance.now() - started);
        done++;
      }
    }),
  );
  return done;
}

await runFor(warmup);
const latencies: number[] = [];
const cpuStart = process.cpuUsage();
const started = performance.now();
const transactions = await runFor(duration, latencies);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuStart);
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;

await app.close();
await database.close();
if (pgliteDir) fs.rmSync(pgliteDir, { recursive: true, force: true });

process.stdout.write(
  `${JSON.stringify({
    transactions,
    seconds,
    tps: transactions / seconds,
    latencyP50Ms: pct(0.5),
    latencyP99Ms: pct(0.99),
    cpuCores: (cpu.user + cpu.system) / 1e6 / seconds,
    actorId: principal.userId,
  })}\n`,
);
process.exit(0);
