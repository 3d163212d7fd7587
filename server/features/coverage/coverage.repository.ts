import { and, asc, eq, gt, gte, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import { coverageHourly, demandOverrides, demandWeekly, employees, locations, workShifts } from '../../db/schema.ts';
import type { CoverageHour, Demand } from './coverage-engine.ts';

export type CoverageRow = typeof coverageHourly.$inferSelect;

export const findLocations = (db: DbOrTx) => db.select({ id: locations.id, name: locations.name, timezone: locations.timezone }).from(locations).where(eq(locations.active, true));

export async function findDemand(db: DbOrTx, locationId: string): Promise<Demand> {
  const weekly = await db.select().from(demandWeekly).where(eq(demandWeekly.locationId, locationId));
  const overrides = await db.select().from(demandOverrides).where(eq(demandOverrides.locationId, locationId));
  return {
    weekly: new Map(weekly.map((w) => [`${w.weekday}|${w.hour}`, w.required])),
    overrides: new Map(overrides.map((o) => [`${o.date}|${o.hour}`, o.required])),
  };
}

/** Worked shifts at a location overlapping [from, to); open ones run until now. */
export function findWorkShifts(db: DbOrTx, locationId: string, from: Date, to: Date) {
  return db
    .select({ employeeId: workShifts.employeeId, clockInAt: workShifts.clockInAt, clockOutAt: workShifts.clockOutAt, breaks: workShifts.breaks })
    .from(workShifts)
    .where(and(eq(workShifts.locationId, locationId), lt(workShifts.clockInAt, to), or(isNull(workShifts.clockOutAt), gt(workShifts.clockOutAt, from))));
}

export function findOpenShifts(db: DbOrTx, locationIds: string[]) {
  return db
    .select({ employeeId: workShifts.employeeId, locationId: workShifts.locationId, clockInAt: workShifts.clockInAt, name: employees.name })
    .from(workShifts)
    .innerJoin(employees, eq(employees.id, workShifts.employeeId))
    .where(and(isNull(workShifts.clockOutAt), inArray(workShifts.locationId, locationIds.length ? locationIds : ['00000000-0000-0000-0000-000000000000'])));
}

export function findRows(db: DbOrTx, locationId: string, from: Date, to: Date) {
  return db
    .select()
    .from(coverageHourly)
    .where(and(eq(coverageHourly.locationId, locationId), gte(coverageHourly.hourEnd, new Date(from.getTime() + 1)), lt(coverageHourly.hourStart, to)))
    .orderBy(asc(coverageHourly.hourStart));
}

export async function countRows(db: DbOrTx): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(coverageHourly);
  return Number(row?.n ?? 0);
}

export async function upsertRows(db: DbOrTx, locationId: string, hours: CoverageHour[], computedAt: Date) {
  for (let i = 0; i < hours.length; i += 500) {
    const chunk = hours.slice(i, i + 500);
    await db
      .insert(coverageHourly)
      .values(
        chunk.map((h) => ({
          locationId,
          hourStart: new Date(h.hourStartMs),
          hourEnd: new Date(h.hourEndMs),
          localDate: h.localDate,
          localHour: h.localHour,
          required: h.required,
          scheduled: h.scheduled,
          staffed: h.staffed,
          minStaffed: h.minStaffed,
          shortMinutes: h.shortMinutes,
          status: h.status,
          computedAt,
        })),
      )
      .onConflictDoUpdate({
        target: [coverageHourly.locationId, coverageHourly.hourStart],
        set: {
          hourEnd: sql`excluded.hour_end`,
          localDate: sql`excluded.local_date`,
          localHour: sql`excluded.local_hour`,
          required: sql`excluded.required`,
          scheduled: sql`excluded.scheduled`,
          staffed: sql`excluded.staffed`,
          minStaffed: sql`excluded.min_staffed`,
          shortMinutes: sql`excluded.short_minutes`,
          status: sql`excluded.status`,
          computedAt: sql`excluded.computed_at`,
        },
      });
  }
}

export const findEmployeesAt = (db: DbOrTx, locationId: string) =>
  db.select({ id: employees.id, name: employees.name, departmentId: employees.departmentId }).from(employees).where(and(eq(employees.locationId, locationId), eq(employees.active, true)));
