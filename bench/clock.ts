import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findPgbench } from './append.ts';
import { cloneDemo, demoEmployees, withClient, type DemoEmployee } from './lib/demo-db.ts';
import { runPgbenchScript } from './lib/pgbench.ts';
import { benchPort } from './lib/ports.ts';
import { cpuMeter } from './lib/proc.ts';
import { createPuncher } from './lib/punch-client.ts';
import { median, ms, quantile } from './lib/stats.ts';
import { startWorkfloor } from './lib/workfloor-server.ts';

export interface ClockRun {
  clients: number;
  workfloorTps: number;
  workfloorP50Ms: number;
  workfloorP99Ms: number;
  serverCores?: number;
  pgbenchTps?: number;
  pgbenchLatencyMs?: number;
  /** Mean time a punch spent in the server, from its request's arrival to its response (its /metrics histogram). */
  serverMeanMs?: number;
}

/** The server's own request-duration histogram for accepted punches: total seconds and count so far. */
async function punchTimeInServer(baseUrl: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(new URL('/metrics', baseUrl))).text();
  const read = (suffix: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`workfloor_http_request_duration_seconds_${suffix}{`) && l.includes('route="/api/v1/clock-events"') && l.includes('status="201"'));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };
  return { sum: read('sum'), count: read('count') };
}

/**
 * What one accepted punch writes, as pgbench runs it: per client one employee of its own (from a helper
 * table, read once on the client's first transaction), alternating clock-in (INSERT the punch, INSERT
 * the open worked shift, INSERT the event) and clock-out (INSERT the punch, UPDATE the worked shift,
 * INSERT the event), each in one transaction with the same columns and payload shape as the server's.
 * pgbench keeps a client's variables between transactions, so `:k` counts that client's punches.
 */
function pgbenchScript(actorId: string): string {
  const payload = (kind: string) =>
    `jsonb_build_object('employeeId', ':emp', 'employeeName', 'Bench Person', 'kind', '${kind}', 'at', now(), 'locationId', ':loc', 'source', 'web', 'state', 'placed', 'lateByMinutes', 0)`;
  const punch = (kind: string) =>
    `INSERT INTO punches (id, employee_id, location_id, kind, at, source, request_hash, recorded_at, recorded_by, state)` +
    ` VALUES (gen_random_uuid(), ':emp', ':loc', '${kind}', now(), 'web', md5(random()::text) || md5(random()::text), now(), 'Bench Admin', 'placed')` +
    ` RETURNING id, employee_id, location_id, kind, at, source, request_hash, recorded_at, recorded_by, correction_of, superseded_by, reason, state \\gset p_`;
  const event = (kind: string) =>
    `INSERT INTO events (id, type, entity_type, entity_id, actor_type, actor_id, actor_name, location_id, department_id, employee_id, user_id, payload)` +
    ` VALUES (gen_random_uuid(), 'clock_event.recorded', 'clock_event', ':p_id', 'user', '${actorId}', 'Bench Admin', ':loc', ':dept', ':emp', NULL, ${payload(kind)}) RETURNING seq;`;
  return [
    '\\set k :k + 1',
    '\\if :k = 1',
    'SELECT employee_id AS emp, location_id AS loc, department_id AS dept, open AS open FROM bench_clock_employees WHERE n = :client_id \\gset',
    '\\endif',
    '\\set clockin (:k + :open) % 2',
    'BEGIN;',
    '\\if :clockin',
    punch('clock_in'),
    `INSERT INTO work_shifts (employee_id, location_id, clock_in_at, clock_in_punch_id, breaks) VALUES (':emp', ':loc', now(), ':p_id', '[]') RETURNING id;`,
    event('clock_in'),
    '\\else',
    punch('clock_out'),
    `UPDATE work_shifts SET clock_out_at = now(), clock_out_punch_id = ':p_id', breaks = '[]' WHERE employee_id = ':emp' AND clock_out_at IS NULL;`,
    event('clock_out'),
    '\\endif',
    'COMMIT;',
    '',
  ].join('\n');
}

/**
 * Closed loop over HTTP: `clients` concurrent clients, each with its own keep-alive connection and its
 * own share of the employees, each sending its next punch as soon as the previous one is answered.
 * Any answer other than 201 fails the run.
 */
async function punchClosedLoop(baseUrl: string, token: string, employees: DemoEmployee[], clients: number, seconds: number, latencies?: number[]) {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const mine = employees.filter((_, i) => i % clients === c);
      if (mine.length === 0) throw new Error(`client ${c} has no employees (${employees.length} for ${clients} clients)`);
      const poster = createPuncher(baseUrl, token);
      try {
        for (let i = 0; performance.now() < end; i++) {
          const r = await poster.punch(mine[i % mine.length]!);
          if (r.status !== 201) throw new Error(`punch answered ${r.status}: ${r.body.slice(0, 300)}`);
          latencies?.push(r.returnedAt - r.sentAt);
          done++;
        }
      } finally {
        poster.close();
      }
    }),
  );
  return done;
}

/**
 * Clock-in throughput on PostgreSQL over HTTP (POST /api/v1/clock-events, the real server in its own
 * process, log tail and consumers running, on a copy of the demo organisation) with 16 and 64
 * concurrent clients, against pgbench making the same writes with the same number of clients, in the
 * same database, in the same run, while no Workfloor server is up.
 */
export async function runClockBenchmark(settings: { clientCounts: number[]; duration: number; warmup: number }): Promise<ClockRun[]> {
  const scratch = await cloneDemo('clock');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench2-clock-'));
  const runs: ClockRun[] = [];
  try {
    // pgbench's employees: one per client, with the state they are in when it starts (a helper table it
    // reads on each client's first transaction; `open` 1 makes that client start with a clock-out).
    async function choosePgbenchEmployees(clients: number) {
      const employees = await demoEmployees(scratch.url);
      if (employees.length < clients) throw new Error(`only ${employees.length} employees; pgbench needs ${clients}`);
      await withClient(scratch.url, async (client) => {
        await client.query('DROP TABLE IF EXISTS bench_clock_employees');
        await client.query('CREATE TABLE bench_clock_employees (n int PRIMARY KEY, employee_id uuid, location_id uuid, department_id uuid, name text, open int)');
        for (const [n, e] of employees.slice(0, clients).entries()) {
          await client.query('INSERT INTO bench_clock_employees VALUES ($1, $2, $3, $4, $5, $6)', [n, e.id, e.locationId, e.departmentId, e.name, e.open ? 1 : 0]);
        }
      });
    }
    const pgbench = findPgbench();
    const scriptFile = path.join(tmp, 'clock.sql');
    fs.writeFileSync(scriptFile, pgbenchScript('00000000-0000-4000-8000-000000000001'));

    for (const clients of settings.clientCounts) {
      const run: ClockRun = { clients, workfloorTps: 0, workfloorP50Ms: 0, workfloorP99Ms: 0 };
      // pgbench runs with no Workfloor server up: a running one would spend the shared cores on
      // pgbench's events (its consumers and log tail read every one), and slow the baseline down.
      if (pgbench) {
        const extra = ['-D', 'k=0'];
        await choosePgbenchEmployees(clients);
        if (settings.warmup > 0) await runPgbenchScript(pgbench, scratch.url, scriptFile, clients, settings.warmup, extra);
        await choosePgbenchEmployees(clients);
        const r = await runPgbenchScript(pgbench, scratch.url, scriptFile, clients, settings.duration, extra);
        run.pgbenchTps = r.tps;
        run.pgbenchLatencyMs = r.latencyMs;
      }
      // Started after pgbench: its start-up catches the consumers up with pgbench's events, and the
      // warm-up below absorbs the rest.
      const server = await startWorkfloor({ databaseUrl: scratch.url, port: await benchPort() });
      try {
        const token = await server.login();
        // The state of every employee after pgbench's punches (it may stop between a clock-in and its clock-out).
        const employees = await demoEmployees(scratch.url);
        if (settings.warmup > 0) await punchClosedLoop(server.url, token, employees, clients, settings.warmup);
        const latencies: number[] = [];
        const inServerBefore = await punchTimeInServer(server.url);
        const meter = cpuMeter(server.pid);
        const started = performance.now();
        const done = await punchClosedLoop(server.url, token, employees, clients, settings.duration, latencies);
        const seconds = (performance.now() - started) / 1000;
        const cpu = meter();
        const inServerAfter = await punchTimeInServer(server.url);
        run.serverMeanMs = ((inServerAfter.sum - inServerBefore.sum) / (inServerAfter.count - inServerBefore.count)) * 1000;
        run.workfloorTps = done / seconds;
        run.workfloorP50Ms = median(latencies);
        run.workfloorP99Ms = quantile(latencies, 0.99);
        run.serverCores = cpu.server;
        runs.push(run);
        process.stdout.write(
          `  ${String(clients).padStart(2)} clients: Workfloor ${run.workfloorTps.toFixed(0).padStart(5)} punches/s (p50 ${ms(run.workfloorP50Ms)}, p99 ${ms(run.workfloorP99Ms)}, mean ${ms(run.serverMeanMs)} in the server, ` +
            `server ${cpu.server?.toFixed(2) ?? '?'} cores, machine ${cpu.machine === undefined ? '?' : (cpu.machine * 100).toFixed(0)}% busy)` +
            `   pgbench ${run.pgbenchTps?.toFixed(0) ?? '-'} tx/s (latency avg ${run.pgbenchLatencyMs === undefined ? '-' : ms(run.pgbenchLatencyMs)})` +
            `   ratio ${run.pgbenchTps ? (run.workfloorTps / run.pgbenchTps).toFixed(2) : '-'}\n`,
        );
      } finally {
        await server.stop();
      }
    }
    if (!pgbench) process.stdout.write('  pgbench not found (see bench/README.md): baseline skipped.\n');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    await scratch.drop();
  }
  return runs;
}
