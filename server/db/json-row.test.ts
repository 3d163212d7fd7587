import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../testing/test-app.ts';
import { queryRows, type Database } from './client.ts';
import { fromJsonRow, jsonRow } from './json-row.ts';
import { locations, timesheetLocks } from './schema.ts';

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

describe('rows read as JSON', () => {
  it('come back equal to what drizzle reads: timestamps as Date to the millisecond, dates as text, booleans, nulls', async () => {
    const { db } = database;
    const [location] = await db
      .insert(locations)
      .values({ name: 'Leeds', timezone: 'Europe/London', active: false, createdAt: new Date('2026-03-29T00:59:59.123Z') })
      .returning();
    await db.insert(timesheetLocks).values({ locationId: location!.id, from: '2026-03-01', to: '2026-03-31', lockedBy: null });

    for (const table of [locations, timesheetLocks]) {
      const [row] = await queryRows<{ j: unknown }>(db, sql`SELECT ${jsonRow(table)} AS j FROM ${table}`);
      const [expected] = await db.select().from(table as typeof locations);
      expect(fromJsonRow(table, row!.j)).toEqual(expected);
    }
    const [read] = await db.select().from(locations).where(eq(locations.id, location!.id));
    expect(read!.createdAt.toISOString()).toBe('2026-03-29T00:59:59.123Z');
    expect(fromJsonRow(locations, null)).toBeUndefined();
  });
});
