import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';
import pino from 'pino';
import { buildApp, type Workfloor } from '../app.ts';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows, type Database } from '../db/client.ts';
import { systemClock, type Clock } from '../lib/clock.ts';
import { memoryRateLimitStore, type RateLimitStore } from '../lib/rate-limiter.ts';

/**
 * Tests run against a real database: embedded PGlite in memory by default, or, when
 * TEST_DATABASE_URL is set, a fresh PostgreSQL database created for the test file and dropped after.
 */
export async function openTestDatabase(): Promise<Database & { url?: string }> {
  const log = pino({ level: 'silent' });
  const base = process.env.TEST_DATABASE_URL;
  if (!base) return openDatabase({ log });
  const pg = await import('pg');
  const name = `workfloor_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.default.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), log, poolSize: 30 });
  return {
    ...database,
    url: url.toString(),
    async close() {
      await database.close();
      const dropper = new pg.default.Client({ connectionString: base });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

export const usingPostgres = () => Boolean(process.env.TEST_DATABASE_URL);

export interface TestApp {
  app: FastifyInstance;
  wf: Workfloor;
  database: Database;
  /** Admin access token (the bootstrap admin). */
  adminToken: string;
  /** `app.inject` with a bearer token (or none), answering status and parsed JSON. */
  call(token: string | undefined, options: InjectOptions): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  login(email: string, password: string): Promise<string>;
  /**
   * Waits until every event committed so far is readable (below the log's horizon), then drains the
   * consumers and delivers the tail. On PostgreSQL the horizon is cluster-wide: a transaction open in
   * another database (another test file) holds it back, so "drained" alone can mean "drained up to
   * an older event".
   */
  settle(consumer?: string): Promise<void>;
  /** Waits until every event committed so far is readable (the first half of `settle`). */
  waitForHorizon(): Promise<void>;
  /** `POST /clock-events/import` as a multipart upload: the CSV file and its column mapping. */
  importPunches(token: string, file: string, mapping: Record<string, string>): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export const ADMIN = { email: 'admin@test.example', password: 'admin-password-1' };

export interface TestAppOptions {
  clock?: Clock;
  runConsumers?: boolean;
  database?: Database;
  /** Signs tokens; pass one to craft tokens by hand in a test. */
  secret?: string;
  /** Defaults to a memory store that follows `clock`, so a test can let a window pass. */
  rateLimits?: RateLimitStore;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await openTestDatabase());
  const clock = options.clock ?? systemClock;
  const app = await buildApp({
    config: { logLevel: 'silent' },
    database,
    secret: options.secret ?? randomBytes(32).toString('hex'),
    log: pino({ level: 'silent' }),
    clock: options.clock,
    rateLimits: options.rateLimits ?? memoryRateLimitStore(() => clock.now().getTime()),
    runConsumers: options.runConsumers ?? false,
    checkResponses: true,
  });
  await app.ready();
  await app.workfloor.auth.ensureAdmin(ADMIN.email, ADMIN.password);

  async function call(token: string | undefined, opts: InjectOptions) {
    const headers: Record<string, string> = { ...(opts.headers as Record<string, string> | undefined) };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await app.inject({ ...opts, headers });
    let body: unknown = res.body;
    try {
      body = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      // not JSON (CSV, HTML): keep the text
    }
    return { status: res.statusCode, body: body as any, headers: res.headers };
  }

  async function login(email: string, password: string) {
    const res = await call(undefined, { method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
    if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.accessToken as string;
  }

  async function waitForHorizon() {
    const { events } = app.workfloor;
    const [newest] = await queryRows<{ tx_id: string; seq: number | string }>(
      database.db,
      sql`SELECT tx_id::text AS tx_id, seq FROM events ORDER BY events.tx_id DESC, events.seq DESC LIMIT 1`,
    );
    if (newest) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const head = await events.head();
        const [headTx, newestTx] = [BigInt(head.txId), BigInt(newest.tx_id)];
        if (headTx > newestTx || (headTx === newestTx && head.seq >= Number(newest.seq))) break;
        if (Date.now() > deadline) throw new Error(`the log horizon stayed behind seq ${newest.seq} for 15 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  async function settle(consumer?: string) {
    const { consumers, tail } = app.workfloor;
    await waitForHorizon();
    for (const c of consumers) if (!consumer || c.name === consumer) await c.drain();
    await tail.flush();
  }

  const adminToken = await login(ADMIN.email, ADMIN.password);
  return {
    app,
    wf: app.workfloor,
    database,
    adminToken,
    call,
    login,
    settle,
    waitForHorizon,
    async importPunches(token, file, mapping) {
      const boundary = 'workfloorboundary';
      const body = [
        `--${boundary}`,
        'Content-Disposition: form-data; name="mapping"',
        '',
        JSON.stringify(mapping),
        `--${boundary}`,
        'Content-Disposition: form-data; name="file"; filename="punches.csv"',
        'Content-Type: text/csv',
        '',
        file,
        `--${boundary}--`,
        '',
      ].join('\r\n');
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/clock-events/import',
        headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: body,
      });
      return { status: res.statusCode, body: JSON.parse(res.body) };
    },
    async close() {
      await app.close();
      if (!options.database) await database.close();
    },
  };
}

/** A small organisation: one location, two departments, and a user of every role. */
export async function seedSmallOrg(t: TestApp) {
  const post = async (url: string, payload: object) => {
    const res = await t.call(t.adminToken, { method: 'POST', url: `/api/v1${url}`, payload });
    if (res.status !== 201) throw new Error(`POST ${url}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const location = await post('/locations', { name: 'Leeds DC', timezone: 'Europe/London' });
  const otherLocation = await post('/locations', { name: 'Mumbai Hub', timezone: 'Asia/Kolkata' });
  const packing = await post('/departments', { name: 'Packing', locationId: location.id });
  const picking = await post('/departments', { name: 'Picking', locationId: location.id });
  const mumbaiOps = await post('/departments', { name: 'Operations', locationId: otherLocation.id });
  const employee = await post('/employees', { name: 'Ada Employee', email: 'ada@test.example', departmentId: packing.id, locationId: location.id });
  const colleague = await post('/employees', { name: 'Bo Picker', departmentId: picking.id, locationId: location.id });
  const outsider = await post('/employees', { name: 'Chandra Far', departmentId: mumbaiOps.id, locationId: otherLocation.id });
  const password = 'user-password-1';
  const managerUser = await post('/users', { email: 'manager@test.example', name: 'Mia Manager', password, role: 'manager', departmentIds: [packing.id] });
  const employeeUser = await post('/users', { email: 'ada@test.example', password, role: 'employee', employeeId: employee.id });
  return {
    location, otherLocation, packing, picking, mumbaiOps, employee, colleague, outsider, managerUser, employeeUser,
    managerToken: await t.login('manager@test.example', password),
    employeeToken: await t.login('ada@test.example', password),
    password,
  };
}

export const newId = () => randomUUID();

/** A clock that stands still until a test moves it. */
export function manualClock(start = new Date()) {
  let at = start.getTime();
  return {
    now: () => new Date(at),
    advance(ms: number) {
      at += ms;
    },
  };
}
