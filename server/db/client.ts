import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Query, type SQL } from 'drizzle-orm';
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Logger } from 'pino';
import * as schema from './schema.ts';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle; repositories take `Db | Tx` so they work inside or outside one. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

/** Rows of a raw `db.execute(sql...)`: both drivers answer `{ rows }`. */
export async function queryRows<T>(executor: DbOrTx, query: SQL): Promise<T[]> {
  const result = (await executor.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

const dialect = new PgDialect();

export interface CompiledQueryOptions {
  /**
   * On PostgreSQL, a server-side prepared statement of this name (once per connection): it is parsed
   * and planned once instead of on every call, where planning cost the punch path's two statements
   * more than running them. Only for statements whose plan does not depend on the values (lookups by
   * key), since PostgreSQL may settle on one generic plan for all calls. PGlite ignores it.
   */
  prepareAs?: string;
}

/**
 * A statement on a hot path (every punch, every log read) whose SQL text is built once: drizzle
 * otherwise rebuilds the text from the query's parts on every call, which profiling showed to be about
 * a fifth of a punch's CPU. `build` writes the statement with `sql.placeholder(name)` where values go;
 * each call fills them and runs it through the executor's own session (same driver, same type
 * parsing as `queryRows`), inside its transaction when given one.
 */
export function compiledQuery<Values extends Record<string, unknown>, Row>(build: () => SQL, options: CompiledQueryOptions = {}) {
  let query: Query | undefined;
  return async (executor: DbOrTx, values: Values): Promise<Row[]> => {
    query ??= dialect.sqlToQuery(build());
    const result = (await executor._.session.prepareQuery(query, undefined, options.prepareAs, false).execute(values)) as unknown as { rows: Row[] };
    return result.rows;
  };
}

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Throws when the database cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

// Arbitrary constant: serialises migrations when several processes start against one PostgreSQL.
const MIGRATION_LOCK_KEY = 727_001;

export interface OpenDatabaseOptions {
  databaseUrl?: string | undefined;
  /** Directory for the embedded database; `undefined` keeps PGlite in memory (tests). */
  pgliteDir?: string | undefined;
  log: Logger;
  poolSize?: number;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openPglite(options);
}

async function openPostgres(url: string, { log, poolSize = 20 }: OpenDatabaseOptions): Promise<Database> {
  const pg = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  // int8 (bigint) as JS number: sequence numbers stay far below 2^53.
  pg.default.types.setTypeParser(20, (v: string) => Number(v));
  const pool = new pg.default.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // A connection dropped while idle (database restarted) must not crash the process; the pool reconnects.
  pool.on('error', (err) => log.warn({ err: err.message }, 'idle database connection lost'));
  // The pool listens for errors only on idle clients. A connection lost while checked out (a transaction
  // between two statements) emits 'error' on the client; unheard, that would crash the process. The
  // transaction's next statement fails (DATABASE_UNAVAILABLE) and the pool discards the client.
  pool.on('connect', (client) => {
    client.on('error', (err) => log.warn({ err: err.message }, 'database connection lost during use'));
  });

  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle({ client, schema }), { migrationsFolder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
  const db = drizzle({ client: pool, schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
  };
}

async function openPglite({ pgliteDir }: OpenDatabaseOptions): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  if (pgliteDir) fs.mkdirSync(pgliteDir, { recursive: true });
  const client = await PGlite.create(pgliteDir ?? undefined);
  const db = drizzle({ client, schema }) as unknown as Db;
  await migrate(db as never, { migrationsFolder });
  return {
    db,
    kind: 'pglite',
    async ping() {
      await db.execute(sql`SELECT 1`);
    },
    async close() {
      await client.close();
    },
  };
}
