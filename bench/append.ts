import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { openDatabase } from '../server/db/client.ts';
import { captureStderr, firstJsonLine, machineCpuSeconds, spawnTs, waitForExit } from './lib/proc.ts';
import { createScratchDatabase } from './lib/postgres.ts';

export interface AppendSettings {
  clients: number;
  duration: number;
  warmup: number;
}

export interface AppendResult {
  label: string;
  clients: number;
  tps: number;
  transactions: number;
  latencyP50Ms?: number;
  latencyP99Ms?: number;
  /** Share of the machine's CPU busy during the measurement (0..1). */
  machineBusy?: number;
}

/** Where pgbench is: on PATH, or in Debian's versioned PostgreSQL directory. */
export function findPgbench(): string | undefined {
  try {
    const onPath = execFileSync('sh', ['-c', 'command -v pgbench'], { encoding: 'utf8' }).trim();
    if (onPath) return onPath;
  } catch {
    // not on PATH
  }
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return undefined;
  for (const version of fs.readdirSync(base).sort().reverse()) {
    const candidate = path.join(base, version, 'bin', 'pgbench');
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The same two INSERTs the server makes for `org.createLocation`, in one transaction: the location
 * (columns left to their defaults, RETURNING the row) and its event (tx_id, seq and occurred_at by
 * default, the same payload shape). pgbench substitutes `:id` textually, so it works inside quotes.
 */
function pgbenchScript(actorId: string): string {
  const payload = JSON.stringify({ after: { name: 'Bench location', timezone: 'Europe/London' } });
  return [
    'BEGIN;',
    `INSERT INTO locations (name, timezone) VALUES ('Bench location', 'Europe/London') RETURNING id, name, timezone, active, created_at, updated_at \\gset`,
    `INSERT INTO events (id, type, entity_type, entity_id, actor_type, actor_id, actor_name, location_id, department_id, employee_id, user_id, payload)` +
      ` VALUES (gen_random_uuid(), 'location.created', 'location', ':id', 'user', '${actorId}', 'Bench Admin', ':id', NULL, NULL, NULL, '${payload}') RETURNING seq;`,
    'COMMIT;',
    '',
  ].join('\n');
}

async function runPgbench(pgbench: string, url: string, scriptFile: string, settings: AppendSettings, seconds: number) {
  const args = ['-n', '-f', scriptFile, '-c', String(settings.clients), '-j', '2', '-T', String(seconds), url];
  return new Promise<{ tps: number; transactions: number; latencyMs?: number }>((resolve, reject) => {
    const child = spawn(pgbench, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => {
      const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out);
      const count = /number of transactions actually processed: (\d+)/.exec(out);
      const failed = /number of failed transactions: (\d+)/.exec(out);
      const latency = /latency average = ([\d.]+) ms/.exec(out);
      if (code !== 0 || !tps || !count) return reject(new Error(`pgbench failed (${code}):\n${out}`));
      if (failed && Number(failed[1]) > 0) return reject(new Error(`pgbench: ${failed[1]} failed transactions\n${out}`));
      resolve({ tps: Number(tps[1]), transactions: Number(count[1]), latencyMs: latency ? Number(latency[1]) : undefined });
    });
  });
}

interface WorkerAnswer {
  transactions: number;
  tps: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  cpuCores: number;
  actorId: string;
}

async function runWorker(database: string, clients: number, settings: AppendSettings) {
  const child = spawnTs('bench/append-worker.ts', {
    BENCH_DATABASE: database,
    CLIENTS: String(clients),
    DURATION: String(settings.duration),
    WARMUP: String(settings.warmup),
  });
  const stderr = captureStderr(child);
  const answer = await firstJsonLine<WorkerAnswer>(child, stderr, (settings.duration + settings.warmup + 90) * 1000);
  await waitForExit(child);
  return answer;
}

function busyOver<T>(fn: () => Promise<T>): Promise<{ value: T; busy?: number }> {
  const start = machineCpuSeconds();
  return fn().then((value) => {
    const end = machineCpuSeconds();
    return { value, busy: start && end ? (end.busy - start.busy) / Math.max(1e-9, end.total - start.total) : undefined };
  });
}

export interface AppendBenchmarkResult {
  pgbench?: AppendResult;
  postgres?: AppendResult;
  pglite: AppendResult;
  pgbenchMissing?: boolean;
}

export async function runAppendBenchmark(settings: AppendSettings, withPostgres: boolean): Promise<AppendBenchmarkResult> {
  const result: Partial<AppendBenchmarkResult> = {};
  if (withPostgres) {
    const scratch = await createScratchDatabase('append');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workfloor-bench-pgbench-'));
    try {
      // The server's own migrations create the tables both sides write to.
      const database = await openDatabase({ databaseUrl: scratch.url, log: pino({ level: 'silent' }), poolSize: 1 });
      await database.close();

      const pgbench = findPgbench();
      if (pgbench) {
        const scriptFile = path.join(tmp, 'append.sql');
        // A plausible actor id (the real one is only known once the app has signed in); same length, same type.
        fs.writeFileSync(scriptFile, pgbenchScript('00000000-0000-4000-8000-000000000001'));
        if (settings.warmup > 0) await runPgbench(pgbench, scratch.url, scriptFile, settings, settings.warmup);
        const { value, busy } = await busyOver(() => runPgbench(pgbench, scratch.url, scriptFile, settings, settings.duration));
        result.pgbench = { label: 'pgbench (same 2 INSERTs)', clients: settings.clients, tps: value.tps, transactions: value.transactions, latencyP50Ms: value.latencyMs, machineBusy: busy };
        report(result.pgbench, 'latency average');
      } else {
        result.pgbenchMissing = true;
        process.stdout.write(
          '  pgbench not found: it comes with PostgreSQL\'s client tools (Debian: `apt-get install -y postgresql-client`,\n' +
            '  or /usr/lib/postgresql/<version>/bin/pgbench from the server package). Baseline skipped.\n',
        );
      }

    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
      await scratch.drop();
    }
    // Workfloor on a database of its own: pgbench leaves tens of thousands of locations behind, and
    // the app's first start rebuilds coverage for every location it finds.
    const own = await createScratchDatabase('append');
    try {
      const { value, busy } = await busyOver(() => runWorker(own.url, settings.clients, settings));
      result.postgres = { label: 'Workfloor on PostgreSQL', clients: settings.clients, ...value, machineBusy: busy };
      report(result.postgres, 'p50');
    } finally {
      await own.drop();
    }
  }
  // PGlite is one connection inside the process: transactions queue behind each other, so one client.
  const { value, busy } = await busyOver(() => runWorker('', 1, settings));
  result.pglite = { label: 'Workfloor on PGlite', clients: 1, ...value, machineBusy: busy };
  report(result.pglite, 'p50');
  return result as AppendBenchmarkResult;
}

function report(r: AppendResult, latencyLabel: string) {
  const latency = r.latencyP50Ms === undefined ? '' : `   ${latencyLabel} ${r.latencyP50Ms.toFixed(2)} ms${r.latencyP99Ms === undefined ? '' : `  p99 ${r.latencyP99Ms.toFixed(2)} ms`}`;
  process.stdout.write(
    `  ${r.label.padEnd(26)} ${r.tps.toFixed(0).padStart(7)} tx/s   ${r.clients} client(s)${latency}` +
      `   machine ${r.machineBusy === undefined ? '?' : (r.machineBusy * 100).toFixed(0)}% busy\n`,
  );
}
