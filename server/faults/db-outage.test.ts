import net from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows } from '../db/client.ts';
import { systemActor } from '../events/event-log.ts';
import { isDatabaseUnavailable } from '../plugins/errors.ts';
import { createTestApp, usingPostgres, type TestApp } from '../testing/test-app.ts';
import { createPostgresDatabase } from './child-server.ts';

/**
 * A TCP proxy between the app's pool and PostgreSQL that the test can cut: `refuse` closes the port
 * (the database is down), `blackhole` accepts connections and never answers (a network partition).
 */
function createProxy(target: { host: string; port: number }) {
  let mode: 'forward' | 'refuse' | 'blackhole' = 'forward';
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;

  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };

  function onConnection(client: net.Socket) {
    track(client);
    if (mode !== 'forward') return; // blackhole: accepted, never answered
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  function listen(): Promise<void> {
    server = net.createServer(onConnection);
    return new Promise((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  function dropAll() {
    for (const s of sockets) s.destroy();
  }

  return {
    listen,
    get port() {
      return port;
    },
    async cut(how: 'refuse' | 'blackhole') {
      mode = how;
      dropAll();
      if (how === 'refuse' && server?.listening) await new Promise<void>((r) => server!.close(() => r()));
      if (how === 'blackhole' && !server?.listening) await listen();
    },
    async restore() {
      mode = 'forward';
      dropAll();
      if (!server?.listening) await listen();
    },
    async close() {
      dropAll();
      if (server?.listening) await new Promise<void>((r) => server!.close(() => r()));
    },
  };
}

describe.runIf(usingPostgres())('PostgreSQL unreachable', () => {
  let proxy: ReturnType<typeof createProxy>;
  let t: TestApp;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const created = await createPostgresDatabase('workfloor_outage');
    drop = created.drop;
    const direct = new URL(created.url);
    proxy = createProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    await proxy.listen();
    const viaProxy = new URL(created.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const database = await openDatabase({ databaseUrl: viaProxy.toString(), log: pino({ level: 'silent' }) });
    t = await createTestApp({ database });
  });

  afterAll(async () => {
    await proxy?.restore();
    await t?.close();
    await t?.database.close();
    await proxy?.close();
    await drop?.();
  });

  const readyz = () => t.call(undefined, { method: 'GET', url: '/readyz' });
  const createLocation = (name: string) =>
    t.call(t.adminToken, { method: 'POST', url: '/api/v1/locations', payload: { name, timezone: 'Europe/Berlin' } });

  async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('reports 503 DATABASE_UNAVAILABLE while the database is down, stays up, and recovers by itself', { timeout: 30_000 }, async () => {
    expect((await readyz()).status).toBe(200);
    expect((await createLocation('Before')).status).toBe(201);

    await proxy.cut('refuse');
    const ready = await readyz();
    expect(ready.status).toBe(503);
    expect(ready.body.error.code).toBe('DATABASE_UNAVAILABLE');

    const write = await createLocation('While down');
    expect(write.status).toBe(503);
    expect(write.body).toEqual({ error: { code: 'DATABASE_UNAVAILABLE', message: expect.any(String) } });
    expect(write.headers['retry-after']).toBeDefined();
    const read = await t.call(t.adminToken, { method: 'GET', url: '/api/v1/locations' });
    expect(read.status).toBe(503);
    expect(read.body.error.code).toBe('DATABASE_UNAVAILABLE');
    // The process answers what does not need the database.
    expect((await t.call(undefined, { method: 'GET', url: '/healthz' })).status).toBe(200);

    await proxy.restore();
    await eventually('/readyz to recover', async () => ((await readyz()).status === 200 ? true : undefined));
    const after = await createLocation('After');
    expect(after.status).toBe(201);
    const names = (await t.call(t.adminToken, { method: 'GET', url: '/api/v1/locations' })).body.items.map((l: { name: string }) => l.name);
    expect(names.sort()).toEqual(['After', 'Before']);
    // The log tail, which failed its polls meanwhile, delivers again.
    await t.wf.tail.flush();
  });

  // Bounded by the pool's 5 s connection timeout and /readyz's 2 s; a hang fails on the test timeout.
  it('answers 503, not 500 and not a hang, when the network swallows the connection', { timeout: 30_000 }, async () => {
    await proxy.cut('blackhole');
    const ready = await readyz();
    expect(ready.status).toBe(503);
    expect(ready.body.error.code).toBe('DATABASE_UNAVAILABLE');

    const write = await createLocation('Into the void');
    expect(write.status).toBe(503);
    expect(write.body.error.code).toBe('DATABASE_UNAVAILABLE');

    await proxy.restore();
    await eventually('/readyz to recover', async () => ((await readyz()).status === 200 ? true : undefined));
    expect((await createLocation('Back again')).status).toBe(201);
  });

  it('a connection lost in the middle of a transaction fails that write (503), rolls it back, and does not crash the process', { timeout: 30_000 }, async () => {
    const { events } = t.wf;
    let inside!: () => void;
    const entered = new Promise<void>((r) => (inside = r));
    let resume!: () => void;
    const resumed = new Promise<void>((r) => (resume = r));
    const write = events.write(async (tx) => {
      await events.append(tx, { type: 'test.interrupted', entity: { type: 'test', id: 'cut' }, actor: systemActor, payload: {} });
      inside();
      await resumed;
      await events.append(tx, { type: 'test.interrupted', entity: { type: 'test', id: 'cut-2' }, actor: systemActor, payload: {} });
    });
    const outcome = write.then(() => 'committed', (err: unknown) => err);
    await entered;
    // The connection drops while the transaction is idle between two statements.
    await proxy.cut('refuse');
    await new Promise((r) => setTimeout(r, 200));
    resume();
    const err = await outcome;
    expect(err).not.toBe('committed');
    expect(isDatabaseUnavailable(err)).toBe(true);

    await proxy.restore();
    await eventually('/readyz to recover', async () => ((await readyz()).status === 200 ? true : undefined));
    const [row] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM events WHERE type = 'test.interrupted'`);
    expect(row!.n).toBe(0);
    expect((await createLocation('After the cut')).status).toBe(201);
  });
});
