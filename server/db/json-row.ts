import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/**
 * Several single-row reads in one statement: each read is a scalar subquery answering its row as
 * `json_build_object(...)` keyed by the table's TypeScript names, and `fromJsonRow` turns it back into
 * the row drizzle would have answered. Used on hot write paths, where every round trip inside a
 * transaction is time a lock is held.
 */
export function jsonRow(table: PgTable): SQL {
  const pairs = Object.entries(getTableColumns(table)).map(([key, column]) => sql`${key}::text, ${column}`);
  return sql`json_build_object(${sql.join(pairs, sql`, `)})`;
}

// JSON renders timestamptz with its offset, and timestamp (like drizzle, read as UTC) without one.
const toDate = (text: string) => new Date(/T.*([Zz]|[+-]\d\d(:?\d\d)?)$/.test(text) || !text.includes('T') ? text : `${text}Z`);

/** The row of `jsonRow(table)`: timestamps back to `Date`, everything else as JSON gave it. */
export function fromJsonRow<T extends PgTable>(table: T, json: unknown): T['$inferSelect'] | undefined {
  if (json === null || json === undefined) return undefined;
  // node-postgres parses json; PGlite too, but a driver may hand back the text.
  const value = (typeof json === 'string' ? JSON.parse(json) : json) as Record<string, unknown>;
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const v = value[key];
    row[key] = v !== null && v !== undefined && column.dataType === 'date' ? toDate(v as string) : v;
  }
  return row as T['$inferSelect'];
}
