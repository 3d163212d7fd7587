// `npm run coverage:rebuild`: recomputes every location's coverage window from the raw tables (punches,
// schedule, demand) against the configured database, moves the coverage consumer's offset to the log
// head it covered, and exits. Safe to run at any time against PostgreSQL (it waits for the coverage
// consumer's lock, so it never overwrites fresher rows); the embedded database takes one process, so
// there the server must be stopped first.
import { randomBytes } from 'node:crypto';
import { buildApp } from '../server/app.ts';
import { loadConfigOrExit, pgliteDirOf, type Config } from '../server/config.ts';
import { openDatabase } from '../server/db/client.ts';
import { createLogger } from '../server/lib/logger.ts';

/** Whether something answers Workfloor's liveness probe on the configured address. */
async function serverAnswers(config: Config): Promise<boolean> {
  try {
    const res = await fetch(`http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}/healthz`, { signal: AbortSignal.timeout(1_000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function main() {
  const config = loadConfigOrExit();
  const pgliteDir = pgliteDirOf(config);
  if (pgliteDir && (await serverAnswers(config))) {
    process.stderr.write(`A Workfloor server answers on ${config.host}:${config.port}. The embedded database in ${pgliteDir} takes one process: stop the server, then run the rebuild.\n`);
    process.exit(3);
  }
  const log = createLogger(config.logLevel);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir, log });
  // The server's own wiring (same clock rules, same schedule service), without listening or starting
  // consumers: the rebuild is the only work. No token is issued, so a throwaway secret will do.
  const app = await buildApp({ config, database, secret: randomBytes(32).toString('hex'), log, runConsumers: false });
  try {
    const started = Date.now();
    const result = await app.workfloor.coverage.rebuild();
    process.stdout.write(
      `Coverage rebuilt on ${database.kind}: ${result.hours} hours changed at ${result.locations} locations in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  } finally {
    await app.close();
    await database.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`Coverage rebuild failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
