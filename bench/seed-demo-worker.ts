import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { buildApp } from '../server/app.ts';
import { openDatabase, queryRows } from '../server/db/client.ts';
import { seedDemoIfEmpty } from '../server/demo/demo.ts';
import { memoryRateLimitStore } from '../server/lib/rate-limiter.ts';
import { BENCH_ADMIN } from './lib/workfloor-server.ts';

/**
 * Fills an empty PostgreSQL database with the demo organisation (320 people at 3 locations, their
 * contracts, holidays, requests and four weeks of punches), through the services as `main.ts` does:
 * the bench admin first as the bootstrap admin (ADMIN_EMAIL), then the demo generator. Consumers are
 * not started, so the coverage table stays empty and the server under test builds it at start-up,
 * as a real first start does. Prints one JSON line with the row counts and the time taken.
 *
 * Env: BENCH_DATABASE (a PostgreSQL URL).
 */
const databaseUrl = process.env.BENCH_DATABASE;
if (!databaseUrl) throw new Error('BENCH_DATABASE is required');

const log = pino({ level: 'silent' });
const database = await openDatabase({ databaseUrl, log });
const app = await buildApp({
  config: { logLevel: 'silent' },
  database,
  secret: randomBytes(32).toString('hex'),
  log,
  rateLimits: memoryRateLimitStore(),
  runConsumers: false,
});
await app.ready();
const started = performance.now();
await app.workfloor.auth.ensureAdmin(BENCH_ADMIN.email, BENCH_ADMIN.password);
const result = await seedDemoIfEmpty(app.workfloor, log, { output: null });
if (!result.created) throw new Error('the database was not empty: the demo was not generated');
const [counts] = await queryRows<Record<string, number>>(
  database.db,
  sql`SELECT (SELECT count(*)::int FROM employees) AS employees, (SELECT count(*)::int FROM locations) AS locations,
             (SELECT count(*)::int FROM contracts) AS contracts, (SELECT count(*)::int FROM adjustments) AS adjustments,
             (SELECT count(*)::int FROM punches) AS punches, (SELECT count(*)::int FROM work_shifts) AS work_shifts,
             (SELECT count(*)::int FROM events) AS events`,
);
const seconds = (performance.now() - started) / 1000;
await app.close();
await database.close();
process.stdout.write(`${JSON.stringify({ seconds, ...counts })}\n`);
process.exit(0);
