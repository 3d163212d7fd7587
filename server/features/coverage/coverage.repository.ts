import { and, asc, eq, gt, gte, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { compiledQuery, queryRows, type DbOrTx } from '../../db/client.ts';
import { consumerLockKey, type LogPosition } from '../../events/event-log.ts';
import { coverageHourly, demandOverrides, demandWeekly, employees, locations, workShifts, type WorkBreak } from '../../db/schema.ts';
import type { CoverageHour, Demand } from './coverage-engine.ts';

export type CoverageRow = typeof coverageHourly.$inferSelect;

export const findLocations = (db: DbOrTx) => db.select({ id: locations.id, name: locations.name, timezone: locations.timezone }).from(locations).where(eq(locations.active, true));

/**
 * Every active location with its demand (weekly curve and dated overrides), in one round trip: a
 * consumer step needs them all, and one query each made its reads the larger part of a step.
 */
export async function findLocationsWithDemand(db: DbOrTx): Promise<{ id: string; name: string; timezone: string; demand: Demand }[]> {
  const rows = await queryRows<{ id: string; name: string; timezone: string; weekly: unknown; overrides: unknown }>(db, sql`
    SELECT l.id, l.name, l.timezone,
           coalesce((SELECT json_agg(json_build_array(w.weekday, w.hour, w.required)) FROM demand_weekly w WHERE w.location_id = l.id), '[]') AS weekly,
           coalesce((SELECT json_agg(json_build_array(o.date, o.hour, o.required)) FROM demand_overrides o WHERE o.location_id = l.id), '[]') AS overrides
    FROM locations l WHERE l.active`);
  const parsed = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as [string | number, number, number][];
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    timezone: r.timezone,
    demand: {
      weekly: new Map(parsed(r.weekly).map(([weekday, hour, required]) => [`${weekday}|${hour}`, required])),
      overrides: new Map(parsed(r.overrides).map(([date, hour, required]) => [`${date}|${hour}`, required])),
    },
  }));
}

/** A location and a time range: what a batch reads, one query for all its locations. */
export interface LocationSpan {
  locationId: string;
  from: Date;
  to: Date;
}

/** A worked shift as coverage reads it: instants as epoch milliseconds. */
export interface WorkedShift {
  locationId: string;
  clockInMs: number;
  clockOutMs: number | null;
  breaks: WorkBreak[];
}

/**
 * Worked shifts overlapping each span at its location; open ones run until now. One statement for
 * every span, and the instants as numbers: a step under a stream of punches reads thousands of short
 * shifts, and mapping each into Dates was a visible share of its CPU.
 */
const workShiftsInQuery = compiledQuery<{ locationIds: string; froms: string; tos: string }, { locationId: string; clockInMs: number; clockOutMs: number | null; breaks: WorkBreak[] | string }>(
  () => sql`
    SELECT w.location_id AS "locationId", (extract(epoch FROM w.clock_in_at) * 1000)::float8 AS "clockInMs",
           (extract(epoch FROM w.clock_out_at) * 1000)::float8 AS "clockOutMs", w.breaks
    FROM unnest(${sql.placeholder('locationIds')}::uuid[], ${sql.placeholder('froms')}::timestamptz[], ${sql.placeholder('tos')}::timestamptz[]) AS s(location_id, from_at, to_at)
    JOIN work_shifts w ON w.location_id = s.location_id AND w.clock_in_at < s.to_at AND (w.clock_out_at IS NULL OR w.clock_out_at > s.from_at)`,
);

/** A PostgreSQL array literal of values that need no quoting (uuids, ISO instants). */
const arrayLiteral = (values: string[]) => `{${values.join(',')}}`;

export async function findWorkShiftsIn(db: DbOrTx, spans: LocationSpan[]): Promise<WorkedShift[]> {
  if (spans.length === 0) return [];
  const rows = await workShiftsInQuery(db, {
    locationIds: arrayLiteral(spans.map((s) => s.locationId)),
    froms: arrayLiteral(spans.map((s) => s.from.toISOString())),
    tos: arrayLiteral(spans.map((s) => s.to.toISOString())),
  });
  return rows.map((r) => ({ ...r, breaks: typeof r.breaks === 'string' ? (JSON.parse(r.breaks) as WorkBreak[]) : r.breaks }));
}

/** The coverage rows within each span at its location (one query for every span). */
export async function findRowsIn(db: DbOrTx, spans: LocationSpan[]): Promise<CoverageRow[]> {
  if (spans.length === 0) return [];
  return db
    .select()
    .from(coverageHourly)
    .where(or(...spans.map((s) => and(eq(coverageHourly.locationId, s.locationId), gte(coverageHourly.hourEnd, new Date(s.from.getTime() + 1)), lt(coverageHourly.hourStart, s.to)))))
    .orderBy(asc(coverageHourly.hourStart));
}

/** Worked shifts at a location overlapping [from, to); open ones run until now. */
export function findWorkShifts(db: DbOrTx, locationId: string, from: Date, to: Date) {
  return db
    .select({ employeeId: workShifts.employeeId, clockInAt: workShifts.clockInAt, clockOutAt: workShifts.clockOutAt, breaks: workShifts.breaks })
    .from(workShifts)
    .where(and(eq(workShifts.locationId, locationId), lt(workShifts.clockInAt, to), or(isNull(workShifts.clockOutAt), gt(workShifts.clockOutAt, from))));
}

/** Worked shifts of these people overlapping [from, to), wherever they clocked in (labour limits are the person's). */
export function findWorkShiftsOfEmployees(db: DbOrTx, employeeIds: string[], from: Date, to: Date) {
  return db
    .select({ employeeId: workShifts.employeeId, clockInAt: workShifts.clockInAt, clockOutAt: workShifts.clockOutAt, breaks: workShifts.breaks })
    .from(workShifts)
    .where(
      and(
        inArray(workShifts.employeeId, employeeIds.length ? employeeIds : ['00000000-0000-0000-0000-000000000000']),
        lt(workShifts.clockInAt, to),
        or(isNull(workShifts.clockOutAt), gt(workShifts.clockOutAt, from)),
      ),
    );
}

/**
 * The worked shifts of these people overlapping [from, to), only where and when they ran: one query
 * for a whole batch of punches (a shift belongs to its clock-in's location).
 */
export async function findShiftSpansOfEmployees(db: DbOrTx, employeeIds: string[], from: Date, to: Date) {
  if (employeeIds.length === 0) return [];
  return db
    .selectDistinct({ employeeId: workShifts.employeeId, locationId: workShifts.locationId, clockInAt: workShifts.clockInAt, clockOutAt: workShifts.clockOutAt })
    .from(workShifts)
    .where(and(inArray(workShifts.employeeId, employeeIds), lt(workShifts.clockInAt, to), or(isNull(workShifts.clockOutAt), gt(workShifts.clockOutAt, from))));
}

export function findOpenShifts(db: DbOrTx, locationIds: string[]) {
  return db
    .select({ employeeId: workShifts.employeeId, locationId: workShifts.locationId, clockInAt: workShifts.clockInAt, name: employees.name })
    .from(workShifts)
    .innerJoin(employees, eq(employees.id, workShifts.employeeId))
    .where(and(isNull(workShifts.clockOutAt), inArray(workShifts.locationId, locationIds.length ? locationIds : ['00000000-0000-0000-0000-000000000000'])));
}

export async function deleteRows(db: DbOrTx, locationId: string, hourStarts: Date[]) {
  if (hourStarts.length === 0) return;
  await db.delete(coverageHourly).where(and(eq(coverageHourly.locationId, locationId), inArray(coverageHourly.hourStart, hourStarts)));
}

/** The end of each active location's last row (null where it has none): how far ahead coverage reaches. */
export async function findLastHourEnds(db: DbOrTx): Promise<{ locationId: string; lastEnd: Date | null }[]> {
  const rows = await queryRows<{ location_id: string; last_end: Date | string | null }>(db, sql`
    SELECT l.id AS location_id,
           (SELECT c.hour_end FROM coverage_hourly c WHERE c.location_id = l.id ORDER BY c.hour_start DESC LIMIT 1) AS last_end
    FROM locations l WHERE l.active`);
  return rows.map((r) => ({ locationId: r.location_id, lastEnd: r.last_end === null ? null : new Date(r.last_end) }));
}

/**
 * The start of the earliest row in [from, now) written before its hour ended, i.e. possibly stale: the
 * hours a process that was down (or a clock that jumped) still has to recompute.
 */
export async function findOldestProvisionalHour(db: DbOrTx, from: Date, now: Date): Promise<Date | null> {
  const [row] = await queryRows<{ start: Date | string | null }>(db, sql`
    SELECT min(hour_start) AS start FROM coverage_hourly
    WHERE computed_at < hour_end AND hour_start < ${now.toISOString()}::timestamptz AND hour_end > ${from.toISOString()}::timestamptz`);
  return row?.start ? new Date(row.start) : null;
}

/**
 * Waits for the coverage consumer's advisory lock (the key `createConsumer` in events/consumer.ts
 * try-locks for each batch). Whoever writes coverage rows outside the consumer (rebuild, tick) holds it
 * for its transaction, so it never computes from a state the consumer is about to change and then
 * overwrites the consumer's fresher rows. Takes no transaction id.
 */
export async function lockConsumer(db: DbOrTx, consumerName: string) {
  await db.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${consumerLockKey(consumerName)}))`);
}

/**
 * Moves the consumer's durable offset forward to `position` (never back), under its lock and in the
 * transaction of a rebuild that already covers every event up to there.
 */
export async function advanceConsumerOffset(db: DbOrTx, consumerName: string, position: LogPosition) {
  await db.execute(sql`
    INSERT INTO consumer_offsets (name, tx_id, seq) VALUES (${consumerName}, ${position.txId}::xid8, ${position.seq})
    ON CONFLICT (name) DO UPDATE SET tx_id = excluded.tx_id, seq = excluded.seq, updated_at = now()
    WHERE (consumer_offsets.tx_id, consumer_offsets.seq) < (excluded.tx_id, excluded.seq)`);
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
