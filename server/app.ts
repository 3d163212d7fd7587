import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import { createConsumer, type Consumer } from './events/consumer.ts';
import { createEventLog, type EventLog } from './events/event-log.ts';
import { createLogTail, type LogTail } from './events/log-tail.ts';
import { auditRoutes } from './features/audit/audit.routes.ts';
import { createAuditService } from './features/audit/audit.service.ts';
import { authRoutes } from './features/auth/auth.routes.ts';
import { createAuthService, type AuthService } from './features/auth/auth.service.ts';
import { orgHeadcountConsumer } from './features/org/org-headcount.consumer.ts';
import { orgRoutes } from './features/org/org.routes.ts';
import { createOrgService, type OrgService } from './features/org/org.service.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import { memoryRateLimitStore, type RateLimitStore } from './lib/rate-limiter.ts';
import { authPlugin } from './plugins/auth.ts';
import { errorsPlugin } from './plugins/errors.ts';
import { createMetrics, metricsPlugin, type Metrics } from './plugins/metrics.ts';
import { openapiPlugin } from './plugins/openapi.ts';
import { operationsPlugin } from './plugins/operations.ts';
import { webPlugin } from './plugins/web.ts';
import { responseSerializerCompiler } from './plugins/response-serializer.ts';
import { securityHeadersPlugin } from './plugins/security-headers.ts';
import { createRealtime, type Realtime } from './realtime/realtime.ts';
import { scheduleRoutes } from './features/schedule/schedule.routes.ts';
import { createScheduleService, type ScheduleService } from './features/schedule/schedule.service.ts';
import { timeclockRoutes } from './features/timeclock/timeclock.routes.ts';
import { createTimeclockService, type TimeclockService } from './features/timeclock/timeclock.service.ts';
import { coverageRoutes } from './features/coverage/coverage.routes.ts';
import { createCoverageService, type CoverageService } from './features/coverage/coverage.service.ts';

export const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/web');

export interface AppDeps {
  /** `timeclock` defaults to the built-in rules (72 h late window, 16 h missed clock-out, 5 min grace). */
  config: Pick<Config, 'logLevel'> & Partial<Pick<Config, 'timeclock'>>;
  database: Database;
  secret: string;
  log: Logger;
  clock?: Clock;
  rateLimits?: RateLimitStore;
  /** Start log consumers when ready (main.ts and tests start them by hand: `workfloor.startBackground()`). */
  runConsumers?: boolean;
  /** Serve the built web app from dist/web when present. */
  serveWeb?: boolean;
  /** Check every response against its zod schema before sending it (the tests do; see response-serializer.ts). */
  checkResponses?: boolean;
}

/** What the running app holds, for main.ts, the demo generator and tests. */
export interface Workfloor {
  database: Database;
  events: EventLog;
  tail: LogTail;
  consumers: Consumer[];
  realtime: Realtime;
  metrics: Metrics;
  clock: Clock;
  auth: AuthService;
  org: OrgService;
  schedule: ScheduleService;
  timeclock: TimeclockService;
  coverage: CoverageService;
  /** Consumers and tickers; main.ts starts them after the demo data is in. */
  startBackground(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    workfloor: Workfloor;
  }
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { database, log } = deps;
  const db = database.db;
  const clock = deps.clock ?? systemClock;

  const app = Fastify({
    loggerInstance: log,
    bodyLimit: 1024 * 1024,
    // Start-up work (migrations, caches) can be slow on a busy machine; fail only when it is stuck.
    pluginTimeout: 60_000,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    requestIdHeader: 'x-request-id',
    // Two log lines per request cost more than the request at info level; at debug they are back.
    // Failures are logged by the error handler, and slow requests by the hook below.
    logController: new LogController({ disableRequestLogging: !['debug', 'trace'].includes(deps.config.logLevel) }),
    routerOptions: { maxParamLength: 200 },
  }).withTypeProvider<ZodTypeProvider>();
  // The API speaks JSON only: a text/plain body (which a cross-site form can send without a
  // preflight) is refused with 415 rather than parsed into a string.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializerCompiler({ checkWithZod: deps.checkResponses ?? false }));

  const metrics = createMetrics();
  const events = createEventLog({ db });
  events.onCommit((n) => metrics.eventsAppended.inc(n));
  const tail = createLogTail({ events, log: log.child({ module: 'log-tail' }) });
  // The injected clock drives the rate-limit windows too, so tests can let a window pass.
  const rateLimits = deps.rateLimits ?? memoryRateLimitStore(() => clock.now().getTime());
  const auth = createAuthService({
    db,
    events,
    clock,
    secret: deps.secret,
    log: log.child({ module: 'auth' }),
    rateLimits,
  });
  const org = createOrgService({ db, events, auth, log: log.child({ module: 'org' }) });
  const audit = createAuditService({ db });
  const schedule = createScheduleService({ db, events, clock, log: log.child({ module: 'schedule' }) });
  const clockRules = deps.config.timeclock;
  const timeclock = createTimeclockService({ db, events, clock, schedule, rateLimits, log: log.child({ module: 'timeclock' }), options: clockRules });
  const coverage = createCoverageService({ db, events, clock, schedule, log: log.child({ module: 'coverage' }), missedClockOutMs: clockRules?.missedClockOutMs });
  const consumers = [orgHeadcountConsumer, coverage.consumer].map((definition) =>
    createConsumer(definition, { db, events, log: log.child({ consumer: definition.name }) }),
  );
  tail.subscribe((batch) => auth.applyEvents(batch));
  tail.subscribe((batch) => org.applyEvents(batch));

  await app.register(errorsPlugin);
  await app.register(securityHeadersPlugin);
  await app.register(cookie);
  await app.register(metricsPlugin, { metrics });
  await app.register(openapiPlugin);
  await app.register(authPlugin, { auth });
  await app.register(operationsPlugin, { database, metrics, consumers });

  await app.register(
    async (api) => {
      await api.register(authRoutes, { auth });
      await api.register(orgRoutes, { org });
      await api.register(auditRoutes, { audit });
      await api.register(scheduleRoutes, { schedule });
      await api.register(timeclockRoutes, { timeclock });
      await api.register(coverageRoutes, { coverage });
    },
    { prefix: '/api/v1' },
  );
  if (deps.serveWeb) await app.register(webPlugin, { root: webRoot });

  const realtime = createRealtime({
    httpServer: app.server,
    auth,
    events,
    tail,
    log: log.child({ module: 'realtime' }),
    onSocketCount: (n) => metrics.openSockets.set(n),
  });

  let coverageTicker: NodeJS.Timeout | undefined;
  let backgroundStarted = false;
  /**
   * Starts the log consumers and the coverage ticker. An empty coverage table (first start, or after
   * the demo was generated) is rebuilt from the raw tables once, which moves its consumer to the log's
   * head, instead of replaying thousands of historical events one batch at a time. Otherwise coverage
   * catches up with the time no process was running: the hours that passed, the days that came in reach.
   */
  async function startBackground() {
    if (backgroundStarted) return;
    backgroundStarted = true;
    if (await coverage.isEmpty()) await coverage.rebuild();
    else await coverage.catchUp();
    for (const c of consumers) c.start();
    // Staffed headcount of the hour in progress changes as time passes, without any event, and the
    // window's far edge moves with the clock.
    coverageTicker = setInterval(() => {
      coverage.tick().catch((err: unknown) => log.warn({ err }, 'coverage tick failed'));
    }, 60_000);
    coverageTicker.unref();
  }

  app.decorate('workfloor', { database, events, tail, consumers, realtime, metrics, clock, auth, org, schedule, timeclock, coverage, startBackground });

  app.addHook('onReady', async () => {
    await auth.loadRevokedSessions();
    await tail.start();
    // Not awaited: a first coverage rebuild on a large database must not hold up start-up.
    if (deps.runConsumers !== false) startBackground().catch((err: unknown) => log.error({ err }, 'background work failed to start'));
  });
  app.addHook('preClose', async () => {
    realtime.close();
  });
  app.addHook('onClose', async () => {
    clearInterval(coverageTicker);
    await Promise.all(consumers.map((c) => c.stop()));
    await tail.stop();
  });

  return app as unknown as FastifyInstance;
}
