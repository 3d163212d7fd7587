import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { usingPostgres } from '../testing/test-app.ts';
import { createPostgresDatabase, FAULT_ADMIN, freePort, killAll, startServer, type ChildServer } from './child-server.ts';

/**
 * Kill the real server with SIGKILL while clients write, restart it on the same data, and check that
 * every write acknowledged with a 2xx is there exactly once, with its event in the audit log. Then stop
 * it with SIGTERM, which must exit 0.
 */

const CLIENTS = 15;
const ACKS_BEFORE_KILL = 120;
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  await killAll();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

interface Ack {
  kind: 'location' | 'employee';
  id: string;
  name: string;
}

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

async function login(server: ChildServer) {
  const res = await api(server, undefined, 'POST', '/auth/login', FAULT_ADMIN);
  if (res.status !== 200) throw new Error(`login: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken as string;
}

async function listAll(server: ChildServer, token: string, url: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await api(server, token, 'GET', `${url}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${JSON.stringify(res.body)}`);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

/** Runs the scenario against one database; answers what it saw, for the report. */
async function killWhileWriting(options: { dataDir: string; databaseUrl?: string }) {
  const port = await freePort();
  let server = await startServer({ ...options, port });
  let token = await login(server);
  const location = await api(server, token, 'POST', '/locations', { name: 'Base', timezone: 'Europe/London' });
  const department = await api(server, token, 'POST', '/departments', { name: 'Base Dept', locationId: location.body.id });
  expect([location.status, department.status]).toEqual([201, 201]);

  const acked: Ack[] = [];
  /** Attempts whose outcome the client never learned (no response): may or may not be there. */
  const unknown: { kind: Ack['kind']; name: string }[] = [];
  let killed = false;
  let networkErrors = 0;

  async function client(c: number) {
    for (let i = 0; !killed; i++) {
      // Every attempt is a distinct write with its own name: a retry after a lost response must not
      // be mistaken for a duplicate of the first attempt.
      const kind: Ack['kind'] = i % 3 === 0 ? 'location' : 'employee';
      const name = `c${c}-w${i}`;
      const body =
        kind === 'location'
          ? { name, timezone: 'Asia/Kolkata' }
          : { name, departmentId: department.body.id, locationId: location.body.id };
      try {
        const res = await api(server, token, 'POST', kind === 'location' ? '/locations' : '/employees', body);
        if (res.status >= 200 && res.status < 300) acked.push({ kind, id: res.body.id, name });
        else throw new Error(`unexpected ${res.status} ${JSON.stringify(res.body)}`);
      } catch (err) {
        if ((err as Error).message.startsWith('unexpected')) throw err;
        networkErrors++;
        unknown.push({ kind, name });
        await new Promise((r) => setTimeout(r, 20)); // and retry with the next write
      }
    }
  }

  const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
  const deadline = Date.now() + 60_000;
  while (acked.length < ACKS_BEFORE_KILL && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(acked.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);
  server.child.kill('SIGKILL');
  const exit = await server.exited;
  expect(exit.signal).toBe('SIGKILL');
  const ackedAtKill = acked.length;
  // Requests in flight at the kill now fail; let them settle, then stop the clients.
  await new Promise((r) => setTimeout(r, 300));
  killed = true;
  await Promise.all(clients);
  // Responses cannot arrive from a dead process.
  expect(acked.length).toBe(ackedAtKill);

  server = await startServer({ ...options, port });
  token = await login(server);
  const locations = await listAll(server, token, '/locations');
  const employees = await listAll(server, token, '/employees');
  const count = new Map<string, number>();
  for (const row of [...locations.map((l) => `location:${l.name}`), ...employees.map((e) => `employee:${e.name}`)]) {
    count.set(row, (count.get(row) ?? 0) + 1);
  }
  const ids = new Set([...locations, ...employees].map((r) => r.id as string));
  const missing = acked.filter((a) => !ids.has(a.id));
  const notOnce = acked.filter((a) => count.get(`${a.kind}:${a.name}`) !== 1);
  expect(missing).toEqual([]);
  expect(notOnce).toEqual([]);

  // Their events are in the audit log, once each.
  const audited = new Map<string, number>();
  for (const type of ['location.created', 'employee.created']) {
    for (const e of await listAll(server, token, `/audit?type=${type}`)) audited.set(e.entity.id, (audited.get(e.entity.id) ?? 0) + 1);
  }
  expect(acked.filter((a) => audited.get(a.id) !== 1)).toEqual([]);
  // And nothing is in the log without its row, or the reverse.
  expect([...audited.keys()].sort()).toEqual([...ids].sort());

  // A graceful stop: SIGTERM closes sockets, the app and the database, and exits 0.
  const stoppedAt = Date.now();
  server.child.kill('SIGTERM');
  const stop = await server.exited;
  expect(stop).toEqual({ code: 0, signal: null });
  expect(Date.now() - stoppedAt).toBeLessThan(15_000);

  const inDoubtPresent = unknown.filter((u) => count.get(`${u.kind}:${u.name}`) === 1).length;
  const result = { acknowledged: acked.length, foundAfterRestart: acked.length - missing.length, inDoubt: unknown.length, inDoubtPresent, networkErrors };
  process.stdout.write(`SIGKILL result (${options.databaseUrl ? 'PostgreSQL' : 'PGlite'}): ${JSON.stringify(result)}\n`);
  return result;
}

describe('SIGKILL while clients write', () => {
  it('PGlite (embedded, DATA_DIR): every acknowledged write survives, exactly once, with its event', { timeout: 240_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faulthelper-sigkill-'));
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const result = await killWhileWriting({ dataDir });
    expect(result.foundAfterRestart).toBe(result.acknowledged);
  });

  it.runIf(usingPostgres())('PostgreSQL (DATABASE_URL): every acknowledged write survives, exactly once, with its event', { timeout: 240_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faulthelper-sigkill-pg-'));
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const database = await createPostgresDatabase('workfloor_fault');
    cleanups.push(() => database.drop());
    const result = await killWhileWriting({ dataDir, databaseUrl: database.url });
    expect(result.foundAfterRestart).toBe(result.acknowledged);
  });
});
