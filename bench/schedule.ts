import { Temporal } from 'temporal-polyfill';
import { cloneDemo, demoEmployees, withClient } from './lib/demo-db.ts';
import { benchPort } from './lib/ports.ts';
import { captureStderr, cpuMeter, firstJsonLine, spawnTs, waitForExit } from './lib/proc.ts';
import { median, ms, quantile } from './lib/stats.ts';
import { startWorkfloor } from './lib/workfloor-server.ts';

export interface EngineResult {
  employees: number;
  months: number;
  shiftsPerMonth: number;
  conversionShiftsPerMonth: number;
  adjustmentsPerMonth: number;
  firstCallMsPerShift: number;
  coldMsPerShift: number;
  warmMsPerShift: number;
  warmNoAdjustmentsMsPerShift: number;
  baselineMsPerShift: number;
  coldMonthMs: number;
  warmMonthMs: number;
  baselineMonthMs: number;
}

export interface ScheduleGetResult {
  requests: number;
  items: number;
  violations: number;
  bodyBytes: number;
  p50Ms: number;
  p95Ms: number;
  serverCpuMsPerRequest?: number;
  /** The same contracts and adjustments read with one raw SQL query each (pg). */
  sqlP50Ms: number;
  sqlP95Ms: number;
  contracts: number;
  adjustments: number;
}

/** Schedule expansion in its own process (fresh caches). */
export async function runEngineBenchmark(): Promise<EngineResult> {
  const child = spawnTs('bench/schedule-engine-worker.ts', {});
  const stderr = captureStderr(child);
  const result = await firstJsonLine<EngineResult>(child, stderr, 180_000);
  await waitForExit(child);
  const us = (x: number) => `${(x * 1000).toFixed(1)} µs`;
  process.stdout.write(
    `  ${result.employees} people x 31 days: ${result.shiftsPerMonth.toFixed(0)} shifts a month, ${result.adjustmentsPerMonth.toFixed(0)} approved adjustments, zones Europe/Berlin, Asia/Kolkata, America/Chicago\n` +
      `  expandSchedule, cold cache (a month never expanded)  ${us(result.coldMsPerShift)}/shift  (${ms(result.coldMonthMs)} a month)\n` +
      `  expandSchedule, warm cache (the same month again)    ${us(result.warmMsPerShift)}/shift  (${ms(result.warmMonthMs)} a month)\n` +
      `  expandSchedule, warm, without the adjustments       ${us(result.warmNoAdjustmentsMsPerShift)}/shift\n` +
      `  baseline: 2 Temporal zone conversions per shift     ${us(result.baselineMsPerShift)}/shift  (${ms(result.baselineMonthMs)} a month)\n` +
      `  first call in a fresh process (JIT and caches cold) ${us(result.firstCallMsPerShift)}/shift\n`,
  );
  return result;
}

const api = (base: string, path: string) => `${base}/api/v1${path}`;

/**
 * GET /api/v1/schedule for the whole demo organisation (320 people, 3 locations) over 31 days, on
 * PostgreSQL, sequentially (one request at a time: this is latency, not throughput), against reading
 * the rows it is built from with one raw SQL query each: the contracts overlapping the expanded range and
 * the approved adjustments in the window, exactly as the service asks for them.
 */
export async function runScheduleGetBenchmark(settings: { requests: number; warmup: number }): Promise<ScheduleGetResult> {
  const scratch = await cloneDemo('schedule');
  try {
    const server = await startWorkfloor({ databaseUrl: scratch.url, port: await benchPort() });
    try {
      const token = await server.login();
      const headers = { authorization: `Bearer ${token}` };
      const today = Temporal.Now.plainDateISO('UTC');
      const from = today.subtract({ days: 15 }).toString();
      const to = today.add({ days: 15 }).toString();
      const url = api(server.url, `/schedule?from=${from}&to=${to}`);

      let body = '';
      for (let i = 0; i < settings.warmup; i++) {
        const res = await fetch(url, { headers });
        body = await res.text();
        if (res.status !== 200) throw new Error(`GET /schedule answered ${res.status}: ${body.slice(0, 300)}`);
      }
      const parsed = JSON.parse(body) as { items: unknown[]; violations: unknown[] };
      const latencies: number[] = [];
      const meter = cpuMeter(server.pid);
      const started = performance.now();
      for (let i = 0; i < settings.requests; i++) {
        const t0 = performance.now();
        const res = await fetch(url, { headers });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`GET /schedule answered ${res.status}`);
      }
      const wall = (performance.now() - started) / 1000;
      const cpu = meter();

      // The baseline: the same two reads the service makes (contracts over [from - 7, to + 1], approved
      // adjustments over [from - 9 d, to + 4 d) of the same people), as raw SQL with node-postgres.
      const ids = (await demoEmployees(scratch.url)).map((e) => e.id);
      const cFrom = Temporal.PlainDate.from(from).subtract({ days: 7 }).toString();
      const cTo = Temporal.PlainDate.from(to).add({ days: 1 }).toString();
      const aFrom = new Date(Date.parse(`${cFrom}T00:00:00Z`) - 2 * 86_400_000);
      const aTo = new Date(Date.parse(`${cTo}T00:00:00Z`) + 3 * 86_400_000);
      const sql = { contracts: 0, adjustments: 0, latencies: [] as number[] };
      await withClient(scratch.url, async (client) => {
        const once = async () => {
          const t0 = performance.now();
          const c = await client.query(
            'SELECT * FROM contracts WHERE employee_id = ANY($1::uuid[]) AND effective_from <= $2 AND (effective_to IS NULL OR effective_to >= $3)',
            [ids, cTo, cFrom],
          );
          const a = await client.query(
            `SELECT * FROM adjustments WHERE status = 'approved' AND (employee_id = ANY($1::uuid[]) OR counterpart_employee_id = ANY($1::uuid[]))
               AND start < $2 AND "end" > $3`,
            [ids, aTo, aFrom],
          );
          sql.contracts = c.rowCount ?? 0;
          sql.adjustments = a.rowCount ?? 0;
          return performance.now() - t0;
        };
        for (let i = 0; i < settings.warmup; i++) await once();
        for (let i = 0; i < settings.requests; i++) sql.latencies.push(await once());
      });

      const result: ScheduleGetResult = {
        requests: latencies.length,
        items: parsed.items.length,
        violations: parsed.violations.length,
        bodyBytes: Buffer.byteLength(body),
        p50Ms: median(latencies),
        p95Ms: quantile(latencies, 0.95),
        serverCpuMsPerRequest: cpu.server === undefined ? undefined : (cpu.server * wall * 1000) / latencies.length,
        sqlP50Ms: median(sql.latencies),
        sqlP95Ms: quantile(sql.latencies, 0.95),
        contracts: sql.contracts,
        adjustments: sql.adjustments,
      };
      process.stdout.write(
        `  GET /schedule?from=${from}&to=${to} (everyone): ${result.items} shifts, ${result.violations} violations, ${(result.bodyBytes / 1024).toFixed(0)} KiB\n` +
          `  Workfloor      p50 ${ms(result.p50Ms)}  p95 ${ms(result.p95Ms)}  (${result.requests} sequential requests after ${settings.warmup} warm-up; ` +
          `server ${result.serverCpuMsPerRequest === undefined ? '?' : ms(result.serverCpuMsPerRequest)} CPU/request)\n` +
          `  raw SQL (pg)   p50 ${ms(result.sqlP50Ms)}  p95 ${ms(result.sqlP95Ms)}  (${result.contracts} contracts + ${result.adjustments} adjustments, one query each)\n`,
      );
      return result;
    } finally {
      await server.stop();
    }
  } finally {
    await scratch.drop();
  }
}
