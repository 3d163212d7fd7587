import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { io as connectSocketIo, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { cloneDemo, demoEmployees, demoLocations } from './lib/demo-db.ts';
import { benchPort } from './lib/ports.ts';
import { captureStderr, cpuMeter, firstJsonLine, spawnTs, waitForExit, type CpuUse } from './lib/proc.ts';
import { createPuncher, punchAtRate } from './lib/punch-client.ts';
import { ms, sleep, summarise, type LatencySummary } from './lib/stats.ts';
import { startWorkfloor } from './lib/workfloor-server.ts';

export interface PushSide {
  label: string;
  clients: number;
  punches: number;
  latency: LatencySummary;
  /** Per punch: from the POST's return to its first client's receipt. */
  first: LatencySummary;
  /** Per punch: from its first client's receipt to its last one's. */
  spread: LatencySummary;
  /** Deliveries that never arrived (client x punch). */
  missing: number;
  /** Deliveries that arrived before the POST had returned (counted as 0 ms). */
  early: number;
  cpu: CpuUse;
  refused?: number;
}
export interface PushResult {
  workfloor: PushSide;
  bare: PushSide;
}

const ENTITY_MARK = '"entity":{"type":"clock_event","id":"';

interface Settings {
  clients: number;
  rate: number;
  duration: number;
  warmup: number;
}

/** Receipt times per punch id, one slot per client (NaN until it arrives). */
function receipts(clients: number) {
  const byId = new Map<string, Float64Array>();
  return {
    record(id: string, client: number) {
      let slots = byId.get(id);
      if (!slots) byId.set(id, (slots = new Float64Array(clients).fill(Number.NaN)));
      if (Number.isNaN(slots[client]!)) slots[client] = performance.now();
    },
    /** Latencies from each POST's return to each client's receipt. */
    latencies(returned: Map<string, number>) {
      const values: number[] = [];
      // Per punch: when its first client had it (the server's delay) and how long the rest took after
      // that (the fan-out and the clients' own work), to tell a slow delivery from a slow spread.
      const first: number[] = [];
      const spread: number[] = [];
      let missing = 0;
      let early = 0;
      for (const [id, at] of returned) {
        const slots = byId.get(id);
        let earliest = Infinity;
        let latest = -Infinity;
        for (let c = 0; c < clients; c++) {
          const t = slots?.[c] ?? Number.NaN;
          if (Number.isNaN(t)) missing++;
          else {
            if (t < at) early++;
            values.push(Math.max(0, t - at));
            earliest = Math.min(earliest, t);
            latest = Math.max(latest, t);
          }
        }
        if (latest >= earliest) {
          first.push(Math.max(0, earliest - at));
          spread.push(latest - earliest);
        }
      }
      return { values, missing, early, first: summarise(first), spread: summarise(spread) };
    },
  };
}

/** Opens `count` connections `batch` at a time, each batch fully connected (and subscribed) before the next. */
async function ramp<T>(count: number, batch: number, open: (i: number) => Promise<T>): Promise<T[]> {
  const all: T[] = [];
  for (let i = 0; i < count; i += batch) {
    all.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - i) }, (_, k) => open(i + k)))));
  }
  return all;
}

function connectWorkfloorClient(url: string, token: string, channel: string, onEvent: (e: any) => void): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectSocketIo(url, { transports: ['websocket'], auth: { token }, forceNew: true, reconnection: false, timeout: 30_000 });
    socket.on('connect_error', (err) => reject(err));
    socket.on('event', onEvent);
    socket.on('connect', () => {
      socket.emit('subscribe', { channel }, (ack: { ok: boolean; message?: string }) => {
        if (ack.ok) resolve(socket);
        else reject(new Error(`subscribe ${channel}: ${ack.message}`));
      });
    });
  });
}

function connectBareClient(url: string, onMessage: (text: string) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('error', reject);
    ws.on('open', () => resolve(ws));
    ws.on('message', (data) => onMessage(data.toString()));
  });
}

/** POSTs `body(id)` to the bare server at a fixed rate (open loop), answering when each POST returned. */
async function postAtRate(port: number, body: (id: string) => string, perSecond: number, seconds: number, returned?: Map<string, number>) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  const total = Math.round(perSecond * seconds);
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / perSecond - performance.now();
    if (wait > 1) await sleep(wait);
    const id = randomUUID();
    const payload = body(id);
    inFlight.push(
      new Promise<void>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path: '/punch', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 201) return reject(new Error(`bare POST answered ${res.statusCode}`));
            returned?.set(id, performance.now());
            resolve();
          });
        });
        req.on('error', reject);
        req.end(payload);
      }),
    );
  }
  await Promise.all(inFlight);
  agent.destroy();
}

/**
 * Push latency with 1,000 subscribers: from `POST /api/v1/clock-events` returning to each socket.io
 * client (websocket transport, all subscribed to the location's floor channel, all in this process)
 * receiving the `clock_event.recorded` event, at 50 punches a second; then the same measurement with a
 * bare `ws` server broadcasting the same messages to the same number of clients.
 */
export async function runPushBenchmark(settings: Settings): Promise<PushResult> {
  const scratch = await cloneDemo('push');
  let template = '';
  let workfloor: PushSide;
  try {
    const locations = await demoLocations(scratch.url);
    const leeds = locations.find((l) => l.name.startsWith('Leeds')) ?? locations[0]!;
    const employees = (await demoEmployees(scratch.url)).filter((e) => e.locationId === leeds.id);
    const server = await startWorkfloor({ databaseUrl: scratch.url, port: await benchPort() });
    try {
      const token = await server.login();
      const seen = receipts(settings.clients);
      const rampStart = performance.now();
      const sockets = await ramp(settings.clients, 50, (i) =>
        connectWorkfloorClient(server.url, token, `floor:${leeds.id}`, (e) => {
          if (e.type !== 'clock_event.recorded') return;
          seen.record(e.entity.id, i);
          if (!template) template = JSON.stringify(e);
        }),
      );
      process.stdout.write(`  Workfloor: ${sockets.length} socket.io clients connected and subscribed to floor:${leeds.name} in ${((performance.now() - rampStart) / 1000).toFixed(1)} s\n`);
      const poster = createPuncher(server.url, token, 64);
      try {
        if (settings.warmup > 0) await punchAtRate(poster, employees, settings.rate, settings.warmup);
        await sleep(500);
        const returned = new Map<string, number>();
        const meter = cpuMeter(server.pid);
        const run = await punchAtRate(poster, employees, settings.rate, settings.duration, (r) => returned.set(r.id, r.returnedAt));
        await sleep(2000); // stragglers
        const cpu = meter();
        // A refused punch has no event to wait for: it is counted and shown, not timed.
        for (const r of run.results) if (r.status !== 201) returned.delete(r.id);
        if (run.errors.length) process.stdout.write(`  WARNING: ${run.errors.length} punches refused, e.g. ${run.errors[0]}\n`);
        if (returned.size === 0) throw new Error('every punch was refused');
        const { values, missing, early, first, spread } = seen.latencies(returned);
        workfloor = { label: 'Workfloor (socket.io)', clients: sockets.length, punches: returned.size, latency: summarise(values), first, spread, missing, early, cpu, refused: run.errors.length };
        report(workfloor, settings);
      } finally {
        poster.close();
        for (const s of sockets) s.disconnect();
      }
    } finally {
      await server.stop();
    }
  } finally {
    await scratch.drop();
  }
  if (!template) throw new Error('no clock event was pushed: nothing to broadcast in the baseline');

  // The baseline: the same message (a real event from the run above, with a fresh id each time).
  const port = await benchPort();
  const child = spawnTs('bench/bare-ws-server.ts', { PORT: String(port) });
  const stderr = captureStderr(child);
  let bare: PushSide;
  try {
    await firstJsonLine<{ port: number }>(child, stderr, 30_000);
    const seen = receipts(settings.clients);
    const sample = JSON.parse(template) as { entity: { type: string; id: string } };
    const body = (id: string) => JSON.stringify({ ...sample, id: randomUUID(), entity: { type: sample.entity.type, id } });
    const rampStart = performance.now();
    const clients = await ramp(settings.clients, 50, (i) =>
      // The id is cut out of the text rather than parsed: the baseline's clients do as little as possible.
      connectBareClient(`ws://127.0.0.1:${port}/`, (text) => {
        const at = text.indexOf(ENTITY_MARK);
        if (at >= 0) seen.record(text.slice(at + ENTITY_MARK.length, at + ENTITY_MARK.length + 36), i);
      }),
    );
    process.stdout.write(`  bare ws: ${clients.length} clients connected in ${((performance.now() - rampStart) / 1000).toFixed(1)} s\n`);
    try {
      if (settings.warmup > 0) await postAtRate(port, body, settings.rate, settings.warmup);
      await sleep(500);
      const returned = new Map<string, number>();
      const meter = cpuMeter(child.pid);
      await postAtRate(port, body, settings.rate, settings.duration, returned);
      await sleep(2000);
      const cpu = meter();
      const { values, missing, early, first, spread } = seen.latencies(returned);
      bare = { label: 'bare ws broadcast', clients: clients.length, punches: returned.size, latency: summarise(values), first, spread, missing, early, cpu };
      report(bare, settings);
    } finally {
      for (const c of clients) c.terminate();
    }
  } finally {
    child.kill('SIGTERM');
    await waitForExit(child);
  }
  return { workfloor, bare };
}

function report(s: PushSide, settings: Settings) {
  process.stdout.write(
    `  ${s.label.padEnd(22)} ${s.punches} punches at ${settings.rate}/s to ${s.clients} clients: p50 ${ms(s.latency.p50)}  p99 ${ms(s.latency.p99)}  max ${ms(s.latency.max)}` +
      `\n  ${''.padEnd(22)} per punch: first client p50 ${ms(s.first.p50)} p99 ${ms(s.first.p99)}; first to last client p50 ${ms(s.spread.p50)} p99 ${ms(s.spread.p99)}` +
      `\n  ${''.padEnd(22)} (${s.missing} missing, ${s.early} before the POST returned; server ${s.cpu.server?.toFixed(2) ?? '?'} cores, clients ${s.cpu.generator.toFixed(2)} cores, machine ${s.cpu.machine === undefined ? '?' : (s.cpu.machine * 100).toFixed(0)}% busy)\n`,
  );
}
