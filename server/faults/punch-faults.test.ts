import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallOrg, usingPostgres } from '../testing/test-app.ts';
import { createPostgresDatabase, FAULT_ADMIN, freePort, killAll, startServer, type ChildServer } from './child-server.ts';

/**
 * The time clock under faults: the server killed while kiosks punch with retries, and a socket that
 * drops out of a burst of punches and catches up by `sinceSeq`.
 */

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await killAll();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

async function api(server: ChildServer, token: string | undefined, method: string, url: string, body?: unknown) {
  const res = await fetch(`${server.baseUrl}/api/v1${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const CLIENTS = 20;
const ACKS_BEFORE_KILL = 100;

/**
 * Twenty clients, one person each, punch in and out. A client that gets no answer sends the same punch
 * (same id, same body) again until it gets one, across the restart, as a kiosk's queue does.
 */
async function killWhilePunching(options: { dataDir: string; databaseUrl?: string }) {
  const port = await freePort();
  let server = await startServer({ ...options, port });
  let token = (await api(server, undefined, 'POST', '/auth/login', FAULT_ADMIN)).body.accessToken as string;
  const location = await api(server, token, 'POST', '/locations', { name: 'Floor', timezone: 'Europe/London' });
  const department = await api(server, token, 'POST', '/departments', { name: 'Line', locationId: location.body.id });
  const people: string[] = [];
  for (let c = 0; c < CLIENTS; c++) {
    people.push((await api(server, token, 'POST', '/employees', { name: `Punch ${c}`, departmentId: department.body.id, locationId: location.body.id })).body.id);
  }

  // Punches are listed by UTC date from the day before the first to the day after the last, so a run
  // that crosses midnight UTC still finds every punch.
  const startedAt = new Date();
  const acked = new Map<string, { employeeId: string; status: number }>();
  let retries = 0;
  let stop = false;
  let down = false;
  async function client(c: number) {
    const employeeId = people[c]!;
    for (let i = 0; !stop; i++) {
      const body = { id: randomUUID(), employeeId, kind: i % 2 === 0 ? 'clock_in' : 'clock_out', at: new Date().toISOString() };
      for (;;) {
        try {
          const res = await api(server, token, 'POST', '/clock-events', body);
          if (res.status === 200 || res.status === 201) {
            acked.set(body.id, { employeeId, status: res.status });
            break;
          }
          if (res.status === 401 && down === false) continue; // token refreshed below after a restart
          throw new Error(`unexpected ${res.status} ${JSON.stringify(res.body)}`);
        } catch (err) {
          if ((err as Error).message.startsWith('unexpected')) throw err;
          retries++;
          await new Promise((r) => setTimeout(r, 50)); // the same punch again
        }
      }
    }
  }
  const clients = people.map((_, c) => client(c));
  const deadline = Date.now() + 60_000;
  while (acked.size < ACKS_BEFORE_KILL && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  down = true;
  server.child.kill('SIGKILL');
  await server.exited;
  const ackedAtKill = acked.size;
  await new Promise((r) => setTimeout(r, 500));
  server = await startServer({ ...options, port });
  token = (await api(server, undefined, 'POST', '/auth/login', FAULT_ADMIN)).body.accessToken as string;
  down = false;
  // Let every client land the punch it was retrying, then stop.
  const target = acked.size + CLIENTS * 2;
  while (acked.size < target && Date.now() < deadline + 60_000) await new Promise((r) => setTimeout(r, 10));
  stop = true;
  await Promise.all(clients);

  // Every acknowledged punch is stored exactly once; no person has a punch nobody acknowledged.
  let stored = 0;
  const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const from = dayOf(startedAt.getTime() - 86_400_000);
  const to = dayOf(Date.now() + 86_400_000);
  for (const employeeId of people) {
    const list = await api(server, token, 'GET', `/clock-events?employeeId=${employeeId}&from=${from}&to=${to}`);
    const ids = list.body.items.map((e: any) => e.id as string);
    expect(new Set(ids).size).toBe(ids.length);
    const mine = [...acked.entries()].filter(([, a]) => a.employeeId === employeeId).map(([id]) => id);
    expect(ids.sort()).toEqual(mine.sort());
    stored += ids.length;
  }
  const replayedAfterRestart = [...acked.values()].filter((a) => a.status === 200).length;
  server.child.kill('SIGTERM');
  await server.exited;
  const result = { acknowledgedBeforeKill: ackedAtKill, acknowledged: acked.size, stored, retries, answeredAsReplay: replayedAfterRestart };
  process.stdout.write(`punch SIGKILL result (${options.databaseUrl ? 'PostgreSQL' : 'PGlite'}): ${JSON.stringify(result)}\n`);
  return result;
}

describe('punching through a SIGKILL', () => {
  it('PGlite: every acknowledged punch exists exactly once and retries were not doubled', { timeout: 240_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'punch-sigkill-'));
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const result = await killWhilePunching({ dataDir });
    // The kill landed while clients were punching: some requests failed and were sent again.
    expect(result.retries).toBeGreaterThan(0);
    expect(result.acknowledgedBeforeKill).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);
    expect(result.acknowledged).toBeGreaterThan(result.acknowledgedBeforeKill);
    expect(result.stored).toBe(result.acknowledged);
  });

  it.runIf(usingPostgres())('PostgreSQL: every acknowledged punch exists exactly once and retries were not doubled', { timeout: 240_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'punch-sigkill-pg-'));
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const database = await createPostgresDatabase('workfloor_punch_fault');
    cleanups.push(() => database.drop());
    const result = await killWhilePunching({ dataDir, databaseUrl: database.url });
    expect(result.retries).toBeGreaterThan(0);
    expect(result.acknowledgedBeforeKill).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);
    expect(result.acknowledged).toBeGreaterThan(result.acknowledgedBeforeKill);
    expect(result.stored).toBe(result.acknowledged);
  });
});

describe('a socket that drops out of a burst', () => {
  it('reconnects with its last seq and ends with exactly the server state', { timeout: 180_000 }, async () => {
    const t = await createTestApp();
    cleanups.push(() => t.close());
    const org = await seedSmallOrg(t);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = t.app.server.address() as { port: number };
    const url = `http://127.0.0.1:${port}`;
    const channel = `floor:${org.location.id}`;
    const people: string[] = [];
    for (let i = 0; i < 10; i++) {
      people.push((await t.call(t.adminToken, { method: 'POST', url: '/api/v1/employees', payload: { name: `Burst ${i}`, departmentId: org.packing.id, locationId: org.location.id } })).body.id);
    }

    const received: { seq: number; id: string }[] = [];
    const connect = (sinceSeq?: number) =>
      new Promise<Socket>((resolve, reject) => {
        const socket = io(url, { transports: ['websocket'], auth: { token: t.adminToken }, reconnection: false, forceNew: true });
        socket.on('event', (e: any) => {
          if (e.type === 'clock_event.recorded') received.push({ seq: e.seq, id: e.entity.id });
        });
        socket.on('connect', () => socket.emit('subscribe', { channel, sinceSeq }, (ack: any) => (ack.ok ? resolve(socket) : reject(new Error(ack.message)))));
        socket.on('connect_error', reject);
      });

    let socket = await connect();
    const punched: string[] = [];
    const state = new Map(people.map((p) => [p, false]));
    for (let i = 0; i < 200; i++) {
      const employeeId = people[i % people.length]!;
      const kind = state.get(employeeId) ? 'clock_out' : 'clock_in';
      const res = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/clock-events', payload: { id: randomUUID(), employeeId, kind } });
      expect(res.status).toBe(201);
      state.set(employeeId, !state.get(employeeId));
      punched.push(res.body.id);
      if (i === 60) {
        socket.disconnect();
      }
      if (i === 140) {
        // Back with the last seq it saw: the missed events first, then live ones.
        socket = await connect(received.at(-1)?.seq);
      }
    }
    // On PostgreSQL, delivery waits for every older transaction on the server (other tests' too): be patient.
    const deadline = Date.now() + 45_000;
    while (received.length < punched.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    socket.disconnect();
    expect(received.map((r) => r.id)).toEqual(punched);
    expect(new Set(received.map((r) => r.seq)).size).toBe(received.length);
  });
});
