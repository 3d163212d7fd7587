import { and, asc, eq, gt, gte, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { compiledQuery, queryRows, type DbOrTx } from '../../db/client.ts';
import { consumerLockKey, type LogPosition } from '../../events/event-log.ts';
import { coverageHourly, demandOverrides, demandWeekly, employees, locations, workShifts, type WorkBreak } from '../../db/schema.ts';
import type { CoverageHour, Demand, Step } from './coverage-engine.ts';

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

/** A PostgreSQL array literal of values that need no quoting (uuids, ISO instants). */
const arrayLiteral = (values: string[]) => `{${values.join(',')}}`;

/** A change in headcount at a location. */
export type StaffedStep = Step & { locationId: string };

/**
 * Who is on the floor, as steps of headcount at minute precision, for each span at its location:
 * +1 where a worked interval starts, -1 where it ends, breaks excluded, every instant truncated to its
 * minute, summed per minute (so at most one row per minute), and the steps before the span folded
 * into its first instant (the headcount the span starts with). A shift still open runs until now, as
 * does an open break: neither gets a step there, because nothing after now is counted; an open
 * shift older than the missed clock-out limit stops counting at that limit.
 *
 * Summed by PostgreSQL rather than read shift by shift: a stream of punches makes thousands of short
 * shifts in the hour in progress, and every consumer step read them all to compute one row.
 * The closed shifts that end after the span starts and the open ones are two index ranges
 * (location, clock_out_at); one condition with an OR ranged over every shift the location ever had.
 */
const staffedStepsQuery = compiledQuery<{ locationIds: string; froms: string; tos: string; now: string; openLimit: string }, StaffedStep>(
  () => sql`
    WITH shifts AS (
      -- end_at: the clock-out, or for an open shift its missed clock-out limit once passed, else NULL (until now).
      SELECT s.location_id, s.from_at, s.to_at, w.clock_in_at, w.breaks,
             coalesce(w.clock_out_at, nullif(least(w.clock_in_at + ${sql.placeholder('openLimit')}::interval, ${sql.placeholder('now')}::timestamptz), ${sql.placeholder('now')}::timestamptz)) AS end_at
      -- before_at: a shift that starts before it has a step before to_at (instants count by their minute).
      FROM (SELECT *, date_trunc('minute', to_at) + interval '1 minute' AS before_at
            FROM unnest(${sql.placeholder('locationIds')}::uuid[], ${sql.placeholder('froms')}::timestamptz[], ${sql.placeholder('tos')}::timestamptz[]) AS u(location_id, from_at, to_at)) s
      CROSS JOIN LATERAL (
        -- A shift that ends before the minute after the span's start moves no headcount in the span: its
        -- steps both fold into the span's first instant (and cancel). Leaving those out makes a span that
        -- starts at the minute in progress read only the shifts still open, not every one of that minute.
        SELECT clock_in_at, clock_out_at, breaks FROM work_shifts w
        WHERE w.location_id = s.location_id AND w.clock_out_at >= date_trunc('minute', s.from_at) + interval '1 minute' AND w.clock_in_at < s.before_at
        UNION ALL
        SELECT clock_in_at, clock_out_at, breaks FROM work_shifts w WHERE w.location_id = s.location_id AND w.clock_out_at IS NULL AND w.clock_in_at < s.before_at
      ) w
    ),
    -- A shift counts where it has a length: it ends after it starts, or it runs until now.
    counted AS (SELECT * FROM shifts WHERE end_at > clock_in_at OR end_at IS NULL),
    steps AS (
      SELECT location_id, from_at, to_at, clock_in_at AS at, 1 AS delta FROM counted
      UNION ALL
      SELECT location_id, from_at, to_at, end_at, -1 FROM counted WHERE end_at IS NOT NULL
      UNION ALL
      SELECT c.location_id, c.from_at, c.to_at, b.at, b.delta
      FROM counted c
      -- A break within the shift: an open one ends with the shift (or runs until now, with it).
      CROSS JOIN LATERAL (SELECT greatest((x->>'start')::timestamptz, c.clock_in_at) AS start_at,
                                 least(coalesce((x->>'end')::timestamptz, c.end_at), c.end_at) AS end_at
                          FROM jsonb_array_elements(c.breaks) x WHERE c.breaks <> '[]'::jsonb) br
      CROSS JOIN LATERAL (VALUES (br.start_at, -1), (br.end_at, 1)) AS b(at, delta)
      WHERE br.start_at < coalesce(c.end_at, 'infinity') AND (br.end_at IS NULL OR br.end_at > br.start_at) AND b.at IS NOT NULL
    )
    -- Summed per minute as timestamps; only the (at most one a minute) results are turned into numbers.
    SELECT location_id AS "locationId", (extract(epoch FROM minute) * 1000)::float8 AS "atMs", delta
    FROM (SELECT location_id, greatest(date_trunc('minute', at), from_at) AS minute, sum(delta)::int AS delta
          FROM steps WHERE date_trunc('minute', at) < to_at GROUP BY 1, 2) per_minute
    WHERE delta <> 0
    ORDER BY location_id, minute`,
);

export function findStaffedSteps(db: DbOrTx, spans: LocationSpan[], nowMs: number, openLimitMs: number): Promise<StaffedStep[]> {
  if (spans.length === 0) return Promise.resolve([]);
  return staffedStepsQuery(db, {
    locationIds: arrayLiteral(spans.map((s) => s.locationId)),
    froms: arrayLiteral(spans.map((s) => s.from.toISOString())),
    tos: arrayLiteral(spans.map((s) => s.to.toISOString())),
    now: new Date(nowMs).toISOString(),
    openLimit: `${openLimitMs} milliseconds`,
  });
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

/**
 * Shifts overlapping [from, to) among those `whose` selects (open ones run until now), as two
 * conditions to UNION ALL: the closed ones that end after `from`, and the open ones. Each is an index
 * range of (location or employee, clock_out_at); one condition with an OR would range over every
 * shift they ever had.
 */
function runningIn(whose: SQL | undefined, from: Date, to: Date) {
  const at = and(whose, lt(workShifts.clockInAt, to));
  return { closed: and(at, gt(workShifts.clockOutAt, from)), open: and(at, isNull(workShifts.clockOutAt)) };
}

const workedColumns = { employeeId: workShifts.employeeId, clockInAt: workShifts.clockInAt, clockOutAt: workShifts.clockOutAt, breaks: workShifts.breaks };

/** Worked shifts at a location overlapping [from, to); open ones run until now. */
export function findWorkShifts(db: DbOrTx, locationId: string, from: Date, to: Date) {
  const { closed, open } = runningIn(eq(workShifts.locationId, locationId), from, to);
  return db.select(workedColumns).from(workShifts).where(closed).unionAll(db.select(workedColumns).from(workShifts).where(open));
}

/** Worked shifts of these people overlapping [from, to), wherever they clocked in (labour limits are the person's). */
export function findWorkShiftsOfEmployees(db: DbOrTx, employeeIds: string[], from: Date, to: Date) {
  const { closed, open } = runningIn(inArray(workShifts.employeeId, employeeIds.length ? employeeIds : ['00000000-0000-0000-0000-000000000000']), from, to);
  return db.select(workedColumns).from(workShifts).where(closed).unionAll(db.select(workedColumns).from(workShifts).where(open));
}

/**
 * The worked shifts of these people overlapping [from, to), only where and when they ran: one query
 * for a whole batch of punches (a shift belongs to its clock-in's location). `onlyAt` names, per
 * person, the one location all their punches of the batch were at: their shifts there are what the
 * batch recomputes anyway, so only the shifts elsewhere come back (under a stream of punches, none).
 */
export async function findShiftsElsewhere(db: DbOrTx, people: { employeeId: string; onlyAt: string | null }[], from: Date, to: Date) {
  if (people.length === 0) return [];
  const rows = await queryRows<{ employee_id: string; location_id: string; clock_in_at: Date | string; clock_out_at: Date | string | null }>(db, sql`
    SELECT p.employee_id, w.location_id, w.clock_in_at, w.clock_out_at
    FROM unnest(${arrayLiteral(people.map((p) => p.employeeId))}::uuid[], ${arrayLiteral(people.map((p) => p.onlyAt ?? 'NULL'))}::uuid[]) AS p(employee_id, only_at)
    CROSS JOIN LATERAL (
      -- Two index ranges of (employee, clock_out_at), as in runningIn above.
      SELECT location_id, clock_in_at, clock_out_at FROM work_shifts w
      WHERE w.employee_id = p.employee_id AND w.clock_out_at > ${from.toISOString()}::timestamptz AND w.clock_in_at < ${to.toISOString()}::timestamptz
      UNION ALL
      SELECT location_id, clock_in_at, clock_out_at FROM work_shifts w
      WHERE w.employee_id = p.employee_id AND w.clock_out_at IS NULL AND w.clock_in_at < ${to.toISOString()}::timestamptz
    ) w
    WHERE w.location_id IS DISTINCT FROM p.only_at`);
  return rows.map((r) => ({
    employeeId: r.employee_id,
    locationId: r.location_id,
    clockInAt: new Date(r.clock_in_at),
    clockOutAt: r.clock_out_at === null ? null : new Date(r.clock_out_at),
  }));
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
          staffedMinutes: h.staffedMinutes,
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
          staffedMinutes: sql`excluded.staffed_minutes`,
        },
      });
  }
}

export const findEmployeesAt = (db: DbOrTx, locationId: string) =>
  db.select({ id: employees.id, name: employees.name, departmentId: employees.departmentId }).from(employees).where(and(eq(employees.locationId, locationId), eq(employees.active, true)));
