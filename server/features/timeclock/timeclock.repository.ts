import { and, asc, desc, eq, gt, gte, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { compiledQuery, queryRows, type DbOrTx, type Tx } from '../../db/client.ts';
import { fromJsonRow, jsonRow } from '../../db/json-row.ts';
import { eventRecord, eventsInsertFrom, type NewEvent } from '../../events/event-log.ts';
import { employees, kioskPins, locations, punches, timesheetLocks, workShifts, type WorkBreak } from '../../db/schema.ts';

export type PunchRow = typeof punches.$inferSelect;
export type WorkShiftRow = typeof workShifts.$inferSelect;

/**
 * Takes the employee's clock: raises the version of their `employee_clocks` row (made on first use)
 * and so holds its lock until the transaction ends. Every write to an employee's punches or worked
 * shifts does this first: writers of one employee queue here, and the live path, which reads the
 * version and writes only if it is unchanged, sees that something moved.
 */
const takeClock = (employeeId: SQL) => sql`
  INSERT INTO employee_clocks (employee_id, version) SELECT ${employeeId}, 1
  ON CONFLICT (employee_id) DO UPDATE SET version = employee_clocks.version + 1
  RETURNING employee_id, version`;

export async function lockEmployeeClock(tx: DbOrTx, employeeId: string) {
  await tx.execute(takeClock(sql`${employeeId}::uuid`));
}

/**
 * The slow punch path's first statement: takes the employee's clock and answers the employee with the
 * punch's location (theirs unless another is named). One round trip instead of three.
 */
const lockClockAndFindEmployeeQuery = compiledQuery<{ employeeId: string; locationId: string | null }, { employee: unknown; location: unknown; version: number | string }>(
  () => sql`WITH taken AS (${takeClock(sql`(SELECT id FROM employees WHERE id = ${sql.placeholder('employeeId')}::uuid)`)})
        SELECT json_build_object('id', e.id, 'name', e.name, 'locationId', e.location_id, 'departmentId', e.department_id,
                                 'active', e.active, 'externalIds', e.external_ids) AS employee,
          (SELECT json_build_object('id', l.id, 'name', l.name, 'timezone', l.timezone) FROM locations l
            WHERE l.id = coalesce(${sql.placeholder('locationId')}::uuid, e.location_id)) AS location,
          taken.version
        FROM employees e JOIN taken ON taken.employee_id = e.id`,
);

export async function lockClockAndFindEmployee(tx: Tx, employeeId: string, locationId: string | undefined) {
  const [row] = await lockClockAndFindEmployeeQuery(tx, { employeeId, locationId: locationId ?? null });
  if (!row) return undefined;
  return {
    employee: row.employee as { id: string; name: string; locationId: string; departmentId: string; active: boolean; externalIds: Record<string, string> },
    location: (row.location ?? undefined) as { id: string; name: string; timezone: string } | undefined,
    /** The clock's version now that this transaction holds it: what a live write in it is written at. */
    clockVersion: Number(row.version),
  };
}

/**
 * The punch path's second statement, under the clock lock: a punch already stored under this id (a
 * retry), the latest placed punch, the open worked shift, and a timesheet lock covering the date.
 */
const readClockStateQuery = compiledQuery<{ punchId: string; employeeId: string; locationId: string; date: string }, { existing: unknown; latest: unknown; open: unknown; lock: unknown }>(
  () => sql`SELECT
          (SELECT ${jsonRow(punches)} FROM ${punches} WHERE ${punches.id} = ${sql.placeholder('punchId')}::uuid) AS existing,
          (SELECT ${jsonRow(punches)} FROM ${punches}
            WHERE ${punches.employeeId} = ${sql.placeholder('employeeId')}::uuid AND ${punches.supersededBy} IS NULL AND ${punches.state} = 'placed'
            ORDER BY ${punches.at} DESC LIMIT 1) AS latest,
          (SELECT ${jsonRow(workShifts)} FROM ${workShifts}
            WHERE ${workShifts.employeeId} = ${sql.placeholder('employeeId')}::uuid AND ${workShifts.clockOutAt} IS NULL) AS open,
          (SELECT ${jsonRow(timesheetLocks)} FROM ${timesheetLocks}
            WHERE ${timesheetLocks.locationId} = ${sql.placeholder('locationId')}::uuid AND ${timesheetLocks.from} <= ${sql.placeholder('date')}::date AND ${timesheetLocks.to} >= ${sql.placeholder('date')}::date
            LIMIT 1) AS lock`,
);

export async function readClockState(tx: Tx, q: { punchId: string; employeeId: string; locationId: string; date: string }) {
  const [row] = await readClockStateQuery(tx, q);
  return {
    existing: fromJsonRow(punches, row?.existing),
    latest: fromJsonRow(punches, row?.latest),
    open: fromJsonRow(workShifts, row?.open),
    lock: fromJsonRow(timesheetLocks, row?.lock),
  };
}

/**
 * The live punch path's read, outside any transaction: the employee and the punch's location, the
 * clock's version, and the state `readClockState` answers (the timesheet lock looked up by the
 * punch's local date in the location's zone). One consistent snapshot, one round trip.
 */
const readLiveClockQuery = compiledQuery<
  { punchId: string; employeeId: string; locationId: string | null; atMs: number },
  { employee: unknown; location: unknown; version: number | string | null; existing: unknown; latest: unknown; open: unknown; lock: unknown }
>(
  () => sql`SELECT
          json_build_object('id', e.id, 'name', e.name, 'locationId', e.location_id, 'departmentId', e.department_id,
                            'active', e.active, 'externalIds', e.external_ids) AS employee,
          json_build_object('id', l.id, 'name', l.name, 'timezone', l.timezone) AS location,
          (SELECT version FROM employee_clocks WHERE employee_id = e.id) AS version,
          (SELECT ${jsonRow(punches)} FROM ${punches} WHERE ${punches.id} = ${sql.placeholder('punchId')}::uuid) AS existing,
          (SELECT ${jsonRow(punches)} FROM ${punches}
            WHERE ${punches.employeeId} = e.id AND ${punches.supersededBy} IS NULL AND ${punches.state} = 'placed'
            ORDER BY ${punches.at} DESC LIMIT 1) AS latest,
          (SELECT ${jsonRow(workShifts)} FROM ${workShifts} WHERE ${workShifts.employeeId} = e.id AND ${workShifts.clockOutAt} IS NULL) AS open,
          (SELECT ${jsonRow(timesheetLocks)} FROM ${timesheetLocks}
            WHERE ${timesheetLocks.locationId} = l.id
              AND (to_timestamp(${sql.placeholder('atMs')}::double precision / 1000) AT TIME ZONE l.timezone)::date BETWEEN ${timesheetLocks.from} AND ${timesheetLocks.to}
            LIMIT 1) AS lock
        FROM employees e
        LEFT JOIN locations l ON l.id = coalesce(${sql.placeholder('locationId')}::uuid, e.location_id)
        WHERE e.id = ${sql.placeholder('employeeId')}::uuid`,
  { prepareAs: 'workfloor_read_live_clock' },
);

export async function readLiveClock(db: DbOrTx, q: { punchId: string; employeeId: string; locationId: string | undefined; atMs: number }) {
  const [row] = await readLiveClockQuery(db, { ...q, locationId: q.locationId ?? null });
  if (!row) return undefined;
  const location = row.location as { id: string | null; name: string; timezone: string };
  return {
    employee: row.employee as { id: string; name: string; locationId: string; departmentId: string; active: boolean; externalIds: Record<string, string> },
    location: location.id === null ? undefined : (location as { id: string; name: string; timezone: string }),
    version: row.version === null ? 0 : Number(row.version),
    existing: fromJsonRow(punches, row.existing),
    latest: fromJsonRow(punches, row.latest),
    open: fromJsonRow(workShifts, row.open),
    lock: fromJsonRow(timesheetLocks, row.lock),
  };
}

export const findPunchById = (db: DbOrTx, id: string) => db.query.punches.findFirst({ where: eq(punches.id, id) });

export const findEmployee = (db: DbOrTx, id: string) =>
  db.query.employees.findFirst({ where: eq(employees.id, id), columns: { id: true, name: true, locationId: true, departmentId: true, active: true, externalIds: true } });

export const findLocation = (db: DbOrTx, id: string) => db.query.locations.findFirst({ where: eq(locations.id, id) });
export const findLocations = (db: DbOrTx) => db.select().from(locations);

/** The latest active punch of an employee: appending after it is the common, fast path. */
export async function findLatestPunch(db: DbOrTx, employeeId: string) {
  const [row] = await db
    .select()
    .from(punches)
    .where(and(eq(punches.employeeId, employeeId), isNull(punches.supersededBy), eq(punches.state, 'placed')))
    .orderBy(desc(punches.at))
    .limit(1);
  return row;
}

/** The latest clock-out strictly before `before`: the timeline is known to be "out" right after it. */
export async function findAnchorClockOut(db: DbOrTx, employeeId: string, before: Date) {
  const [row] = await db
    .select({ at: punches.at })
    .from(punches)
    .where(and(eq(punches.employeeId, employeeId), isNull(punches.supersededBy), eq(punches.state, 'placed'), eq(punches.kind, 'clock_out'), lt(punches.at, before)))
    .orderBy(desc(punches.at))
    .limit(1);
  return row?.at;
}

export function findActivePunchesAfter(db: DbOrTx, employeeId: string, after: Date | undefined) {
  return db
    .select()
    .from(punches)
    .where(and(eq(punches.employeeId, employeeId), isNull(punches.supersededBy), eq(punches.state, 'placed'), after ? gt(punches.at, after) : undefined))
    .orderBy(asc(punches.at));
}

/** Late punches still waiting for their partners. */
export function findPendingPunches(db: DbOrTx, employeeId: string) {
  return db
    .select()
    .from(punches)
    .where(and(eq(punches.employeeId, employeeId), isNull(punches.supersededBy), eq(punches.state, 'pending')))
    .orderBy(asc(punches.at));
}
export const markPlaced = (db: DbOrTx, ids: string[]) =>
  ids.length ? db.update(punches).set({ state: 'placed' }).where(inArray(punches.id, ids)) : Promise.resolve();

export const insertPunch = (db: DbOrTx, values: typeof punches.$inferInsert) =>
  db.insert(punches).values(values).onConflictDoNothing({ target: punches.id }).returning().then((r) => r[0]);

export const supersedePunch = (db: DbOrTx, id: string, by: string) =>
  db.update(punches).set({ supersededBy: by }).where(and(eq(punches.id, id), isNull(punches.supersededBy))).returning().then((r) => r[0]);

export function findOpenShift(db: DbOrTx, employeeId: string) {
  return db.query.workShifts.findFirst({ where: and(eq(workShifts.employeeId, employeeId), isNull(workShifts.clockOutAt)) });
}

/** The worked-shift side of a live punch (see `writeLivePunches`); a shift opened gets the id given. */
export type LiveShiftChange =
  | { kind: 'open'; shiftId: string }
  | { kind: 'update'; shiftId: string; breaks: WorkBreak[]; clockOutAt: Date | null; clockOutPunchId: string | null }
  | { kind: 'none' };

export type LivePunchOutcome = 'written' | 'clock-moved' | 'id-taken';
/**
 * What a live punch admitted on a remembered clock state (no read first) must still find true when it
 * is written: the employee as remembered (active, same name, department and home location), the
 * location's zone as remembered (the timesheet date depends on it), and no timesheet lock on that date.
 * The version check covers the rest: every change to the person's punches or shifts raises it.
 */
export interface RememberedState {
  employeeName: string;
  departmentId: string;
  homeLocationId: string;
  timezone: string;
  /** The punch's date in the location's zone: no timesheet lock may cover it. */
  localDate: string;
}

/** One punch appended at the end of its person's timeline, with its worked-shift change and its event. */
export interface LivePunchWrite {
  punch: PunchRow;
  shift: LiveShiftChange;
  /**
   * The clock's version the punch was admitted on: written only if it is still that. On the live path
   * the version read or remembered; in the slow path's transaction the one it raised the clock to.
   */
  version: number;
  remembered?: RememberedState | undefined;
  event: NewEvent;
}

/**
 * Punches of different employees appended to their timelines in one statement. For each, on its own:
 * raise the clock if it is still at the punch's version and, when the punch was admitted on a
 * remembered state, if that still holds (`RememberedState`); then the punch if its id is free, its
 * worked-shift change (open one, or the open one's breaks / clock-out) and its event. One whose clock
 * moved ('clock-moved') or whose id is taken ('id-taken') writes nothing; the others are written.
 * Outside a transaction the batch is one: one round trip and one WAL flush for all of them. A batch
 * must not hold two punches of one employee or two with one id (ON CONFLICT may touch a row once).
 */
const writeLivePunchesQuery = compiledQuery<{ batch: string }, LiveWriteRow>(
  () => sql`
    WITH source AS (
      SELECT * FROM jsonb_to_recordset(${sql.placeholder('batch')}::jsonb) AS source(
        ord int, version bigint, "checkRemembered" boolean, "employeeName" text, "departmentId" uuid, "homeLocationId" uuid,
        timezone text, "localDate" date, id uuid, "employeeId" uuid, "locationId" uuid, kind text, at timestamptz, source text,
        "requestHash" text, "recordedAt" timestamptz, "recordedBy" text, opens boolean, "openedId" uuid, "shiftId" uuid,
        breaks jsonb, "clockOutAt" timestamptz, "clockOutPunchId" uuid, event jsonb)),
    taken AS (
      -- The version inserted is the one the punch expects plus one: a clock made now starts at 1 (read
      -- as 0), and an existing one is raised only from exactly the version read.
      INSERT INTO employee_clocks (employee_id, version)
      SELECT s."employeeId", s.version + 1 FROM source s
      WHERE NOT s."checkRemembered" OR (
        EXISTS (SELECT 1 FROM employees e WHERE e.id = s."employeeId" AND e.active AND e.name = s."employeeName"
                  AND e.department_id = s."departmentId" AND e.location_id = s."homeLocationId")
        AND EXISTS (SELECT 1 FROM locations l WHERE l.id = s."locationId" AND l.timezone = s.timezone)
        AND NOT EXISTS (SELECT 1 FROM timesheet_locks t WHERE t.location_id = s."locationId" AND s."localDate" BETWEEN t."from" AND t."to"))
      ON CONFLICT (employee_id) DO UPDATE SET version = employee_clocks.version + 1
      WHERE employee_clocks.version = excluded.version - 1
      RETURNING employee_id),
    punch AS (
      INSERT INTO punches (id, employee_id, location_id, kind, at, source, request_hash, recorded_at, recorded_by, state)
      SELECT s.id, s."employeeId", s."locationId", s.kind, s.at, s.source, s."requestHash", s."recordedAt", s."recordedBy", 'placed'
      FROM source s JOIN taken ON taken.employee_id = s."employeeId"
      ON CONFLICT (id) DO NOTHING
      RETURNING id),
    written AS (SELECT s.* FROM source s JOIN punch ON punch.id = s.id),
    opened AS (
      INSERT INTO work_shifts (id, employee_id, location_id, clock_in_at, clock_in_punch_id, breaks)
      SELECT w."openedId", w."employeeId", w."locationId", w.at, w.id, '[]'::jsonb FROM written w WHERE w.opens),
    updated AS (
      UPDATE work_shifts SET breaks = w.breaks, clock_out_at = w."clockOutAt", clock_out_punch_id = w."clockOutPunchId"
      FROM written w WHERE work_shifts.id = w."shiftId"),
    logged AS (${eventsInsertFrom(sql`written source`)})
    SELECT s.id::text AS id,
           EXISTS (SELECT 1 FROM taken WHERE taken.employee_id = s."employeeId") AS taken,
           EXISTS (SELECT 1 FROM punch WHERE punch.id = s.id) AS inserted
    FROM source s ORDER BY s.ord`,
  { prepareAs: 'workfloor_write_live_punches' },
);

type LiveWriteRow = { id: string; taken: boolean; inserted: boolean };
/**
 * Runs the statement where its events belong (`events.writeBatch`, in the caller's transaction or on
 * its own); `logged` counts the events it wrote (one per punch inserted).
 */
export type RunLiveWrites = (statement: (executor: DbOrTx) => Promise<LiveWriteRow[]>, logged: (rows: LiveWriteRow[]) => number) => Promise<LiveWriteRow[]>;

/** Writes punches at the end of their timelines (see `writeLivePunchesQuery`); answers each one's outcome, in order. */
export async function writeLivePunches(run: RunLiveWrites, writes: LivePunchWrite[]): Promise<LivePunchOutcome[]> {
  const batch = writes.map(({ punch, shift, version, remembered, event }, ord) => ({
    ord,
    version,
    checkRemembered: remembered !== undefined,
    ...remembered,
    id: punch.id,
    employeeId: punch.employeeId,
    locationId: punch.locationId,
    kind: punch.kind,
    at: punch.at,
    source: punch.source,
    requestHash: punch.requestHash,
    recordedAt: punch.recordedAt,
    recordedBy: punch.recordedBy,
    opens: shift.kind === 'open',
    openedId: shift.kind === 'open' ? shift.shiftId : null,
    shiftId: shift.kind === 'update' ? shift.shiftId : null,
    breaks: shift.kind === 'update' ? shift.breaks : null,
    clockOutAt: shift.kind === 'update' ? shift.clockOutAt : null,
    clockOutPunchId: shift.kind === 'update' ? shift.clockOutPunchId : null,
    event: eventRecord(event),
  }));
  const rows = await run(
    (executor) => writeLivePunchesQuery(executor, { batch: JSON.stringify(batch) }),
    (written) => written.filter((r) => r.inserted).length,
  );
  return rows.map((r) => (!r.taken ? 'clock-moved' : !r.inserted ? 'id-taken' : 'written'));
}

export const insertWorkShift = (db: DbOrTx, values: typeof workShifts.$inferInsert) => db.insert(workShifts).values(values).returning().then((r) => r[0]!);
export const updateWorkShift = (db: DbOrTx, id: string, values: { clockOutAt?: Date; clockOutPunchId?: string; breaks?: WorkBreak[] }) =>
  db.update(workShifts).set(values).where(eq(workShifts.id, id));
export const deleteWorkShiftsAfter = (db: DbOrTx, employeeId: string, after: Date | undefined) =>
  db.delete(workShifts).where(and(eq(workShifts.employeeId, employeeId), after ? gt(workShifts.clockInAt, after) : undefined));

export function findWorkShifts(db: DbOrTx, f: { employeeIds: string[]; from: Date; to: Date }) {
  if (f.employeeIds.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(workShifts)
    .where(
      and(
        inArray(workShifts.employeeId, f.employeeIds),
        lt(workShifts.clockInAt, f.to),
        or(isNull(workShifts.clockOutAt), gt(workShifts.clockOutAt, f.from)),
      ),
    )
    .orderBy(asc(workShifts.clockInAt));
}

export function findOpenShiftsAtLocations(db: DbOrTx, locationIds: string[] | undefined) {
  return db
    .select()
    .from(workShifts)
    .where(and(isNull(workShifts.clockOutAt), locationIds ? inArray(workShifts.locationId, locationIds.length ? locationIds : ['00000000-0000-0000-0000-000000000000']) : undefined));
}

export function findLocksCovering(db: DbOrTx, locationId: string, date: string) {
  return db
    .select()
    .from(timesheetLocks)
    .where(and(eq(timesheetLocks.locationId, locationId), lte(timesheetLocks.from, date), gte(timesheetLocks.to, date)))
    .limit(1)
    .then((r) => r[0]);
}
export function findLocks(db: DbOrTx, f: { locationIds?: string[] | undefined; from: string; to: string }) {
  return db
    .select()
    .from(timesheetLocks)
    .where(
      and(
        f.locationIds ? inArray(timesheetLocks.locationId, f.locationIds.length ? f.locationIds : ['00000000-0000-0000-0000-000000000000']) : undefined,
        lte(timesheetLocks.from, f.to),
        gte(timesheetLocks.to, f.from),
      ),
    );
}
export const insertLock = (db: DbOrTx, values: typeof timesheetLocks.$inferInsert) => db.insert(timesheetLocks).values(values).returning().then((r) => r[0]!);

export const findPin = (db: DbOrTx, employeeId: string) => db.query.kioskPins.findFirst({ where: eq(kioskPins.employeeId, employeeId) });
export const upsertPin = (db: DbOrTx, employeeId: string, pinHash: string) =>
  db.insert(kioskPins).values({ employeeId, pinHash }).onConflictDoUpdate({ target: kioskPins.employeeId, set: { pinHash, updatedAt: new Date() } });

// ---- bulk history (recordHistory) ----

export const findEmployeesByIds = (db: DbOrTx, ids: string[]) =>
  ids.length
    ? db.query.employees.findMany({ where: inArray(employees.id, ids), columns: { id: true, name: true, locationId: true, departmentId: true, active: true } })
    : Promise.resolve([]);

/** Which of these punch ids are already taken. */
export async function findExistingPunchIds(db: DbOrTx, ids: string[]) {
  const taken = new Set<string>();
  for (let i = 0; i < ids.length; i += 5000) {
    const rows = await db.select({ id: punches.id }).from(punches).where(inArray(punches.id, ids.slice(i, i + 5000)));
    for (const r of rows) taken.add(r.id);
  }
  return taken;
}

/** Every punch (any state) of these employees in [from, to]. */
export function findPunchesBetween(db: DbOrTx, employeeIds: string[], from: Date, to: Date) {
  if (employeeIds.length === 0) return Promise.resolve([]);
  return db
    .select({ employeeId: punches.employeeId, at: punches.at })
    .from(punches)
    .where(and(inArray(punches.employeeId, employeeIds), gte(punches.at, from), lte(punches.at, to)));
}

/** The open shifts of these employees. */
export function findOpenShiftsOf(db: DbOrTx, employeeIds: string[]) {
  if (employeeIds.length === 0) return Promise.resolve([]);
  return db.select().from(workShifts).where(and(inArray(workShifts.employeeId, employeeIds), isNull(workShifts.clockOutAt)));
}

/** The latest active punch of each of these employees. */
export async function findLatestPunchTimes(db: DbOrTx, employeeIds: string[]) {
  if (employeeIds.length === 0) return new Map<string, Date>();
  const rows = await db
    .select({ employeeId: punches.employeeId, at: sql<Date | string>`max(${punches.at})` })
    .from(punches)
    .where(and(inArray(punches.employeeId, employeeIds), isNull(punches.supersededBy)))
    .groupBy(punches.employeeId);
  return new Map(rows.map((r) => [r.employeeId, new Date(r.at)]));
}

/**
 * Many rows in one statement with a single JSON parameter: much cheaper to parse and plan than
 * thousands of bind parameters (bulk history of the demo, migrations from another clock).
 */
export async function insertPunchesBulk(db: DbOrTx, rows: (typeof punches.$inferInsert)[]) {
  for (let i = 0; i < rows.length; i += 5000) {
    const json = JSON.stringify(
      rows.slice(i, i + 5000).map((r) => ({
        id: r.id,
        employee_id: r.employeeId,
        location_id: r.locationId,
        kind: r.kind,
        at: r.at.toISOString(),
        source: r.source,
        request_hash: r.requestHash,
        recorded_at: (r.recordedAt ?? new Date()).toISOString(),
        recorded_by: r.recordedBy ?? null,
        state: r.state ?? 'placed',
      })),
    );
    await db.execute(sql`
      INSERT INTO punches (id, employee_id, location_id, kind, at, source, request_hash, recorded_at, recorded_by, state)
      SELECT id, employee_id, location_id, kind, at, source, request_hash, recorded_at, recorded_by, state
      FROM jsonb_to_recordset(${json}::jsonb) AS x(id uuid, employee_id uuid, location_id uuid, kind text, at timestamptz, source text,
        request_hash text, recorded_at timestamptz, recorded_by text, state text)`);
  }
}
export async function insertWorkShiftsBulk(db: DbOrTx, rows: (typeof workShifts.$inferInsert)[]) {
  for (let i = 0; i < rows.length; i += 5000) {
    const json = JSON.stringify(
      rows.slice(i, i + 5000).map((r) => ({
        employee_id: r.employeeId,
        location_id: r.locationId,
        clock_in_at: r.clockInAt.toISOString(),
        clock_out_at: r.clockOutAt ? r.clockOutAt.toISOString() : null,
        clock_in_punch_id: r.clockInPunchId,
        clock_out_punch_id: r.clockOutPunchId ?? null,
        breaks: r.breaks ?? [],
      })),
    );
    await db.execute(sql`
      INSERT INTO work_shifts (employee_id, location_id, clock_in_at, clock_out_at, clock_in_punch_id, clock_out_punch_id, breaks)
      SELECT employee_id, location_id, clock_in_at, clock_out_at, clock_in_punch_id, clock_out_punch_id, breaks
      FROM jsonb_to_recordset(${json}::jsonb) AS x(employee_id uuid, location_id uuid, clock_in_at timestamptz, clock_out_at timestamptz,
        clock_in_punch_id uuid, clock_out_punch_id uuid, breaks jsonb)`);
  }
}
