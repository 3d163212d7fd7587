import { z } from 'zod';
import path from 'node:path';

/**
 * The only reader of process.env. Validates at boot and fails with one clear line per bad value.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  DEMO: bool.optional(),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Time clock: how late an offline punch may arrive, when an open shift is a missed clock-out, and
  // how long after a scheduled start someone shows as late.
  CLOCK_LATE_WINDOW_HOURS: z.coerce.number().positive('must be a positive number of hours').max(24 * 60, 'must be at most 1440 hours (60 days)').default(72),
  MISSED_CLOCK_OUT_HOURS: z.coerce.number().positive('must be a positive number of hours').max(72, 'must be at most 72 hours').default(16),
  LATE_GRACE_MINUTES: z.coerce.number().min(0, 'must not be negative').max(240, 'must be at most 240 minutes').default(5),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  secret: string | undefined;
  demo: boolean;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** Time-clock rules, in milliseconds; the coverage alerts use the same missed clock-out limit. */
  timeclock: { lateWindowMs: number; missedClockOutMs: number; lateGraceMs: number };
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "unset", as in most shells' `VAR= cmd` idiom.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if ((e.ADMIN_EMAIL === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError('Invalid configuration:\n  ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    secret: e.SECRET,
    // Demo data by default only on the embedded database: never seed a real PostgreSQL unasked.
    demo: e.DEMO ?? e.DATABASE_URL === undefined,
    adminEmail: e.ADMIN_EMAIL,
    adminPassword: e.ADMIN_PASSWORD,
    logLevel: e.LOG_LEVEL,
    timeclock: {
      lateWindowMs: Math.round(e.CLOCK_LATE_WINDOW_HOURS * 3_600_000),
      missedClockOutMs: Math.round(e.MISSED_CLOCK_OUT_HOURS * 3_600_000),
      lateGraceMs: Math.round(e.LATE_GRACE_MINUTES * 60_000),
    },
  };
}

/** For a process's entry point: the config, or one line per problem on stderr and exit code 2. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
}

/** Where the embedded database lives, or undefined when DATABASE_URL names a PostgreSQL server. */
export const pgliteDirOf = (config: Pick<Config, 'databaseUrl' | 'dataDir'>) =>
  config.databaseUrl ? undefined : path.join(config.dataDir, 'pglite');
