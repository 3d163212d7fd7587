import { and, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../db/client.ts';
import { departments, employees, locations, orgHeadcount, users } from '../../db/schema.ts';
import { rowWithEvent } from '../../events/event-log.ts';

export type LocationRow = typeof locations.$inferSelect;
export type DepartmentRow = typeof departments.$inferSelect;
export type EmployeeRow = typeof employees.$inferSelect;
export type UserRow = typeof users.$inferSelect;

/** Filters shared by every list: keyset position on (name, id), search text, inactive rows. */
export interface ListFilter {
  limit: number;
  after?: (string | number)[] | undefined;
  q?: string | undefined;
  includeInactive?: boolean;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function listConditions(
  table: { name: AnyPgColumn; id: AnyPgColumn; active: AnyPgColumn },
  filter: ListFilter,
  searchColumns: AnyPgColumn[],
): (SQL | undefined)[] {
  const pattern = filter.q ? `%${escapeLike(filter.q)}%` : undefined;
  return [
    filter.includeInactive ? undefined : eq(table.active, true),
    pattern ? or(...searchColumns.map((c) => ilike(c, pattern))) : undefined,
    filter.after ? sql`(${table.name}, ${table.id}) > (${filter.after[0]}, ${filter.after[1]}::uuid)` : undefined,
  ];
}

// Locations
export function findLocations(db: DbOrTx, filter: ListFilter & { ids?: string[] | undefined }) {
  return db
    .select()
    .from(locations)
    .where(and(...listConditions(locations, filter, [locations.name]), filter.ids ? inArray(locations.id, filter.ids) : undefined))
    .orderBy(locations.name, locations.id)
    .limit(filter.limit + 1);
}
export const findLocationById = (db: DbOrTx, id: string) => db.query.locations.findFirst({ where: eq(locations.id, id) });
/** A row of a raw statement: its timestamps as the driver answers them (text or Date). */
type RawTimestamps<Row extends { createdAt: Date; updatedAt: Date }> = Omit<Row, 'createdAt' | 'updatedAt'> & { createdAt: Date | string; updatedAt: Date | string };
const withDates = <Row extends { createdAt: Date; updatedAt: Date }>(raw: RawTimestamps<Row>) =>
  ({ ...raw, createdAt: new Date(raw.createdAt), updatedAt: new Date(raw.updatedAt) }) as Row;

/** A new location and its event in one statement (the id comes from the caller, for the event). */
export const insertLocationWithEvent = rowWithEvent<{ id: string; name: string; timezone: string }, LocationRow, RawTimestamps<LocationRow>>(
  () => sql`INSERT INTO locations (id, name, timezone)
            VALUES (${sql.placeholder('id')}::uuid, ${sql.placeholder('name')}, ${sql.placeholder('timezone')})
            RETURNING id, name, timezone, active, created_at AS "createdAt", updated_at AS "updatedAt"`,
  withDates,
);
export const updateLocation = (db: DbOrTx, id: string, values: Partial<typeof locations.$inferInsert>) =>
  db.update(locations).set({ ...values, updatedAt: new Date() }).where(eq(locations.id, id)).returning().then((r) => r[0]);
/** Locks the row so two concurrent updates cannot both compute their before/after from the same state. */
export const lockLocation = (db: DbOrTx, id: string) =>
  db.select().from(locations).where(eq(locations.id, id)).for('update').then((r) => r[0]);

// Departments
export function findDepartments(
  db: DbOrTx,
  filter: ListFilter & { ids?: string[] | undefined; locationId?: string | undefined },
) {
  return db
    .select()
    .from(departments)
    .where(
      and(
        ...listConditions(departments, filter, [departments.name]),
        filter.ids ? inArray(departments.id, filter.ids) : undefined,
        filter.locationId ? eq(departments.locationId, filter.locationId) : undefined,
      ),
    )
    .orderBy(departments.name, departments.id)
    .limit(filter.limit + 1);
}
export const findDepartmentById = (db: DbOrTx, id: string) =>
  db.query.departments.findFirst({ where: eq(departments.id, id) });
export const insertDepartment = (db: DbOrTx, values: typeof departments.$inferInsert) =>
  db.insert(departments).values(values).returning().then((r) => r[0]!);
export const updateDepartment = (db: DbOrTx, id: string, values: Partial<typeof departments.$inferInsert>) =>
  db.update(departments).set({ ...values, updatedAt: new Date() }).where(eq(departments.id, id)).returning().then((r) => r[0]);
export const lockDepartment = (db: DbOrTx, id: string) =>
  db.select().from(departments).where(eq(departments.id, id)).for('update').then((r) => r[0]);

// Employees
export interface EmployeeFilter extends ListFilter {
  locationId?: string | undefined;
  departmentId?: string | undefined;
  /** A manager's reach: employees in these departments or at these locations. */
  within?: { departmentIds: string[]; locationIds: string[] } | undefined;
  ids?: string[] | undefined;
}
export function findEmployees(db: DbOrTx, filter: EmployeeFilter) {
  const within = filter.within;
  return db
    .select()
    .from(employees)
    .where(
      and(
        ...listConditions(employees, filter, [employees.name, employees.email]),
        filter.locationId ? eq(employees.locationId, filter.locationId) : undefined,
        filter.departmentId ? eq(employees.departmentId, filter.departmentId) : undefined,
        filter.ids ? inArray(employees.id, filter.ids) : undefined,
        within
          ? or(
              within.departmentIds.length ? inArray(employees.departmentId, within.departmentIds) : sql`false`,
              within.locationIds.length ? inArray(employees.locationId, within.locationIds) : sql`false`,
            )
          : undefined,
      ),
    )
    .orderBy(employees.name, employees.id)
    .limit(filter.limit + 1);
}
export const findEmployeeById = (db: DbOrTx, id: string) => db.query.employees.findFirst({ where: eq(employees.id, id) });
export const insertEmployee = (db: DbOrTx, values: typeof employees.$inferInsert) =>
  db.insert(employees).values(values).returning().then((r) => r[0]!);
export const updateEmployee = (db: DbOrTx, id: string, values: Partial<typeof employees.$inferInsert>) =>
  db.update(employees).set({ ...values, updatedAt: new Date() }).where(eq(employees.id, id)).returning().then((r) => r[0]);
export const lockEmployee = (db: DbOrTx, id: string) =>
  db.select().from(employees).where(eq(employees.id, id)).for('update').then((r) => r[0]);

// Users
export function findUsers(db: DbOrTx, filter: ListFilter & { role?: UserRow['role'] | undefined }) {
  return db
    .select()
    .from(users)
    .where(and(...listConditions(users, filter, [users.name, users.email]), filter.role ? eq(users.role, filter.role) : undefined))
    .orderBy(users.name, users.id)
    .limit(filter.limit + 1);
}
export const findUserById = (db: DbOrTx, id: string) => db.query.users.findFirst({ where: eq(users.id, id) });
export const insertUser = (db: DbOrTx, values: typeof users.$inferInsert) =>
  db.insert(users).values(values).returning().then((r) => r[0]!);
export const updateUser = (db: DbOrTx, id: string, values: Partial<typeof users.$inferInsert>) =>
  db.update(users).set({ ...values, updatedAt: new Date() }).where(eq(users.id, id)).returning().then((r) => r[0]);
export const lockUser = (db: DbOrTx, id: string) => db.select().from(users).where(eq(users.id, id)).for('update').then((r) => r[0]);

export async function countExisting(db: DbOrTx, table: 'locations' | 'departments', ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const t = table === 'locations' ? locations : departments;
  const rows = await db.select({ id: t.id }).from(t).where(inArray(t.id, ids));
  return rows.length;
}

export function findHeadcount(db: DbOrTx) {
  return db.select().from(orgHeadcount);
}
