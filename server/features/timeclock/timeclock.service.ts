import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Temporal } from 'temporal-polyfill';
import type { z } from 'zod';
import type * as c from '../../../contract/timeclock.ts';
import type { Db, Tx } from '../../db/client.ts';
import type { EventLog, NewEvent } from '../../events/event-log.ts';
import { AppError, forbidden, notFound } from '../../lib/app-error.ts';
import type { Clock } from '../../lib/clock.ts';
import { hashPassword, verifyPassword } from '../../lib/passwords.ts';
import { actorOf, inScope, isOrgWide, type Principal } from '../../lib/principal.ts';
import type { RateLimitStore } from '../../lib/rate-limiter.ts';
import type { ScheduleService } from '../schedule/schedule.service.ts';
import { nextAction, nextState, replayTimeline, timelineOrder, workedMinutes, type ClockState, type DerivedShift, type TimelinePunch } from './clock-rules.ts';
import { parse as parseCsv } from 'csv-parse/sync';
import { uuidV5 } from '../../lib/uuid.ts';
import { localDateOf as localDate } from '../../lib/local-date.ts';
import { createBatcher } from '../../lib/batcher.ts';
import * as repo from './timeclock.repository.ts';

export interface TimeclockOptions {
  /** How late an offline punch may arrive. */
  lateWindowMs: number;
  /** How far ahead of the server's clock a punch may claim to be. */
  futureToleranceMs: number;
  /** An open shift longer than this is a missed clock-out. */
  missedClockOutMs: number;
  /** How long after a scheduled start someone counts as late. */
  lateGraceMs: number;
}
export const defaultTimeclockOptions: TimeclockOptions = {
  lateWindowMs: 72 * 3_600_000,
  futureToleranceMs: 2 * 60_000,
  missedClockOutMs: 16 * 3_600_000,
  lateGraceMs: 5 * 60_000,
};

export interface TimeclockDeps {
  db: Db;
  events: EventLog;
  clock: Clock;
  log: Logger;
  schedule: ScheduleService;
  rateLimits: RateLimitStore;
  options?: Partial<TimeclockOptions>;
}

const iso = (d: Date) => d.toISOString();
/**
 * A punch claiming a time further back than this is a late one (sent from an offline device, imported):
 * it may arrive before the punches it follows, so it waits as pending instead of being refused.
 */
const LIVE_PUNCH_MS = 2 * 60_000;
/**
 * Live punch batches on their way to the database at once, and the most punches one carries: two keep
 * one batch filling while the other commits; a batch never waits for a size, only for a free slot.
 */
const LIVE_BATCHES_IN_FLIGHT = 2;
const LIVE_BATCH_MAX = 100;

/** One employee's already-complete punches for `recordHistory`. */
export interface HistoryInput {
  employeeId: string;
  punches: { id?: string; kind: c.PunchKind; at: Date | string; locationId?: string; source?: string }[];
}
/** Namespace of the name-based ids given to imported punches. */
const IMPORT_NAMESPACE = '6f1c8a52-3d1e-4b7a-9a0e-2b9f4c1d7e10';
const zonedIso = (zone: string, ms: number) =>
  Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toString({ timeZoneName: 'never', smallestUnit: 'second' });
const addDays = (date: string, n: number) => Temporal.PlainDate.from(date).add({ days: n }).toString();

function toClockEvent(p: repo.PunchRow): c.ClockEvent {
  return {
    id: p.id,
    employeeId: p.employeeId,
    locationId: p.locationId,
    kind: p.kind,
    at: iso(p.at),
    source: p.source,
    recordedAt: iso(p.recordedAt),
    correctionOf: p.correctionOf,
    supersededBy: p.supersededBy,
    reason: p.reason,
    state: p.state,
  };
}

const toTimeline = (p: repo.PunchRow): TimelinePunch => ({ id: p.id, kind: p.kind, atMs: p.at.getTime(), recordedMs: p.recordedAt.getTime(), locationId: p.locationId });

/** Neutralises cells a spreadsheet would run as a formula, then quotes for CSV. */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Punches, worked shifts, the live floor and timesheets. Every accepted punch is one event; the
 * worked shifts are derived from the punches, and the database allows one open shift per person.
 */
export function createTimeclockService(deps: TimeclockDeps) {
  const { db, events, clock, schedule, rateLimits } = deps;
  const options = { ...defaultTimeclockOptions, ...deps.options };

  async function employeeFor(principal: Principal, employeeId: string, executor: Db | Tx = db) {
    const employee = await repo.findEmployee(executor, employeeId);
    const own = principal.kind === 'user' && principal.employeeId === employeeId;
    if (!employee || !(own || inScope(principal, employee))) throw notFound('Employee');
    if (!employee.active) throw new AppError('UNPROCESSABLE', 'This person is not active', { field: 'employeeId' });
    return employee;
  }

  const requestHash = (input: c.ClockEventCreate) =>
    createHash('sha256')
      .update(JSON.stringify([input.employeeId, input.kind, input.at ?? null, input.locationId ?? null, input.source ?? null]))
      .digest('hex');

  function replayOf(existing: repo.PunchRow, hash: string) {
    if (existing.requestHash !== hash) {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This id was already used for a different punch; make a new id', { id: existing.id });
    }
    return { created: false as const, event: toClockEvent(existing) };
  }

  /**
   * Writes the worked shifts implied by the timeline after `anchor` (where the person is known to be
   * out): the shifts there are deleted and rebuilt, in the caller's transaction.
   */
  async function rebuildShifts(tx: Tx, employeeId: string, anchor: Date | undefined, shifts: DerivedShift[]) {
    await repo.deleteWorkShiftsAfter(tx, employeeId, anchor);
    for (const s of shifts) {
      await repo.insertWorkShift(tx, {
        employeeId,
        locationId: s.locationId,
        clockInAt: new Date(s.clockIn.atMs),
        clockOutAt: s.clockOut ? new Date(s.clockOut.atMs) : null,
        clockInPunchId: s.clockIn.id,
        clockOutPunchId: s.clockOut?.id ?? null,
        breaks: s.breaks.map((b) => ({ start: new Date(b.startMs).toISOString(), end: b.endMs === null ? null : new Date(b.endMs).toISOString() })),
      });
    }
  }

  /** Inserts a punch; a concurrent request that took the same id first (another employee's lock) wins. */
  async function insertOnce(tx: Tx, punch: repo.PunchRow) {
    const inserted = await repo.insertPunch(tx, punch);
    // Punches of different employees do not share a clock lock, so the id check before the insert can
    // miss a twin still in flight; the insert then does nothing, and nothing else may be written.
    if (!inserted) throw idReused(punch.id);
  }

  const idReused = (id: string) => new AppError('IDEMPOTENCY_KEY_REUSED', 'This id was already used for a different punch; make a new id', { id });

  /**
   * What a punch appended at the end of the timeline does to the open worked shift, or the error that
   * says why it does not fit (a second clock-in, a clock-out while out...).
   */
  function liveChange(punch: repo.PunchRow, open: repo.WorkShiftRow | undefined): { shift: repo.LiveShiftChange } | { error: AppError } {
    const state: ClockState = !open ? 'out' : open.breaks.at(-1)?.end === null ? 'break' : 'in';
    const next = nextState(state, punch.kind);
    if (typeof next !== 'string') return { error: new AppError(next.error, next.message) };
    if (punch.kind === 'clock_in') return { shift: { kind: 'open', shiftId: randomUUID() } };
    if (!open) return { shift: { kind: 'none' } };
    const breaks = [...open.breaks];
    const at = punch.at.toISOString();
    if (punch.kind === 'break_start') breaks.push({ start: at, end: null });
    if (punch.kind === 'break_end' || (punch.kind === 'clock_out' && breaks.at(-1)?.end === null)) breaks[breaks.length - 1] = { ...breaks.at(-1)!, end: at };
    const out = punch.kind === 'clock_out';
    return { shift: { kind: 'update', shiftId: open.id, breaks, clockOutAt: out ? punch.at : null, clockOutPunchId: out ? punch.id : null } };
  }

  /**
   * Places a new punch in the employee's timeline and updates the worked shifts. A live punch (at about
   * now) must fit the current state or is refused with the code that says why. A late punch (offline,
   * imported) is replayed into the past from the last clock-out before it; if it does not fit yet (its
   * partner is still on its way from an offline device, in any order) it waits as pending, and every
   * later late punch retries the pending ones with it. A correction (`strict`) never waits: see correct().
   */
  async function place(
    tx: Tx,
    punch: repo.PunchRow,
    opts: {
      replacing?: repo.PunchRow | undefined;
      /** The latest punch and open shift when the caller has read them already (under the clock lock). */
      known?: { latest: repo.PunchRow | undefined; open: repo.WorkShiftRow | undefined };
      /** Refuse instead of keeping the punch pending (corrections). */
      strict?: boolean;
      /**
       * The punch's event if it is placed at the end of the timeline, then written with the punch
       * (`logged`), and the clock's version this transaction raised it to.
       */
      liveEvent?: { event: NewEvent; clockVersion: number };
    } = {},
  ): Promise<{ state: 'placed' | 'pending'; alsoPlaced: repo.PunchRow[]; logged: boolean }> {
    const { replacing, known, strict = false, liveEvent } = opts;
    const latest = known ? known.latest : await repo.findLatestPunch(tx, punch.employeeId);
    const candidate = toTimeline(punch);
    const late = punch.at.getTime() < punch.recordedAt.getTime() - LIVE_PUNCH_MS;
    // Pending punches wait for a late partner; a live punch does not look for them (the fast path).
    let pending = replacing || !(late || strict) ? undefined : await repo.findPendingPunches(tx, punch.employeeId);
    const appendsAtEnd = !replacing && (!latest || latest.at.getTime() <= candidate.atMs);
    if (appendsAtEnd) {
      const open = known ? known.open : await repo.findOpenShift(tx, punch.employeeId);
      const change = liveChange(punch, open);
      // A live punch that does not fit is refused; a late one may be waiting for a partner still on its way.
      if ('error' in change && (!late || strict)) throw change.error;
      if ('shift' in change && !pending?.length) {
        const { shift } = change;
        if (liveEvent) {
          // The punch, its shift change and its event in one statement (the clock is ours already).
          const [outcome] = await repo.writeLivePunches((statement, logged) => events.writeBatch(statement, logged, tx), [
            { punch, shift, version: liveEvent.clockVersion, event: liveEvent.event },
          ]);
          if (outcome === 'id-taken') throw idReused(punch.id);
          if (outcome !== 'written') throw new Error('The clock moved while this transaction held it');
          return { state: 'placed', alsoPlaced: [], logged: true };
        }
        await insertOnce(tx, punch);
        if (shift.kind === 'open') {
          await repo.insertWorkShift(tx, { employeeId: punch.employeeId, locationId: punch.locationId, clockInAt: punch.at, clockInPunchId: punch.id, breaks: [] });
        } else if (shift.kind === 'update') {
          await repo.updateWorkShift(tx, shift.shiftId, shift.clockOutAt ? { clockOutAt: shift.clockOutAt, clockOutPunchId: shift.clockOutPunchId!, breaks: shift.breaks } : { breaks: shift.breaks });
        }
        return { state: 'placed', alsoPlaced: [], logged: false };
      }
    }
    pending ??= replacing ? [] : await repo.findPendingPunches(tx, punch.employeeId);
    const earliest = Math.min(punch.at.getTime(), replacing?.at.getTime() ?? Infinity, ...pending.map((p) => p.at.getTime()));
    const anchor = await repo.findAnchorClockOut(tx, punch.employeeId, new Date(earliest));
    const placed = (await repo.findActivePunchesAfter(tx, punch.employeeId, anchor)).filter((p) => p.id !== replacing?.id).map(toTimeline);
    const attempt = (extra: TimelinePunch[]) => {
      const timeline = [...placed, candidate, ...extra].sort(timelineOrder);
      return { timeline, replay: replayTimeline(timeline) };
    };
    let { timeline, replay } = attempt(pending.map(toTimeline));
    let alsoPlaced = pending;
    if (!replay.ok) ({ timeline, replay } = attempt([])), (alsoPlaced = []);
    if (!replay.ok) {
      const failing = timeline[replay.index]!;
      if (replacing || strict) {
        if (failing.id === punch.id) throw new AppError(replay.error, replacing ? replay.message : `This punch does not fit the punches around it (${replay.message})`);
        throw new AppError('PUNCH_CONFLICT', `This correction does not fit the punches around it (${replay.message})`, { conflictsWith: failing.id });
      }
      await insertOnce(tx, { ...punch, state: 'pending' });
      return { state: 'pending', alsoPlaced: [], logged: false };
    }
    await insertOnce(tx, punch);
    await repo.markPlaced(tx, alsoPlaced.map((p) => p.id));
    await rebuildShifts(tx, punch.employeeId, anchor, replay.shifts);
    return { state: 'placed', alsoPlaced, logged: false };
  }

  const lockedError = (lock: { id: string; from: string; to: string }) =>
    new AppError('PERIOD_LOCKED', `The timesheet for ${lock.from} to ${lock.to} is approved and locked`, { lockId: lock.id });

  async function assertNotLocked(tx: Tx, locationId: string, zone: string, atMs: number) {
    const lock = await repo.findLocksCovering(tx, locationId, localDate(zone, atMs));
    if (lock) throw lockedError(lock);
  }

  /** Pending punches that a newer one let fall into place count from now: coverage and the floor follow these events. */
  async function appendPlaced(tx: Tx, principal: Principal, employee: { id: string; name: string; departmentId: string }, placedBy: string, placed: repo.PunchRow[]) {
    for (const p of placed) {
      await events.append(tx, {
        type: 'clock_event.placed',
        entity: { type: 'clock_event', id: p.id },
        actor: actorOf(principal),
        payload: { employeeId: employee.id, employeeName: employee.name, kind: p.kind, at: iso(p.at), locationId: p.locationId, placedBy },
        scope: { employeeId: employee.id, departmentId: employee.departmentId, locationId: p.locationId },
      });
    }
  }

  /** The clock state of an employee or location that does not exist: `admit` refuses before it is read. */
  const noClockState = { existing: undefined, latest: undefined, open: undefined, lock: undefined };
  type FoundEmployee = NonNullable<Awaited<ReturnType<typeof repo.lockClockAndFindEmployee>>>;
  type ClockStateRead = Awaited<ReturnType<typeof repo.readClockState>>;
  type Admitted =
    | { replay: { created: false; event: c.ClockEvent } }
    | { replay?: undefined; punch: repo.PunchRow; employee: FoundEmployee['employee']; recorded: (state: 'placed' | 'pending') => NewEvent };

  /**
   * The rules every new punch passes, whichever path writes it: who may punch for whom, the location,
   * a retried id (answered with the original whatever the time now, so checked before the time rules),
   * the future and late limits, and a locked timesheet. Answers the punch to write and its event.
   */
  function admit(
    principal: Principal,
    input: c.ClockEventCreate,
    source: string,
    found: Partial<FoundEmployee> | undefined,
    state: Pick<ClockStateRead, 'existing' | 'lock'>,
    times: { now: number; at: number; allowOld: boolean },
  ): Admitted {
    const { now, at, allowOld } = times;
    const employee = found?.employee;
    const own = principal.kind === 'user' && principal.employeeId === employee?.id;
    if (!employee || !(own || inScope(principal, employee))) throw notFound('Employee');
    if (!employee.active) throw new AppError('UNPROCESSABLE', 'This person is not active', { field: 'employeeId' });
    if (principal.kind === 'user' && principal.role === 'employee' && !own) throw forbidden('You can only punch for yourself');
    const location = found.location;
    if (!location) throw new AppError('UNPROCESSABLE', 'The location does not exist', { field: 'locationId' });
    const hash = requestHash(input);
    if (state.existing) return { replay: replayOf(state.existing, hash) };
    if (at > now + options.futureToleranceMs) throw new AppError('PUNCH_IN_FUTURE', 'A punch cannot be more than 2 minutes in the future; check the device clock');
    if (!allowOld && at < now - options.lateWindowMs) {
      throw new AppError('PUNCH_TOO_OLD', `A punch may arrive at most ${Math.round(options.lateWindowMs / 3_600_000)} h late; ask a manager to add it as a correction`);
    }
    if (state.lock) throw lockedError(state.lock);
    const locationId = location.id;
    const punch: repo.PunchRow = {
      id: input.id,
      employeeId: employee.id,
      locationId,
      kind: input.kind,
      at: new Date(at),
      source: input.source ?? source,
      requestHash: hash,
      recordedAt: new Date(now),
      recordedBy: actorOf(principal).name,
      correctionOf: null,
      supersededBy: null,
      reason: null,
      state: 'placed',
    };
    const recorded = (placed: 'placed' | 'pending'): NewEvent => ({
      type: 'clock_event.recorded',
      entity: { type: 'clock_event', id: punch.id },
      actor: actorOf(principal),
      payload: {
        employeeId: employee.id,
        employeeName: employee.name,
        kind: punch.kind,
        at: iso(punch.at),
        locationId,
        source: punch.source,
        state: placed,
        lateByMinutes: Math.max(0, Math.round((now - at) / 60_000)),
      },
      scope: { employeeId: employee.id, departmentId: employee.departmentId, locationId },
    });
    return { punch, employee, recorded };
  }

  /**
   * Per employee, the clock as this process's last live write for them left it: the version it raised
   * the clock to, their latest punch and open shift, and the employee and location the punch was
   * admitted on. The next live punch for the person starts from here instead of reading: the write
   * only happens if the clock's version is still this one (nothing else wrote their punches or shifts)
   * and what the read would have checked still holds (`RememberedState`); otherwise it writes nothing,
   * the entry goes, and the punch takes the read path. A retry of a punch already stored finds its id
   * taken the same way. Bounded: the oldest entries go first.
   */
  const rememberedClocks = new Map<string, RememberedClock>();
  const REMEMBERED_CLOCKS = 10_000;
  interface RememberedClock {
    version: number;
    latestAtMs: number;
    open: repo.WorkShiftRow | undefined;
    employee: FoundEmployee['employee'];
    location: NonNullable<FoundEmployee['location']>;
  }
  function remember(employeeId: string, clock: RememberedClock) {
    rememberedClocks.delete(employeeId);
    if (rememberedClocks.size >= REMEMBERED_CLOCKS) rememberedClocks.delete(rememberedClocks.keys().next().value!);
    rememberedClocks.set(employeeId, clock);
  }

  /**
   * Live punches written together: the ones that arrive while a batch is on its way to the database go
   * in the next one (see lib/batcher.ts), one statement for all of them, each judged on its own.
   */
  const liveWrites = createBatcher<repo.LivePunchWrite, repo.LivePunchOutcome>({
    run: (writes) => repo.writeLivePunches(events.writeBatch, writes),
    keysOf: (w) => [w.punch.employeeId, w.punch.id],
    maxInFlight: LIVE_BATCHES_IN_FLIGHT,
    maxBatch: LIVE_BATCH_MAX,
  });

  /** The worked shift a live punch leaves open (undefined when it closes the shift or none was open). */
  function openAfter(punch: repo.PunchRow, shift: repo.LiveShiftChange, open: repo.WorkShiftRow | undefined): repo.WorkShiftRow | undefined {
    if (shift.kind === 'open') {
      return { id: shift.shiftId, employeeId: punch.employeeId, locationId: punch.locationId, clockInAt: punch.at, clockInPunchId: punch.id, clockOutAt: null, clockOutPunchId: null, breaks: [] };
    }
    if (shift.kind === 'none' || !open || shift.clockOutAt) return undefined;
    return { ...open, breaks: shift.breaks };
  }

  /**
   * The live path: a punch timed now that goes at the end of the timeline, with no transaction of its
   * own: one statement (`writeLivePunches`, batched, guarded by the clock's version) from a remembered clock, or
   * two (`readLiveClock` first). Answers undefined when the punch needs the slow path: late, not at the
   * end, or the clock moved (another write for this person committed in between), its id was taken
   * meanwhile, or what was remembered no longer holds.
   */
  async function recordLivePunch(principal: Principal, input: c.ClockEventCreate, source: string, now: number, at: number) {
    const known = rememberedClocks.get(input.employeeId);
    // The punch's location is the one named, else the person's own: remembered only if it is that one.
    const fromMemory = known !== undefined && (input.locationId ?? known.employee.locationId) === known.location.id && known.latestAtMs <= at;
    const read = fromMemory
      ? { employee: known.employee, location: known.location, version: known.version, existing: undefined, latest: undefined, open: known.open, lock: undefined }
      : await repo.readLiveClock(db, { punchId: input.id, employeeId: input.employeeId, locationId: input.locationId, atMs: at });
    const admitted = admit(principal, input, source, read, read ?? noClockState, { now, at, allowOld: false });
    if (admitted.replay) return admitted.replay;
    const { punch, recorded } = admitted;
    const { latest, open, version, employee, location } = read!;
    if (latest && latest.at.getTime() > at) return undefined;
    const change = liveChange(punch, open);
    if ('error' in change) {
      // Refused on a remembered state, which may be out of date (or the punch is a retry of one already
      // stored): the locked path judges it again on what is stored, and answers a retry with the original.
      if (fromMemory) {
        rememberedClocks.delete(input.employeeId);
        return undefined;
      }
      throw change.error;
    }
    const event = recorded('placed');
    const remembered = fromMemory
      ? { employeeName: employee.name, departmentId: employee.departmentId, homeLocationId: employee.locationId, timezone: location!.timezone, localDate: localDate(location!.timezone, at) }
      : undefined;
    const outcome = await liveWrites.submit({ punch, shift: change.shift, version, remembered, event });
    if (outcome !== 'written') {
      rememberedClocks.delete(input.employeeId);
      return undefined;
    }
    remember(input.employeeId, { version: version + 1, latestAtMs: at, open: openAfter(punch, change.shift, open), employee, location: location! });
    return { created: true as const, event: toClockEvent(punch) };
  }

  async function recordPunch(
    principal: Principal,
    input: c.ClockEventCreate,
    source: string,
    /** Imports of another clock's history may be older than the offline window. */
    { allowOld = false } = {},
  ): Promise<{ created: boolean; event: c.ClockEvent }> {
    const now = clock.now().getTime();
    const at = input.at ? Date.parse(input.at) : now;
    if (at >= now - LIVE_PUNCH_MS) {
      const live = await recordLivePunch(principal, input, source, now, at);
      if (live) return live;
    }
    // The slow path, in a transaction holding the employee's clock: late punches, punches that go
    // before others, and live ones whose clock moved while they were read.
    return events.write(async (tx) => {
      const found = await repo.lockClockAndFindEmployee(tx, input.employeeId, input.locationId);
      const location = found?.location;
      const state = found?.employee && location
        ? await repo.readClockState(tx, { punchId: input.id, employeeId: found.employee.id, locationId: location.id, date: localDate(location.timezone, at) })
        : noClockState;
      const admitted = admit(principal, input, source, found, state, { now, at, allowOld });
      if (admitted.replay) return admitted.replay;
      const { punch, employee, recorded } = admitted;
      const placement = await place(tx, punch, { known: state, liveEvent: { event: recorded('placed'), clockVersion: found!.clockVersion } });
      if (!placement.logged) await events.append(tx, recorded(placement.state));
      await appendPlaced(tx, principal, employee, punch.id, placement.alsoPlaced);
      return { created: true, event: toClockEvent({ ...punch, state: placement.state }) };
    });
  }

  async function visibleEmployeeIds(
    principal: Principal,
    f: { employeeId?: string | undefined; departmentId?: string | undefined; locationId?: string | undefined },
    { includeInactive = false } = {},
  ) {
    const rows = await db.query.employees.findMany({
      where: (e, { and, eq }) =>
        and(
          includeInactive ? undefined : eq(e.active, true),
          f.employeeId ? eq(e.id, f.employeeId) : undefined,
          f.departmentId ? eq(e.departmentId, f.departmentId) : undefined,
          f.locationId ? eq(e.locationId, f.locationId) : undefined,
        ),
      columns: { id: true, name: true, locationId: true, departmentId: true, externalIds: true, active: true },
    });
    return rows.filter((e) => (principal.kind === 'user' && principal.employeeId === e.id) || inScope(principal, e));
  }

  return {
    recordPunch,

    /**
     * A manager adds a missed punch or moves one. The original stays, superseded, and the correction is
     * its own event with the reason. A correction must fit the employee's timeline now: a payroll
     * manager fixing a timesheet expects the fix to count (or to be told why not), not to wait silently
     * for other punches the way an offline device's late punch does, so one that does not fit is
     * refused (409, with the punch it conflicts with) instead of being kept pending. Pending punches
     * that the correction lets fall into place are placed with it, each with its `clock_event.placed`.
     * The id makes a retry safe: the same id with the same body answers the original (created: false).
     */
    async recordCorrection(principal: Principal, input: z.infer<typeof c.clockCorrection>): Promise<{ created: boolean; event: c.ClockEvent }> {
      if (principal.kind === 'user' && principal.role === 'employee') throw forbidden('Corrections are made by managers');
      const employee = await employeeFor(principal, input.employeeId);
      const locationId = input.locationId ?? employee.locationId;
      const location = await repo.findLocation(db, locationId);
      if (!location) throw new AppError('UNPROCESSABLE', 'The location does not exist', { field: 'locationId' });
      const hash = createHash('sha256')
        .update(JSON.stringify(['correction', input.employeeId, input.kind, input.at, input.locationId ?? null, input.replaces ?? null, input.reason]))
        .digest('hex');
      const at = Date.parse(input.at);
      return events.write(async (tx) => {
        await repo.lockEmployeeClock(tx, employee.id);
        // Under the lock: a retry of this correction answers the original whatever has happened since.
        const existing = await repo.findPunchById(tx, input.id);
        if (existing) {
          if (existing.requestHash !== hash) throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This id was already used; make a new id for a correction', { id: input.id });
          return { created: false, event: toClockEvent(existing) };
        }
        if (at > clock.now().getTime() + options.futureToleranceMs) throw new AppError('PUNCH_IN_FUTURE', 'A correction cannot be in the future');
        const original = input.replaces ? await repo.findPunchById(tx, input.replaces) : undefined;
        if (input.replaces && (!original || original.employeeId !== employee.id)) throw notFound('Punch to replace');
        if (original?.supersededBy) throw new AppError('INVALID_STATE', 'That punch was already corrected');
        await assertNotLocked(tx, locationId, location.timezone, at);
        if (original) {
          // The original's day is judged in its own location's zone, which may not be the correction's.
          const originalLocation = original.locationId === locationId ? location : await repo.findLocation(tx, original.locationId);
          await assertNotLocked(tx, original.locationId, originalLocation?.timezone ?? location.timezone, original.at.getTime());
        }
        const punch: repo.PunchRow = {
          id: input.id,
          employeeId: employee.id,
          locationId,
          kind: input.kind,
          at: new Date(at),
          source: 'correction',
          requestHash: hash,
          recordedAt: clock.now(),
          recordedBy: actorOf(principal).name,
          correctionOf: original?.id ?? null,
          supersededBy: null,
          reason: input.reason,
          state: 'placed',
        };
        if (original) await repo.supersedePunch(tx, original.id, punch.id);
        const placement = await place(tx, punch, { replacing: original, strict: true });
        await events.append(tx, {
          type: 'clock_event.corrected',
          entity: { type: 'clock_event', id: punch.id },
          actor: actorOf(principal),
          payload: {
            employeeId: employee.id,
            employeeName: employee.name,
            reason: input.reason,
            replaces: original?.id ?? null,
            before: original ? { kind: original.kind, at: iso(original.at), locationId: original.locationId } : null,
            after: { kind: punch.kind, at: iso(punch.at), locationId },
            locationId,
          },
          scope: { employeeId: employee.id, departmentId: employee.departmentId, locationId },
        });
        await appendPlaced(tx, principal, employee, punch.id, placement.alsoPlaced);
        return { created: true, event: toClockEvent({ ...punch, state: placement.state }) };
      });
    },

    /** The corrected punch, for callers that do not care whether it was a retry (the demo's floor). */
    async correct(principal: Principal, input: z.infer<typeof c.clockCorrection>): Promise<c.ClockEvent> {
      return (await this.recordCorrection(principal, input)).event;
    },

    /**
     * Bulk history: already-complete punch timelines for a batch of employees (the demo's past weeks, a
     * migration from another clock), written in one transaction with one `clock_event.recorded` event per
     * punch. Each employee's punches must replay through the same state machine as live punches, may not
     * touch a range where that employee already has punches, must start from "clocked out", and may end
     * with an open shift only when nothing of theirs comes later. Refused whole, with the reason, if any
     * employee's history does not fit; nothing is written then.
     */
    async recordHistory(principal: Principal, input: HistoryInput[], { source = 'history' }: { source?: string } = {}) {
      if (principal.kind === 'user' && principal.role === 'employee') throw forbidden('History is recorded by managers');
      const now = clock.now();
      const ids = [...new Set(input.map((h) => h.employeeId))];
      if (ids.length !== input.length) throw new AppError('UNPROCESSABLE', 'Each employee appears once in a history batch');
      const found = new Map((await repo.findEmployeesByIds(db, ids)).map((e) => [e.id, e]));
      const locations = new Map((await repo.findLocations(db)).map((l) => [l.id, l]));
      const prepared = input.map((h) => {
        const employee = found.get(h.employeeId);
        if (!employee || !inScope(principal, employee)) throw notFound('Employee');
        if (!employee.active) throw new AppError('UNPROCESSABLE', `${employee.name} is not active`, { employeeId: employee.id });
        const timeline = h.punches.map((p) => {
          const locationId = p.locationId ?? employee.locationId;
          if (!locations.has(locationId)) throw new AppError('UNPROCESSABLE', 'The location does not exist', { locationId });
          const atMs = new Date(p.at).getTime();
          if (Number.isNaN(atMs)) throw new AppError('UNPROCESSABLE', 'A punch time is not a valid instant', { employeeId: employee.id });
          if (atMs > now.getTime() + options.futureToleranceMs) throw new AppError('PUNCH_IN_FUTURE', `A punch of ${employee.name} is in the future`);
          return { id: p.id ?? randomUUID(), kind: p.kind, atMs, recordedMs: now.getTime(), locationId, source: p.source ?? source };
        });
        timeline.sort((a, b) => a.atMs - b.atMs);
        for (let i = 1; i < timeline.length; i++) {
          if (timeline[i]!.atMs === timeline[i - 1]!.atMs) throw new AppError('UNPROCESSABLE', `Two punches of ${employee.name} claim the same instant`, { employeeId: employee.id });
        }
        const replay = replayTimeline(timeline);
        if (!replay.ok) {
          const p = timeline[replay.index]!;
          throw new AppError(replay.error, `${employee.name}'s history does not fit at ${iso(new Date(p.atMs))} (${p.kind}): ${replay.message}`, { employeeId: employee.id });
        }
        return { employee, timeline, replay };
      }).filter((h) => h.timeline.length > 0);
      const punchIds = prepared.flatMap((h) => h.timeline.map((p) => p.id));
      if (new Set(punchIds).size !== punchIds.length) throw new AppError('UNPROCESSABLE', 'Two punches in the batch share an id');
      if (prepared.length === 0) return { employees: 0, punches: 0, shifts: 0 };

      return events.write(async (tx) => {
        // The same per-employee lock as live punches, in a fixed order so two batches never deadlock.
        for (const id of prepared.map((h) => h.employee.id).sort()) await repo.lockEmployeeClock(tx, id);
        const taken = await repo.findExistingPunchIds(tx, punchIds);
        if (taken.size) throw new AppError('IDEMPOTENCY_KEY_REUSED', 'A punch id in this history is already used', { ids: [...taken].slice(0, 10) });
        const employeeIds = prepared.map((h) => h.employee.id);
        const firstMs = Math.min(...prepared.map((h) => h.timeline[0]!.atMs));
        const lastMs = Math.max(...prepared.map((h) => h.timeline.at(-1)!.atMs));
        const existing = await repo.findPunchesBetween(tx, employeeIds, new Date(firstMs), new Date(lastMs));
        const open = new Map((await repo.findOpenShiftsOf(tx, employeeIds)).map((s) => [s.employeeId, s]));
        const latest = await repo.findLatestPunchTimes(tx, employeeIds);
        const locks = await repo.findLocks(tx, {
          locationIds: [...new Set(prepared.flatMap((h) => h.timeline.map((p) => p.locationId)))],
          from: addDays(new Date(firstMs).toISOString().slice(0, 10), -1),
          to: addDays(new Date(lastMs).toISOString().slice(0, 10), 1),
        });
        for (const { employee, timeline, replay } of prepared) {
          const from = timeline[0]!.atMs;
          const to = timeline.at(-1)!.atMs;
          if (existing.some((p) => p.employeeId === employee.id && p.at.getTime() >= from && p.at.getTime() <= to)) {
            throw new AppError('PUNCH_CONFLICT', `${employee.name} already has punches between ${iso(new Date(from))} and ${iso(new Date(to))}`, { employeeId: employee.id });
          }
          const openShift = open.get(employee.id);
          if (openShift && openShift.clockInAt.getTime() < from) {
            throw new AppError('PUNCH_CONFLICT', `${employee.name} is clocked in since ${iso(openShift.clockInAt)}: the history must start clocked out`, { employeeId: employee.id });
          }
          const later = latest.get(employee.id);
          if (replay.state !== 'out' && later && later.getTime() > to) {
            throw new AppError('PUNCH_CONFLICT', `${employee.name}'s history ends clocked in, but later punches exist`, { employeeId: employee.id });
          }
          for (const lock of locks) {
            const zone = locations.get(lock.locationId)!.timezone;
            const hit = timeline.find((p) => p.locationId === lock.locationId && localDate(zone, p.atMs) >= lock.from && localDate(zone, p.atMs) <= lock.to);
            if (hit) throw new AppError('PERIOD_LOCKED', `The timesheet for ${lock.from} to ${lock.to} is approved and locked`, { lockId: lock.id });
          }
        }
        const actor = actorOf(principal);
        await repo.insertPunchesBulk(
          tx,
          prepared.flatMap(({ employee, timeline }) =>
            timeline.map((p) => ({
              id: p.id,
              employeeId: employee.id,
              locationId: p.locationId,
              kind: p.kind,
              at: new Date(p.atMs),
              source: p.source,
              requestHash: requestHash({ id: p.id, employeeId: employee.id, kind: p.kind, at: iso(new Date(p.atMs)), locationId: p.locationId, source: p.source }),
              recordedAt: now,
              recordedBy: actor.name,
              state: 'placed' as const,
            })),
          ),
        );
        const shifts = prepared.flatMap(({ employee, replay }) =>
          replay.shifts.map((s) => ({
            employeeId: employee.id,
            locationId: s.locationId,
            clockInAt: new Date(s.clockIn.atMs),
            clockOutAt: s.clockOut ? new Date(s.clockOut.atMs) : null,
            clockInPunchId: s.clockIn.id,
            clockOutPunchId: s.clockOut?.id ?? null,
            breaks: s.breaks.map((b) => ({ start: new Date(b.startMs).toISOString(), end: b.endMs === null ? null : new Date(b.endMs).toISOString() })),
          })),
        );
        await repo.insertWorkShiftsBulk(tx, shifts);
        await events.appendMany(
          tx,
          prepared.flatMap(({ employee, timeline }) =>
            timeline.map((p) => ({
              type: 'clock_event.recorded',
              entity: { type: 'clock_event', id: p.id },
              actor,
              payload: {
                employeeId: employee.id,
                employeeName: employee.name,
                kind: p.kind,
                at: iso(new Date(p.atMs)),
                locationId: p.locationId,
                source: p.source,
                state: 'placed',
                lateByMinutes: Math.max(0, Math.round((now.getTime() - p.atMs) / 60_000)),
                history: true,
              },
              scope: { employeeId: employee.id, departmentId: employee.departmentId, locationId: p.locationId },
            })),
          ),
        );
        return { employees: prepared.length, punches: punchIds.length, shifts: shifts.length };
      });
    },

    /** Integrations send batches: each punch is applied on its own, with the same idempotency. */
    async batch(principal: Principal, inputs: c.ClockEventCreate[], source: string) {
      const items: { id: string; status: number; code?: string; message?: string }[] = [];
      for (const input of inputs) {
        try {
          const { created, event } = await recordPunch(principal, input, source);
          items.push({ id: input.id, status: !created ? 200 : event.state === 'pending' ? 202 : 201 });
        } catch (err) {
          if (!(err instanceof AppError) || err.status >= 500) throw err;
          items.push({ id: input.id, status: err.status, code: err.code, message: err.message });
        }
      }
      return {
        items,
        accepted: items.filter((i) => i.status === 201 || i.status === 202).length,
        replayed: items.filter((i) => i.status === 200).length,
        refused: items.filter((i) => i.status >= 400).length,
      };
    },

    /**
     * Imports punches exported by another time clock. Each row's id is derived from its content, so
     * importing the same file again adds nothing; bad rows are reported by line and the rest go in.
     */
    async importCsv(principal: Principal, text: string, mapping: z.infer<typeof c.importMapping>) {
      let parsed: { record: Record<string, string>; info: { lines: number } }[];
      try {
        // Line endings normalised first: csv-parse counts both halves of a CRLF inside a quoted cell as
        // lines, which would shift every line number after a multi-line cell in a Windows file.
        parsed = parseCsv(text.replace(/\r\n?/g, '\n'), { columns: true, skip_empty_lines: true, trim: true, bom: true, relax_column_count: true, info: true });
      } catch (err) {
        throw new AppError('UNPROCESSABLE', `The file is not valid CSV: ${(err as Error).message}`);
      }
      const records = parsed.map((p) => p.record);
      // `info.lines` is the line a record ends on; a record starts as many lines earlier as its quoted
      // cells hold line breaks. Blank lines skipped before it are counted by the parser.
      const lineOf = parsed.map((p) => p.info.lines - Object.values(p.record).reduce((n, v) => n + (typeof v === 'string' ? (v.match(/\n/g)?.length ?? 0) : 0), 0));
      const header = records.length ? Object.keys(records[0]!) : [];
      for (const column of [mapping.employee, mapping.kind, mapping.at, ...(mapping.location ? [mapping.location] : [])]) {
        if (records.length && !header.includes(column)) throw new AppError('UNPROCESSABLE', `The file has no column "${column}"`, { columns: header });
      }
      const employees = await visibleEmployeeIds(principal, {});
      const byKey = new Map<string, string>();
      for (const e of employees) {
        const key = mapping.match === 'id' ? e.id : mapping.match === 'email' ? null : e.externalIds[mapping.match];
        if (key) byKey.set(key.toLowerCase(), e.id);
      }
      if (mapping.match === 'email') {
        const rows = await db.query.employees.findMany({ columns: { id: true, email: true } });
        const visible = new Set(employees.map((e) => e.id));
        for (const r of rows) if (r.email && visible.has(r.id)) byKey.set(r.email.toLowerCase(), r.id);
      }
      const locations = await repo.findLocations(db);
      const kinds: Record<string, c.PunchKind> = {
        clock_in: 'clock_in', in: 'clock_in', 'clock in': 'clock_in', start: 'clock_in',
        clock_out: 'clock_out', out: 'clock_out', 'clock out': 'clock_out', end: 'clock_out',
        break_start: 'break_start', 'break start': 'break_start', break: 'break_start',
        break_end: 'break_end', 'break end': 'break_end', resume: 'break_end',
      };
      const result = { rows: records.length, accepted: 0, replayed: 0, errors: [] as { line: number; message: string; code?: string }[] };
      // Punches in time order, so a file listing one person's day out of order still fits together.
      const prepared: { line: number; punch: c.ClockEventCreate }[] = [];
      records.forEach((r, i) => {
        const line = lineOf[i]!; // the line of the file the row starts on, as an editor numbers it
        const employeeId = byKey.get((r[mapping.employee] ?? '').toLowerCase());
        const kind = kinds[(r[mapping.kind] ?? '').toLowerCase().replace(/-/g, '_').trim()];
        const atMs = Date.parse(r[mapping.at] ?? '');
        const locationCell = mapping.location ? (r[mapping.location] ?? '') : '';
        const location = locationCell ? locations.find((l) => l.id === locationCell || l.name.toLowerCase() === locationCell.toLowerCase()) : undefined;
        if (!employeeId) return result.errors.push({ line, message: `No employee matches "${r[mapping.employee] ?? ''}" by ${mapping.match}` });
        if (!kind) return result.errors.push({ line, message: `Unknown punch kind "${r[mapping.kind] ?? ''}"` });
        if (Number.isNaN(atMs) || !/[zZ]|[+-]\d\d:?\d\d$/.test(r[mapping.at] ?? '')) return result.errors.push({ line, message: `"${r[mapping.at] ?? ''}" is not an instant with a time zone offset` });
        if (locationCell && !location) return result.errors.push({ line, message: `Unknown location "${locationCell}"` });
        const at = new Date(atMs).toISOString();
        prepared.push({ line, punch: { id: uuidV5(`${employeeId}|${kind}|${at}`, IMPORT_NAMESPACE), employeeId, kind, at, locationId: location?.id, source: 'import' } });
      });
      prepared.sort((a, b) => Date.parse(a.punch.at!) - Date.parse(b.punch.at!));
      for (const { line, punch } of prepared) {
        try {
          const { created } = await recordPunch(principal, punch, 'import', { allowOld: true });
          if (created) result.accepted++;
          else result.replayed++;
        } catch (err) {
          if (!(err instanceof AppError) || err.status >= 500) throw err;
          result.errors.push({ line, message: err.message, code: err.code });
        }
      }
      result.errors.sort((a, b) => a.line - b.line);
      return result;
    },

    async listPunches(principal: Principal, q: { employeeId: string; from: string; to: string }) {
      const employee = await employeeFor(principal, q.employeeId);
      const rows = await db.query.punches.findMany({
        where: (p, { and, eq, gte, lt }) => and(eq(p.employeeId, employee.id), gte(p.at, new Date(`${q.from}T00:00:00Z`)), lt(p.at, new Date(Date.parse(`${q.to}T00:00:00Z`) + 86_400_000))),
        orderBy: (p, { asc }) => [asc(p.at)],
      });
      return { items: rows.map(toClockEvent) };
    },

    /** Who is on the floor now, against today's schedule, per location. */
    async live(principal: Principal, q: z.infer<typeof c.liveQuery>) {
      const head = await events.head();
      const now = clock.now().getTime();
      const locations = (await repo.findLocations(db)).filter((l) => l.active && (!q.locationId || l.id === q.locationId));
      const items: c.LivePerson[] = [];
      const open = await repo.findOpenShiftsAtLocations(db, locations.map((l) => l.id));
      // People come from the shifts scheduled and open at each location, not from their home location:
      // someone lent to another site is on that site's floor. One schedule read covers every zone's today.
      const todays = locations.map((l) => localDate(l.timezone, now)).sort();
      const everyone = todays.length ? await schedule.scheduleOfEveryone(addDays(todays[0]!, -1), todays.at(-1)!) : [];
      const atLocations = new Set(locations.map((l) => l.id));
      const candidates = new Set([...everyone.filter((s) => atLocations.has(s.locationId)).map((s) => s.employeeId), ...open.map((s) => s.employeeId)]);
      const people = new Map(
        (await repo.findEmployeesByIds(db, [...candidates])).filter((e) => e.active && (!q.departmentId || e.departmentId === q.departmentId)).map((e) => [e.id, e]),
      );
      for (const location of locations) {
        if (!isOrgWide(principal) && principal.kind === 'user' && principal.role === 'manager' && !principal.scope.locationIds.has(location.id)) continue;
        const zone = location.timezone;
        const today = localDate(zone, now);
        // Whom this principal sees here: their own people wherever they work, and anyone at a location they manage.
        const visibleHere = (id: string) => {
          const e = people.get(id);
          if (!e) return false;
          return (principal.kind === 'user' && principal.employeeId === id) || inScope(principal, e) || inScope(principal, { locationId: location.id, departmentId: null });
        };
        const scheduled = new Map<string, { start: number; end: number }[]>();
        for (const item of everyone) {
          if (item.locationId !== location.id || (item.date !== today && item.date !== addDays(today, -1))) continue;
          if (item.date !== today && item.endMs <= now) continue; // yesterday's shifts that are over
          (scheduled.get(item.employeeId) ?? scheduled.set(item.employeeId, []).get(item.employeeId)!).push({ start: item.startMs, end: item.endMs });
        }
        const dayStart = Date.parse(zonedIso(zone, Temporal.PlainDate.from(today).toZonedDateTime(zone).epochMilliseconds));
        const openHere = open.filter((s) => s.locationId === location.id);
        const ids = new Set([...scheduled.keys(), ...openHere.map((s) => s.employeeId)].filter(visibleHere));
        const worked = await repo.findWorkShifts(db, { employeeIds: [...ids], from: new Date(dayStart), to: new Date(now + 1) });
        for (const id of ids) {
          const employee = people.get(id)!;
          const slots = (scheduled.get(id) ?? []).sort((a, b) => a.start - b.start);
          const slot = slots.find((s) => s.start <= now && now < s.end) ?? slots.find((s) => s.start > now) ?? slots.at(-1) ?? null;
          const mine = worked.filter((w) => w.employeeId === id);
          const current = mine.find((w) => w.clockOutAt === null);
          const onBreak = current?.breaks.at(-1)?.end === null ? Date.parse(current.breaks.at(-1)!.start) : null;
          let status: c.LiveStatus;
          let since: number | null = null;
          if (current) {
            const inAt = current.clockInAt.getTime();
            if (now - inAt > options.missedClockOutMs) [status, since] = ['missed_clock_out', inAt];
            else if (onBreak !== null) [status, since] = ['on_break', onBreak];
            else if (slot && slot.start - 60 * 60_000 <= now && now < slot.end) [status, since] = ['on_shift', inAt];
            else if (slot && slot.end <= now && inAt < slot.end) [status, since] = ['overtime', slot.end];
            else [status, since] = ['unscheduled', inAt];
          } else {
            const workedInSlot = slot ? mine.find((w) => w.clockInAt.getTime() < slot.end && (w.clockOutAt?.getTime() ?? now) > slot.start - 60 * 60_000) : undefined;
            const lastOut = mine.filter((w) => w.clockOutAt).at(-1)?.clockOutAt?.getTime() ?? null;
            if (slot && workedInSlot) [status, since] = ['clocked_out', workedInSlot.clockOutAt!.getTime()];
            else if (slot && slot.end <= now) [status, since] = ['absent', slot.start];
            else if (slot && slot.start + options.lateGraceMs < now) [status, since] = ['late', slot.start];
            else if (slot) [status, since] = ['scheduled', null];
            else [status, since] = ['clocked_out', lastOut];
          }
          items.push({
            employeeId: id,
            name: employee.name,
            departmentId: employee.departmentId,
            // The floor this row belongs to (a person lent from another site is listed where they work).
            locationId: location.id,
            status,
            since: since === null ? null : zonedIso(zone, since),
            scheduled: slot ? { start: zonedIso(zone, slot.start), end: zonedIso(zone, slot.end) } : null,
            actual: current
              ? { clockIn: zonedIso(zone, current.clockInAt.getTime()), clockOut: null, onBreakSince: onBreak === null ? null : zonedIso(zone, onBreak) }
              : mine.at(-1)
                ? { clockIn: zonedIso(zone, mine.at(-1)!.clockInAt.getTime()), clockOut: mine.at(-1)!.clockOutAt ? zonedIso(zone, mine.at(-1)!.clockOutAt!.getTime()) : null, onBreakSince: null }
                : null,
            nextAction: nextAction(current ? (onBreak !== null ? 'break' : 'in') : 'out'),
          });
        }
      }
      items.sort((a, b) => a.name.localeCompare(b.name));
      const counts: Record<string, number> = {};
      for (const i of items) counts[i.status] = (counts[i.status] ?? 0) + 1;
      return { at: new Date(now).toISOString(), seq: head.seq, items, counts };
    },

    async timesheets(principal: Principal, q: z.infer<typeof c.timesheetQuery>) {
      // Deactivated people still appear for the periods they worked in: payroll pays them for it.
      const candidates = await visibleEmployeeIds(principal, q, { includeInactive: true });
      if (q.employeeId && candidates.length === 0) throw notFound('Employee');
      const locations = new Map((await repo.findLocations(db)).map((l) => [l.id, l]));
      const rulesOf = await schedule.rulesByLocation();
      const fromMs = Date.parse(`${q.from}T00:00:00Z`) - 2 * 86_400_000;
      const toMs = Date.parse(`${q.to}T00:00:00Z`) + 3 * 86_400_000;
      const shifts = await repo.findWorkShifts(db, { employeeIds: candidates.map((e) => e.id), from: new Date(fromMs), to: new Date(toMs) });
      const inPeriod = (e: { id: string }) =>
        shifts.some((s) => {
          if (s.employeeId !== e.id) return false;
          const date = localDate(locations.get(s.locationId)?.timezone ?? 'UTC', s.clockInAt.getTime());
          return date >= q.from && date <= q.to;
        });
      const employees = candidates.filter((e) => e.active || inPeriod(e));
      // The schedule keeps no shifts for someone deactivated (and refuses to look one up): none to compare with.
      const onlyInactive = q.employeeId !== undefined && !employees.some((e) => e.id === q.employeeId && e.active);
      const sched = onlyInactive
        ? { items: [] }
        : await schedule.getSchedule(principal, { from: q.from, to: q.to, employeeId: q.employeeId, departmentId: q.departmentId, locationId: q.locationId });
      const scheduledMinutes = new Map<string, number>();
      for (const i of sched.items) scheduledMinutes.set(i.employeeId, (scheduledMinutes.get(i.employeeId) ?? 0) + i.minutes - i.breakMinutes);
      const now = clock.now().getTime();
      const items = employees.map((e) => {
        const zoneOf = (locationId: string) => locations.get(locationId)?.timezone ?? 'UTC';
        const mine = shifts
          .filter((s) => s.employeeId === e.id)
          .map((s) => {
            const zone = zoneOf(s.locationId);
            const date = localDate(zone, s.clockInAt.getTime());
            const breaks = s.breaks.map((b) => ({ startMs: Date.parse(b.start), endMs: b.end ? Date.parse(b.end) : null }));
            const m = workedMinutes({ clockInMs: s.clockInAt.getTime(), clockOutMs: s.clockOutAt?.getTime() ?? null, breaks }, now);
            return {
              id: s.id,
              date,
              locationId: s.locationId,
              clockIn: zonedIso(zone, s.clockInAt.getTime()),
              clockOut: s.clockOutAt ? zonedIso(zone, s.clockOutAt.getTime()) : null,
              breaks: breaks.map((b) => ({ start: zonedIso(zone, b.startMs), end: b.endMs === null ? null : zonedIso(zone, b.endMs) })),
              breakMinutes: m.breaks,
              workedMinutes: s.clockOutAt ? m.worked : 0,
            };
          })
          .filter((s) => s.date >= q.from && s.date <= q.to);
        const rules = rulesOf(e.locationId);
        const perDay = new Map<string, number>();
        const perWeek = new Map<string, number>();
        for (const s of mine) {
          perDay.set(s.date, (perDay.get(s.date) ?? 0) + s.workedMinutes);
          const d = Temporal.PlainDate.from(s.date);
          const week = d.subtract({ days: d.dayOfWeek - 1 }).toString();
          perWeek.set(week, (perWeek.get(week) ?? 0) + s.workedMinutes);
        }
        const daily = [...perDay.values()].reduce((t, m) => t + Math.max(0, m - rules.maxDailyMinutes), 0);
        const weekly = [...perWeek.values()].reduce((t, m) => t + Math.max(0, m - rules.maxWeeklyMinutes), 0);
        const worked = mine.reduce((t, s) => t + s.workedMinutes, 0);
        const scheduledM = scheduledMinutes.get(e.id) ?? 0;
        return {
          employeeId: e.id,
          name: e.name,
          departmentId: e.departmentId,
          locationId: e.locationId,
          shifts: mine,
          workedMinutes: worked,
          overtimeMinutes: Math.max(daily, weekly),
          scheduledMinutes: scheduledM,
          differenceMinutes: worked - scheduledM,
          openShifts: mine.filter((s) => s.clockOut === null).length,
        };
      });
      const departments = new Map<string, { departmentId: string; workedMinutes: number; overtimeMinutes: number; scheduledMinutes: number }>();
      for (const i of items) {
        const d = departments.get(i.departmentId) ?? { departmentId: i.departmentId, workedMinutes: 0, overtimeMinutes: 0, scheduledMinutes: 0 };
        d.workedMinutes += i.workedMinutes;
        d.overtimeMinutes += i.overtimeMinutes;
        d.scheduledMinutes += i.scheduledMinutes;
        departments.set(i.departmentId, d);
      }
      const locks = await repo.findLocks(db, { locationIds: [...new Set(employees.map((e) => e.locationId))], from: q.from, to: q.to });
      return {
        from: q.from,
        to: q.to,
        items,
        departments: [...departments.values()],
        locks: locks.map((l) => ({ id: l.id, locationId: l.locationId, from: l.from, to: l.to, lockedBy: l.lockedBy, lockedAt: iso(l.lockedAt) })),
        employees,
      };
    },

    /**
     * Payroll CSV: one `shift` row per worked shift, then one `total` row per employee with the period's
     * worked minutes, overtime by the location's labour rules, scheduled minutes and the difference
     * (worked minus scheduled). Overtime is a property of the period (the daily or the weekly excess,
     * whichever is larger), not of one shift, so it is on the total row only; ISO instants with offsets;
     * formula-like cells neutralised.
     */
    async timesheetsCsv(principal: Principal, q: z.infer<typeof c.timesheetQuery>) {
      const sheet = await this.timesheets(principal, q);
      const departments = new Map((await db.query.departments.findMany({ columns: { id: true, name: true } })).map((d) => [d.id, d.name]));
      const locations = new Map((await repo.findLocations(db)).map((l) => [l.id, l.name]));
      const payroll = new Map(sheet.employees.map((e) => [e.id, e.externalIds.payroll ?? '']));
      const header = ['employee_id', 'payroll_id', 'name', 'department', 'location', 'date', 'clock_in', 'clock_out', 'break_minutes', 'worked_minutes'];
      const rows = [[...header, 'overtime_minutes', 'scheduled_minutes', 'difference_minutes', 'row_type'].join(',')];
      for (const i of sheet.items) {
        const person = [i.employeeId, payroll.get(i.employeeId), i.name, departments.get(i.departmentId)];
        for (const s of i.shifts) {
          const cells = [...person, locations.get(s.locationId), s.date, s.clockIn, s.clockOut, s.breakMinutes, s.workedMinutes, '', '', '', 'shift'];
          rows.push(cells.map(csvCell).join(','));
        }
        if (i.shifts.length === 0 && i.scheduledMinutes === 0) continue;
        const breakMinutes = i.shifts.reduce((t, s) => t + s.breakMinutes, 0);
        const total = [...person, locations.get(i.locationId), `${sheet.from}/${sheet.to}`, '', '', breakMinutes, i.workedMinutes, i.overtimeMinutes, i.scheduledMinutes, i.differenceMinutes, 'total'];
        rows.push(total.map(csvCell).join(','));
      }
      return `${rows.join('\r\n')}\r\n`;
    },

    async lockPeriod(principal: Principal, input: z.infer<typeof c.timesheetLockCreate>) {
      // A location's manager (not a manager of one department there) approves the whole location's period.
      const allowed = isOrgWide(principal) || (principal.kind === 'user' && principal.role === 'manager' && principal.locationIds.includes(input.locationId));
      if (!allowed || principal.kind === 'api_key') throw forbidden('Timesheets are approved by a manager of the location or an admin');
      const location = await repo.findLocation(db, input.locationId);
      if (!location) throw notFound('Location');
      return events.write(async (tx) => {
        const overlapping = await repo.findLocks(tx, { locationIds: [input.locationId], from: input.from, to: input.to });
        if (overlapping.length) throw new AppError('CONFLICT', 'Part of this period is already locked', { locks: overlapping.map((l) => l.id) });
        const row = await repo.insertLock(tx, { ...input, lockedBy: actorOf(principal).name });
        await events.append(tx, {
          type: 'timesheet.locked',
          entity: { type: 'timesheet_lock', id: row.id },
          actor: actorOf(principal),
          payload: { after: input },
          scope: { locationId: input.locationId },
        });
        return { id: row.id, locationId: row.locationId, from: row.from, to: row.to, lockedBy: row.lockedBy, lockedAt: iso(row.lockedAt) };
      });
    },

    // ---- kiosk ----
    async setPin(principal: Principal, employeeId: string, pin: string) {
      await employeeFor(principal, employeeId);
      if (principal.kind === 'api_key') throw forbidden('PINs are set by people');
      const pinHash = await hashPassword(pin);
      await events.write(async (tx) => {
        await repo.upsertPin(tx, employeeId, pinHash);
        await events.append(tx, { type: 'kiosk_pin.set', entity: { type: 'employee', id: employeeId }, actor: actorOf(principal), payload: {}, scope: { employeeId } });
      });
    },

    async kioskPeople(principal: Principal, locationId: string, q: string | undefined) {
      if (principal.kind === 'user' && principal.role === 'employee') throw forbidden('A kiosk is opened by a manager');
      const people = (await visibleEmployeeIds(principal, { locationId })).filter((e) => {
        if (!q) return true;
        const needle = q.toLowerCase();
        return e.name.toLowerCase().includes(needle) || e.externalIds.badge === q;
      });
      const open = await repo.findOpenShiftsAtLocations(db, undefined);
      const state = new Map(open.map((s) => [s.employeeId, s.breaks.at(-1)?.end === null ? ('break' as const) : ('in' as const)]));
      return {
        items: people.slice(0, 50).map((e) => ({ employeeId: e.id, name: e.name, badge: e.externalIds.badge ?? null, nextAction: nextAction(state.get(e.id) ?? 'out') })),
      };
    },

    /** A kiosk punch: the kiosk is signed in by a manager; the person confirms with their PIN. */
    async kioskPunch(principal: Principal, input: c.ClockEventCreate & { pin: string }) {
      if (principal.kind === 'user' && principal.role === 'employee') throw forbidden('A kiosk is opened by a manager');
      const { pin, ...punch } = input;
      const existing = await repo.findPunchById(db, punch.id);
      if (existing) return replayOf(existing, requestHash({ ...punch, source: punch.source ?? 'kiosk' }));
      const key = `kiosk-pin:${punch.employeeId}`;
      const failures = await rateLimits.peek(key);
      if (failures.count >= 5) {
        const retryAfter = Math.max(1, Math.ceil(failures.resetInMs / 1000));
        throw new AppError('RATE_LIMITED', `Too many wrong PINs; try again in ${retryAfter} s or ask a manager`, { retryAfter }, { 'retry-after': String(retryAfter) });
      }
      const stored = await repo.findPin(db, punch.employeeId);
      if (!stored || !(await verifyPassword(stored.pinHash, pin))) {
        await rateLimits.hit(key, 15 * 60_000);
        throw new AppError('INVALID_CREDENTIALS', stored ? 'Wrong PIN' : 'No PIN is set for this person; ask a manager');
      }
      await rateLimits.reset(key);
      return recordPunch(principal, { ...punch, source: punch.source ?? 'kiosk' }, 'kiosk');
    },
  };
}

export type TimeclockService = ReturnType<typeof createTimeclockService>;
