import { randomBytes } from 'node:crypto';
import { buildApp } from './app.ts';
import { loadConfigOrExit, pgliteDirOf } from './config.ts';
import { openDatabase } from './db/client.ts';
import { createLogger } from './lib/logger.ts';
import { memoryRateLimitStore, redisRateLimitStore, withFallback, type RateLimitStore } from './lib/rate-limiter.ts';
import { loadOrCreateSecret } from './lib/secret.ts';
import { seedDemoIfEmpty, startSimulator } from './demo/demo.ts';

/** Reads config, builds the app, listens, and closes gracefully on SIGTERM/SIGINT. */
async function main() {
  const config = loadConfigOrExit();
  const log = createLogger(config.logLevel);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: pgliteDirOf(config), log });
  log.info({ database: database.kind }, 'database ready, migrations applied');

  let rateLimits: RateLimitStore = memoryRateLimitStore();
  let closeRedis = async () => {};
  if (config.redisUrl) {
    const { Redis } = await import('ioredis');
    const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: false });
    redis.on('error', (err) => log.warn({ err: err.message }, 'redis unavailable'));
    rateLimits = withFallback(redisRateLimitStore(redis), memoryRateLimitStore(), (err) =>
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'redis unavailable: counting log-in limits in this process'),
    );
    closeRedis = async () => void (await redis.quit().catch(() => undefined));
  }

  const app = await buildApp({
    config,
    database,
    secret: loadOrCreateSecret(config.secret, config.dataDir),
    log,
    rateLimits,
    serveWeb: true,
    // Started below, once demo data (if any) is in, so coverage is built once from the tables.
    runConsumers: false,
  });
  await app.ready();

  if (config.adminEmail && config.adminPassword) {
    if (await app.workfloor.auth.ensureAdmin(config.adminEmail, config.adminPassword)) {
      log.info({ email: config.adminEmail }, 'admin created from ADMIN_EMAIL');
    }
  }
  if (config.demo) await seedDemoIfEmpty(app.workfloor, log);
  if (!(await app.workfloor.auth.adminExists())) {
    const password = randomBytes(12).toString('base64url');
    await app.workfloor.auth.ensureAdmin('admin@workfloor.local', password);
    process.stdout.write(`\nNo admin existed: created admin@workfloor.local with password ${password} (shown once)\n\n`);
  }
  await app.workfloor.startBackground();
  const stopSimulator = config.demo ? startSimulator(app.workfloor, log) : async () => {};

  await app.listen({ port: config.port, host: config.host });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    await stopSimulator();
    await app.close();
    await database.close();
    await closeRedis();
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Workfloor failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
