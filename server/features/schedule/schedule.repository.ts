import { and, asc, desc, eq, gte, inArray, isNull, lt, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import {
  adjustments,
  calendarTokens,
  contracts,
  departments,
  demandOverrides,
  demandWeekly,
  employees,
  holidays,
  labourRules,
  locations,
} from '../../db/schema.ts';

export type ContractRow = typeof contracts.$inferSelect;
export type AdjustmentRow = typeof adjustments.$inferSelect;
export type AdjustmentWithEmployee = AdjustmentRow & { employeeName: string; departmentId: string; employeeLocationId: string };

/** Serialises writes that concern one employee's schedule (contracts, approvals) across processes. */
export async function lockEmployeeSchedule(tx: DbOrTx, employeeId: string) {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`schedule:${employeeId}`}))`);
}

// ---- employees and locations (read-only views this feature needs) ----
export interface EmployeeFilter {
  ids?: string[] | undefined;
  locationId?: string | undefined;
  departmentId?: string | undefined;
  within?: { departmentIds: string[]; locationIds: string[] } | undefined;
}
export function findEmployees(db: DbOrTx, f: EmployeeFilter) {
  return db
    .select({ id: employees.id, name: employees.name, locationId: employees.locationId, departmentId: employees.departmentId })
    .from(employees)
    .where(
      and(
        eq(employees.active, true),
        f.ids ? inArray(employees.id, f.ids.length ? f.ids : ['00000000-0000-0000-0000-000000000000']) : undefined,
        f.locationId ? eq(employees.locationId, f.locationId) : undefined,
        f.departmentId ? eq(employees.departmentId, f.departmentId) : undefined,
        f.within
          ? or(
              f.within.departmentIds.length ? inArray(employees.departmentId, f.within.departmentIds) : sql`false`,
              f.within.locationIds.length ? inArray(employees.locationId, f.within.locationIds) : sql`false`,
            )
          : undefined,
      ),
    )
    .orderBy(asc(employees.name), asc(employees.id));
}
/** Active people other than `employeeId` who work in the department or at the location given; the department's first. */
export function findSwapCandidates(db: DbOrTx, f: { employeeId: string; departmentId: string; locationId: string }) {
  return db
    .select({ id: employees.id, name: employees.name, departmentId: employees.departmentId, departmentName: departments.name })
    .from(employees)
    .innerJoin(departments, eq(departments.id, employees.departmentId))
    .where(
      and(
        eq(employees.active, true),
        ne(employees.id, f.employeeId),
        or(eq(employees.departmentId, f.departmentId), eq(employees.locationId, f.locationId)),
      ),
    )
    .orderBy(sql`${employees.departmentId} <> ${f.departmentId}`, asc(employees.name), asc(employees.id));
}
export const findEmployeeById = (db: DbOrTx, id: string) =>
  db.query.employees.findFirst({ where: eq(employees.id, id), columns: { id: true, name: true, locationId: true, departmentId: true, active: true } });
export const findLocations = (db: DbOrTx) => db.select({ id: locations.id, name: locations.name, timezone: locations.timezone }).from(locations);
export const findLocationById = (db: DbOrTx, id: string) => db.query.locations.findFirst({ where: eq(locations.id, id) });

// ---- contracts ----
export function findContractsOverlapping(db: DbOrTx, employeeIds: string[], from: string, to: string) {
  if (employeeIds.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(contracts)
    .where(
      and(
        inArray(contracts.employeeId, employeeIds),
        lte(contracts.effectiveFrom, to),
        or(isNull(contracts.effectiveTo), gte(contracts.effectiveTo, from)),
      ),
    );
}
export const findContractsOfEmployee = (db: DbOrTx, employeeId: string) =>
  db.select().from(contracts).where(eq(contracts.employeeId, employeeId)).orderBy(asc(contracts.effectiveFrom));
export const insertContract = (db: DbOrTx, values: typeof contracts.$inferInsert) =>
  db.insert(contracts).values(values).returning().then((r) => r[0]!);
export const setContractEnd = (db: DbOrTx, id: string, effectiveTo: string) =>
  db.update(contracts).set({ effectiveTo }).where(eq(contracts.id, id));
export const setContractStart = (db: DbOrTx, id: string, effectiveFrom: string) =>
  db.update(contracts).set({ effectiveFrom }).where(eq(contracts.id, id));
export const deleteContract = (db: DbOrTx, id: string) => db.delete(contracts).where(eq(contracts.id, id));

// ---- holidays ----
export function findHolidays(db: DbOrTx, f: { locationIds?: string[] | undefined; from?: string | undefined; to?: string | undefined }) {
  return db
    .select()
    .from(holidays)
    .where(
      and(
        f.locationIds ? inArray(holidays.locationId, f.locationIds.length ? f.locationIds : ['00000000-0000-0000-0000-000000000000']) : undefined,
        f.from ? gte(holidays.date, f.from) : undefined,
        f.to ? lte(holidays.date, f.to) : undefined,
      ),
    )
    .orderBy(asc(holidays.date));
}
export const insertHoliday = (db: DbOrTx, values: typeof holidays.$inferInsert) =>
  db.insert(holidays).values(values).onConflictDoNothing().returning().then((r) => r[0]);
export const findHolidayById = (db: DbOrTx, id: string) => db.query.holidays.findFirst({ where: eq(holidays.id, id) });
export const deleteHoliday = (db: DbOrTx, id: string) => db.delete(holidays).where(eq(holidays.id, id)).returning().then((r) => r[0]);

// ---- adjustments ----
const adjustmentWithEmployee = {
  adjustment: adjustments,
  employeeName: employees.name,
  departmentId: employees.departmentId,
  employeeLocationId: employees.locationId,
};
const flatten = (r: { adjustment: AdjustmentRow; employeeName: string; departmentId: string; employeeLocationId: string }): AdjustmentWithEmployee => ({
  ...r.adjustment,
  employeeName: r.employeeName,
  departmentId: r.departmentId,
  employeeLocationId: r.employeeLocationId,
});

export const insertAdjustment = (db: DbOrTx, values: typeof adjustments.$inferInsert) =>
  db.insert(adjustments).values(values).returning().then((r) => r[0]!);

export async function findAdjustmentById(db: DbOrTx, id: string): Promise<AdjustmentWithEmployee | undefined> {
  const [row] = await db.select(adjustmentWithEmployee).from(adjustments).innerJoin(employees, eq(employees.id, adjustments.employeeId)).where(eq(adjustments.id, id));
  return row ? flatten(row) : undefined;
}

export interface AdjustmentFilter {
  status?: AdjustmentRow['status'] | undefined;
  employeeId?: string | undefined;
  departmentId?: string | undefined;
  locationId?: string | undefined;
  within?: { departmentIds: string[]; locationIds: string[] } | undefined;
  /** An employee sees requests about them, for them as swap counterpart, or made by them. */
  involving?: { employeeId: string | null; userId: string } | undefined;
  beforeNumber?: number | undefined;
  limit: number;
}
export async function findAdjustments(db: DbOrTx, f: AdjustmentFilter) {
  const conditions: (SQL | undefined)[] = [
    f.status ? eq(adjustments.status, f.status) : undefined,
    f.employeeId ? or(eq(adjustments.employeeId, f.employeeId), eq(adjustments.counterpartEmployeeId, f.employeeId)) : undefined,
    f.departmentId ? eq(employees.departmentId, f.departmentId) : undefined,
    f.locationId ? or(eq(employees.locationId, f.locationId), eq(adjustments.locationId, f.locationId)) : undefined,
    f.within
      ? or(
          f.within.departmentIds.length ? inArray(employees.departmentId, f.within.departmentIds) : sql`false`,
          f.within.locationIds.length ? inArray(employees.locationId, f.within.locationIds) : sql`false`,
        )
      : undefined,
    f.involving
      ? or(
          f.involving.employeeId ? eq(adjustments.employeeId, f.involving.employeeId) : sql`false`,
          f.involving.employeeId ? eq(adjustments.counterpartEmployeeId, f.involving.employeeId) : sql`false`,
          eq(adjustments.requestedBy, f.involving.userId),
        )
      : undefined,
    f.beforeNumber !== undefined ? lt(adjustments.number, f.beforeNumber) : undefined,
  ];
  const rows = await db
    .select(adjustmentWithEmployee)
    .from(adjustments)
    .innerJoin(employees, eq(employees.id, adjustments.employeeId))
    .where(and(...conditions))
    .orderBy(desc(adjustments.number))
    .limit(f.limit + 1);
  return rows.map(flatten);
}

/** Approved adjustments touching these employees (as subject or swap counterpart) within [fromMs, toMs). */
export function findApprovedAdjustments(db: DbOrTx, employeeIds: string[], from: Date, to: Date) {
  if (employeeIds.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(adjustments)
    .where(
      and(
        eq(adjustments.status, 'approved'),
        or(inArray(adjustments.employeeId, employeeIds), inArray(adjustments.counterpartEmployeeId, employeeIds)),
        lt(adjustments.start, to),
        sql`${adjustments.end} > ${from}`,
      ),
    );
}

/** Moves an adjustment from one of `from` statuses; answers nothing when someone else moved it first. */
export async function transitionAdjustment(
  db: DbOrTx,
  id: string,
  from: AdjustmentRow['status'][],
  set: Partial<typeof adjustments.$inferInsert>,
) {
  const [row] = await db
    .update(adjustments)
    .set(set)
    .where(and(eq(adjustments.id, id), inArray(adjustments.status, from)))
    .returning();
  return row;
}
export const markCounterpartAccepted = (db: DbOrTx, id: string, at: Date) =>
  db
    .update(adjustments)
    .set({ counterpartAcceptedAt: at })
    .where(and(eq(adjustments.id, id), eq(adjustments.status, 'pending'), isNull(adjustments.counterpartAcceptedAt)))
    .returning()
    .then((r) => r[0]);

// ---- labour rules ----
export const findLabourRules = (db: DbOrTx) => db.select().from(labourRules);
export const upsertLabourRules = (db: DbOrTx, values: typeof labourRules.$inferInsert) =>
  db
    .insert(labourRules)
    .values(values)
    .onConflictDoUpdate({ target: labourRules.locationId, set: { ...values, updatedAt: new Date() } })
    .returning()
    .then((r) => r[0]!);

// ---- demand ----
export async function findDemand(db: DbOrTx, locationId: string) {
  const weekly = await db
    .select({ weekday: demandWeekly.weekday, hour: demandWeekly.hour, required: demandWeekly.required })
    .from(demandWeekly)
    .where(eq(demandWeekly.locationId, locationId))
    .orderBy(asc(demandWeekly.weekday), asc(demandWeekly.hour));
  const overrides = await db
    .select({ date: demandOverrides.date, hour: demandOverrides.hour, required: demandOverrides.required })
    .from(demandOverrides)
    .where(eq(demandOverrides.locationId, locationId))
    .orderBy(asc(demandOverrides.date), asc(demandOverrides.hour));
  return { weekly, overrides };
}
export async function replaceDemand(
  db: DbOrTx,
  locationId: string,
  weekly: { weekday: number; hour: number; required: number }[],
  overrides: { date: string; hour: number; required: number }[],
) {
  await db.delete(demandWeekly).where(eq(demandWeekly.locationId, locationId));
  await db.delete(demandOverrides).where(eq(demandOverrides.locationId, locationId));
  if (weekly.length) await db.insert(demandWeekly).values(weekly.map((w) => ({ ...w, locationId })));
  if (overrides.length) await db.insert(demandOverrides).values(overrides.map((o) => ({ ...o, locationId })));
}

// ---- calendar tokens ----
export const findCalendarToken = (db: DbOrTx, employeeId: string) =>
  db.query.calendarTokens.findFirst({ where: eq(calendarTokens.employeeId, employeeId) });
export const upsertCalendarToken = (db: DbOrTx, employeeId: string, token: string) =>
  db
    .insert(calendarTokens)
    .values({ employeeId, token })
    .onConflictDoUpdate({ target: calendarTokens.employeeId, set: { token, rotatedAt: new Date() } })
    .returning()
    .then((r) => r[0]!);
