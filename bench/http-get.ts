import autocannon from 'autocannon';
import { captureStderr, cpuMeter, firstJsonLine, spawnTs, waitForExit, type CpuUse } from './lib/proc.ts';
import { createScratchDatabase } from './lib/postgres.ts';
import { startWorkfloor } from './lib/workfloor-server.ts';

export interface LoadSettings {
  connections: number;
  /** Measured seconds per target. */
  duration: number;
  /** Seconds of load before each measurement, thrown away (JIT, pools, caches). */
  warmup: number;
}

export interface LoadResult {
  label: string;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  requests: number;
  cpu: CpuUse;
}

/**
 * Drives `url` from this process with autocannon while the server runs in its own process, so the
 * load generator and the server under test never share an event loop. Refuses a result with errors or
 * non-2xx answers: a fast 401 is not a measurement.
 */
async function load(label: string, url: string, pid: number | undefined, headers: Record<string, string>, settings: LoadSettings): Promise<LoadResult> {
  const base = { url, connections: settings.connections, pipelining: 1, headers };
  if (settings.warmup > 0) await autocannon({ ...base, duration: settings.warmup });
  const meter = cpuMeter(pid);
  const result = await autocannon({ ...base, duration: settings.duration });
  const cpu = meter();
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(`${label}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`);
  }
  return {
    label,
    requestsPerSecond: result.requests.total / result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    requests: result.requests.total,
    cpu,
  };
}

async function createLocation(url: string, token: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/locations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: 'Leeds DC', timezone: 'Europe/London' }),
  });
  if (res.status !== 201) throw new Error(`create location: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** Starts Workfloor on one database, creates a location, signs in, and loads GET /api/v1/locations/:id. */
async function loadWorkfloor(label: string, databaseUrl: string | undefined, settings: LoadSettings) {
  const server = await startWorkfloor({ databaseUrl });
  try {
    const token = await server.login();
    const id = await createLocation(server.url, token);
    const target = `${server.url}/api/v1/locations/${id}`;
    const headers = { authorization: `Bearer ${token}` };
    const probe = await fetch(target, { headers });
    const body = await probe.text();
    if (probe.status !== 200) throw new Error(`${label}: GET answered ${probe.status} ${body}`);
    const result = await load(label, target, server.pid, headers, settings);
    return { result, body, token };
  } finally {
    await server.stop();
  }
}

async function loadBare(body: string, headers: Record<string, string>, settings: LoadSettings): Promise<LoadResult> {
  const child = spawnTs('bench/bare-server.ts', { BENCH_BODY: body });
  const stderr = captureStderr(child);
  try {
    const { port } = await firstJsonLine<{ port: number }>(child, stderr, 30_000);
    const url = `http://127.0.0.1:${port}/api/v1/locations/x`;
    const probe = await fetch(url);
    if ((await probe.text()) !== body) throw new Error('bare server answered a different body');
    return await load('bare node:http', url, child.pid, headers, settings);
  } finally {
    child.kill('SIGTERM');
    await waitForExit(child);
  }
}

export interface GetBenchmarkResult {
  bare: LoadResult;
  postgres?: LoadResult;
  pglite: LoadResult;
  bodyBytes: number;
}

export async function runGetBenchmark(settings: LoadSettings, withPostgres: boolean): Promise<GetBenchmarkResult> {
  let postgres: LoadResult | undefined;
  let body: string | undefined;
  let token: string | undefined;
  if (withPostgres) {
    const scratch = await createScratchDatabase('get');
    try {
      ({ result: postgres, body, token } = await loadWorkfloor('Workfloor on PostgreSQL', scratch.url, settings));
      report(postgres);
    } finally {
      await scratch.drop();
    }
  }
  const pg = await loadWorkfloor('Workfloor on PGlite', undefined, settings);
  const pglite = pg.result;
  report(pglite);
  body ??= pg.body;
  token ??= pg.token;
  // The same request headers as the real runs, so reading requests costs the same; the bare server ignores them.
  const bare = await loadBare(body, { authorization: `Bearer ${token}` }, settings);
  report(bare);
  return { bare, postgres, pglite, bodyBytes: Buffer.byteLength(body) };
}

function report(r: LoadResult) {
  const cores = (n: number | undefined) => (n === undefined ? '?' : n.toFixed(2));
  // CPU per request is steadier than req/s when other work shares the machine.
  const perRequest = r.cpu.server === undefined ? '?' : ((r.cpu.server / r.requestsPerSecond) * 1e6).toFixed(0);
  process.stdout.write(
    `  ${r.label.padEnd(26)} ${r.requestsPerSecond.toFixed(0).padStart(7)} req/s   p50 ${r.latencyP50Ms} ms  p99 ${r.latencyP99Ms} ms` +
      `   server ${perRequest} µs CPU/req, ${cores(r.cpu.server)} cores; generator ${cores(r.cpu.generator)}, machine ${r.cpu.machine === undefined ? '?' : (r.cpu.machine * 100).toFixed(0)}% busy\n`,
  );
}
