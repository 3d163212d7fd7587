// `npm run coverage:rebuild`: recomputes every location's coverage window from the raw tables (punches,
// schedule, demand) against the configured database, moves the coverage consumer's offset to the log
// head it covered, and exits. Safe to run at any time against PostgreSQL (it waits for the coverage
// consumer's lock, so it never overwrites fresher rows); the embedded database takes one process, so
// there the server must be stopped first.
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../server/config.ts';
import { openDatabase } from '../server/db/client.ts';
import { createEventLog } from '../server/events/event-log.ts';
import { createCoverageService } from '../server/features/coverage/coverage.service.ts';
import { createScheduleService } from '../server/features/schedule/schedule.service.ts';
import { systemClock } from '../server/lib/clock.ts';
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
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const pgliteDir = config.databaseUrl ? undefined : path.join(config.dataDir, 'pglite');
  if (pgliteDir && (await serverAnswers(config))) {
    process.stderr.write(`A Workfloor server answers on ${config.host}:${config.port}. The embedded database in ${pgliteDir} takes one process: stop the server, then run the rebuild.\n`);
    process.exit(3);
  }
  const log = createLogger(config.logLevel);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir, log });
  try {
    const db = database.db;
    const events = createEventLog({ db });
    const schedule = createScheduleService({ db, events, clock: systemClock, log: log.child({ module: 'schedule' }) });
    const coverage = createCoverageService({
      db,
      events,
      clock: systemClock,
      schedule,
      log: log.child({ module: 'coverage' }),
      // The same missed clock-out limit as the server, or staffed hours of open shifts would differ.
      missedClockOutMs: config.timeclock?.missedClockOutMs,
    });
    const started = Date.now();
    const result = await coverage.rebuild();
    process.stdout.write(
      `Coverage rebuilt on ${database.kind}: ${result.hours} hours changed at ${result.locations} locations in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  } finally {
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
