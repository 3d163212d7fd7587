import type { Logger } from 'pino';
import { Temporal } from 'temporal-polyfill';
import type { z } from 'zod';
import type * as c from '../../../contract/coverage.ts';
import type { Db, Tx } from '../../db/client.ts';
import type { ConsumerDefinition } from '../../events/consumer.ts';
import { systemActor, type EventLog, type StoredEvent } from '../../events/event-log.ts';
import { forbidden, notFound } from '../../lib/app-error.ts';
import type { Clock } from '../../lib/clock.ts';
import { inScope, isOrgWide, type Principal } from '../../lib/principal.ts';
import type { ScheduleService } from '../schedule/schedule.service.ts';
import {
  bucketsBetween,
  computeHours,
  headcountMinutes,
  localDateOf,
  MINUTE,
  OPEN_SHIFT_LIMIT_MS,
  stepsOfMinutes,
  uncoveredMinutes,
  workedIntervals,
  type CoverageHour,
  type Interval,
  type Step,
} from './coverage-engine.ts';
import * as repo from './coverage.repository.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Coverage is kept for five weeks back and two ahead; older rows stay as history. */
export const WINDOW_PAST_MS = 35 * DAY;
export const WINDOW_FUTURE_MS = 14 * DAY;

export interface CoverageDeps {
  db: Db;
  events: EventLog;
  clock: Clock;
  log: Logger;
  schedule: ScheduleService;
  /** An open shift longer than this is a missed clock-out (config MISSED_CLOCK_OUT_HOURS, shared with the time clock). */
  missedClockOutMs?: number | undefined;
}

/** A span of time to recompute at one location, or at every location (`'*'`). */
export interface Affected {
  locationId: string | '*';
  fromMs: number;
  toMs: number;
  /** Only who was on the floor can have changed (a punch): the schedule side of the rows stands. */
  staffedOnly?: boolean;
  /**
   * Also every location where this person's worked shifts overlap the span: a shift belongs to the
   * location of its clock-in, so a clock-out or break punched at another site changes that one.
   */
  employeeId?: string;
}

const iso = (zone: string, ms: number) =>
  Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toString({ timeZoneName: 'never', smallestUnit: 'second' });
const hhmm = (zone: string, ms: number) => Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toPlainTime().toString({ smallestUnit: 'minute' });
const weekdays = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const dayLabel = (zone: string, ms: number) => weekdays[Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).dayOfWeek];
const fmt = (minutes: number) => {
  const h = Math.floor(minutes / 60);
  const m = Math.round(minutes % 60);
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${m} min`;
};
const people = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
/** Below this many minutes of a scheduled hour not clocked in, a person is not named as missing (a minute late is noise). */
const MISSING_MINUTES = 5;

/** What part of the coverage table an event can change. Pure, so it is tested on its own. */
export function affectedBy(event: StoredEvent, nowMs: number): Affected[] {
  const p = event.payload as Record<string, any>;
  const at = (v: unknown) => (typeof v === 'string' ? Date.parse(v) : NaN);
  switch (event.type) {
    case 'clock_event.recorded':
    case 'clock_event.placed': {
      // A punch changes who was staffed from its instant until now (open shifts run until now).
      if (p.state === 'pending') return [];
      return [{ locationId: p.locationId, fromMs: at(p.at), toMs: Math.max(nowMs, at(p.at)) + 1, staffedOnly: true, employeeId: p.employeeId }];
    }
    case 'clock_event.corrected': {
      const times = [at(p.after?.at), at(p.before?.at)].filter((t) => !Number.isNaN(t));
      const from = Math.min(...times);
      const locations = [p.after?.locationId, p.before?.locationId].filter(Boolean) as string[];
      return [...new Set(locations)].map((locationId) => ({ locationId, fromMs: from, toMs: Math.max(nowMs, from) + 1, staffedOnly: true, employeeId: p.employeeId }));
    }
    case 'adjustment.approved':
    case 'adjustment.revoked':
      // Time off cuts, extra and changed shifts, swaps: all within a day of the adjustment's window.
      return [{ locationId: '*', fromMs: at(p.start) - DAY, toMs: at(p.end) + DAY }];
    case 'contract.created': {
      const from = Date.parse(`${p.after?.effectiveFrom}T00:00:00Z`) - 2 * DAY;
      const to = p.after?.effectiveTo ? Date.parse(`${p.after.effectiveTo}T00:00:00Z`) + 2 * DAY : nowMs + WINDOW_FUTURE_MS;
      return [{ locationId: '*', fromMs: from, toMs: to }];
    }
    case 'holiday.created':
    case 'holiday.deleted': {
      const date = (p.after ?? p.before)?.date as string | undefined;
      if (!date || !event.scope.locationId) return [];
      const day = Date.parse(`${date}T00:00:00Z`);
      return [{ locationId: event.scope.locationId, fromMs: day - 2 * DAY, toMs: day + 3 * DAY }];
    }
    case 'demand.updated':
      return event.scope.locationId ? [{ locationId: event.scope.locationId, fromMs: -Infinity, toMs: Infinity }] : [];
    case 'employee.deactivated':
      return [{ locationId: '*', fromMs: nowMs - DAY, toMs: Infinity }];
    case 'location.created':
      return [{ locationId: event.entity.id, fromMs: -Infinity, toMs: Infinity }];
    case 'location.updated':
      // A new zone moves every bucket: the location's window is recomputed and rows of the old zone's
      // hours are removed (see `recompute`). A new name changes no row.
      return p.after?.timezone !== undefined && p.after.timezone !== p.before?.timezone ? [{ locationId: event.entity.id, fromMs: -Infinity, toMs: Infinity }] : [];
    default:
      return [];
  }
}

/**
 * Coverage per location and local hour: maintained by a log consumer that recomputes only the hours
 * an event can change, moved along each minute by `tick` (the hours that elapsed, the days that came
 * into the window), caught up at start-up, and rebuilt from the raw tables on demand. Whatever writes
 * rows outside the consumer holds the consumer's lock, so the writers never interleave. Both paths go through `recompute`, so they agree by construction; the property test
 * checks the part that is not by construction: which hours an event touches.
 */
export function createCoverageService({ db, events, clock, log, schedule, missedClockOutMs = OPEN_SHIFT_LIMIT_MS }: CoverageDeps) {
  const windowOf = (nowMs: number) => ({ fromMs: nowMs - WINDOW_PAST_MS, toMs: nowMs + WINDOW_FUTURE_MS });

  /** Recomputes [fromMs, toMs) at the given locations (clipped to the window); writes rows; returns changed hours. */
  async function recompute(tx: Tx, affected: Affected[], nowMs: number, { reuseMinutes = true } = {}) {
    // Every read goes through the transaction: the embedded database has one connection, and a read
    // outside a transaction that is open would wait for it forever.
    const window = windowOf(nowMs);
    const locations = await repo.findLocationsWithDemand(tx);
    const spans = new Map<string, { fromMs: number; toMs: number; staffedOnly: boolean }>();
    const resolved = [...affected];
    // A punch also changes the hours of the location where that person's shift began (a clock-out at
    // another site closes it). One query for the whole batch: a consumer step carries hundreds of punches.
    const personal = affected
      .filter((a) => a.employeeId && a.locationId !== '*')
      .map((a) => ({ ...a, fromMs: Math.max(window.fromMs, a.fromMs), toMs: Math.min(window.toMs, a.toMs) }))
      .filter((a) => a.fromMs < a.toMs);
    if (personal.length > 0) {
      // Per person, the one location all their punches here are at (null: several): only their shifts
      // elsewhere can add a location.
      const onlyAt = new Map<string, string | null>();
      for (const a of personal) onlyAt.set(a.employeeId!, onlyAt.has(a.employeeId!) && onlyAt.get(a.employeeId!) !== a.locationId ? null : a.locationId);
      // `fromMs - 1`: the shift a clock-out at `fromMs` closes ends exactly there.
      const shifts = await repo.findShiftsElsewhere(
        tx,
        [...onlyAt].map(([employeeId, at]) => ({ employeeId, onlyAt: at })),
        new Date(Math.min(...personal.map((a) => a.fromMs)) - 1),
        new Date(Math.max(...personal.map((a) => a.toMs))),
      );
      const shiftsOf = new Map<string, typeof shifts>();
      for (const s of shifts) {
        const list = shiftsOf.get(s.employeeId);
        if (list) list.push(s);
        else shiftsOf.set(s.employeeId, [s]);
      }
      for (const a of personal) {
        const elsewhere = new Set<string>();
        for (const s of shiftsOf.get(a.employeeId!) ?? []) {
          if (s.locationId === a.locationId) continue;
          if (s.clockInAt.getTime() < a.toMs && (s.clockOutAt === null || s.clockOutAt.getTime() > a.fromMs - 1)) elsewhere.add(s.locationId);
        }
        for (const locationId of elsewhere) resolved.push({ ...a, locationId, employeeId: undefined });
      }
    }
    for (const a of resolved) {
      for (const l of a.locationId === '*' ? locations : locations.filter((x) => x.id === a.locationId)) {
        const fromMs = Math.max(window.fromMs, a.fromMs);
        const toMs = Math.min(window.toMs, a.toMs);
        if (!(fromMs < toMs)) continue;
        const s = spans.get(l.id);
        const staffedOnly = a.staffedOnly === true && (s?.staffedOnly ?? true);
        spans.set(l.id, s ? { fromMs: Math.min(s.fromMs, fromMs), toMs: Math.max(s.toMs, toMs), staffedOnly } : { fromMs, toMs, staffedOnly });
      }
    }
    if (spans.size === 0) return [];
    // The rows there now; where punches alone changed and every hour has its row, the schedule side of
    // the row (scheduled) is kept and the costly schedule expansion is skipped: the live, common case.
    const existing = new Map<string, Map<number, repo.CoverageRow>>();
    const bucketsOf = new Map<string, ReturnType<typeof bucketsBetween>>();
    for (const [locationId, span] of spans) {
      const location = locations.find((l) => l.id === locationId)!;
      const buckets = bucketsBetween(location.timezone, span.fromMs, span.toMs);
      if (buckets.length > 0) bucketsOf.set(locationId, buckets);
    }
    const reads = [...bucketsOf].map(([locationId, b]) => ({ locationId, from: new Date(b[0]!.startMs), to: new Date(b.at(-1)!.endMs) }));
    for (const r of reads) existing.set(r.locationId, new Map());
    for (const row of await repo.findRowsIn(tx, reads)) existing.get(row.locationId)!.set(row.hourStart.getTime(), row);
    let needSchedule = false;
    for (const [locationId, buckets] of bucketsOf) {
      const span = spans.get(locationId)!;
      const rows = existing.get(locationId)!;
      if (!span.staffedOnly || !buckets.every((b) => rows.has(b.startMs) && b.startMs < nowMs)) {
        span.staffedOnly = false;
        needSchedule = true;
      }
    }
    // One schedule expansion for every location that needs it, over the dates they need.
    let shifts: Awaited<ReturnType<typeof schedule.scheduleOfEveryone>> = [];
    if (needSchedule) {
      const minFrom = Math.min(...[...spans.values()].filter((s) => !s.staffedOnly).map((s) => s.fromMs));
      const maxTo = Math.max(...[...spans.values()].filter((s) => !s.staffedOnly).map((s) => s.toMs));
      const fromDate = new Date(minFrom - 2 * DAY).toISOString().slice(0, 10);
      const toDate = new Date(maxTo + DAY).toISOString().slice(0, 10);
      shifts = await schedule.scheduleOfEveryone(fromDate, toDate, tx);
    }
    const computedAt = new Date(nowMs);
    const changed: { locationId: string; timezone: string; hours: CoverageHour[]; write: CoverageHour[]; stray: Date[] }[] = [];
    // Read and compute everything first, write at the end: the transaction gets its id (and starts
    // holding back every reader of the log) only for the short write phase.
    // Headcount: the minutes a row already holds before the earliest instant this recompute covers are
    // taken from it (a past minute changes only with an event dated at or before it, and that event's
    // recompute starts there), and worked shifts are read only from there on. Under a stream of punches
    // that is the minute in progress, not every shift of the hour. A rebuild trusts nothing.
    const stepsAt = new Map<string, Step[]>();
    const stepReads = reads.map((r) => {
      const first = bucketsOf.get(r.locationId)![0]!;
      const row = existing.get(r.locationId)!.get(first.startMs);
      const stored = reuseMinutes && row?.staffedMinutes && row.hourEnd.getTime() === first.endMs ? row.staffedMinutes : [];
      const trusted = Math.max(0, Math.min(stored.length, Math.floor((spans.get(r.locationId)!.fromMs - first.startMs) / MINUTE)));
      stepsAt.set(r.locationId, stepsOfMinutes(first.startMs, stored, trusted));
      return { ...r, from: new Date(first.startMs + trusted * MINUTE) };
    });
    for (const step of await repo.findStaffedSteps(tx, stepReads, nowMs, missedClockOutMs)) stepsAt.get(step.locationId)?.push(step);
    for (const [locationId, buckets] of bucketsOf) {
      const span = spans.get(locationId)!;
      const location = locations.find((l) => l.id === locationId)!;
      const from = buckets[0]!.startMs;
      const to = buckets.at(-1)!.endMs;
      const before = existing.get(locationId) ?? new Map<number, repo.CoverageRow>();
      const computed = computeHours({
        buckets,
        demand: location.demand,
        scheduled: span.staffedOnly ? [] : shifts.filter((s) => s.locationId === locationId && s.startMs < to && s.endMs > from),
        staffed: stepsAt.get(locationId)!,
        nowMs,
      });
      // Elapsed hours are judged on staffed, so only `scheduled` itself is carried over from the row.
      const hours = span.staffedOnly ? computed.map((h) => ({ ...h, scheduled: before.get(h.hourStartMs)!.scheduled })) : computed;
      const different = hours.filter((h) => {
        const r = before.get(h.hourStartMs);
        return !r || r.required !== h.required || r.scheduled !== h.scheduled || r.staffed !== h.staffed || r.minStaffed !== h.minStaffed || r.shortMinutes !== h.shortMinutes || r.status !== h.status || r.hourEnd.getTime() !== h.hourEndMs;
      });
      // Rows whose figures stand but whose minutes moved on (or were corrected) are written, not pushed:
      // the next recompute trusts what the row says about each minute.
      const minutesMoved = hours.filter((h) => {
        const stored = before.get(h.hourStartMs)?.staffedMinutes;
        return !stored || stored.length !== h.staffedMinutes.length || stored.some((n, i) => n !== h.staffedMinutes[i]);
      });
      // A row written before its hour ended is provisional (`computed_at < hour_end`); once the hour is
      // over it is written again even when unchanged, so the provisional rows are exactly the ones a
      // restart must recompute (`catchUp`). Such a rewrite changes no figure and is not pushed.
      const differentSet = new Set(different);
      const finalised = hours.filter((h) => {
        const r = before.get(h.hourStartMs);
        return !differentSet.has(h) && r !== undefined && h.hourEndMs <= nowMs && r.computedAt.getTime() < r.hourEnd.getTime();
      });
      const rewrite = [...new Set([...finalised, ...minutesMoved.filter((h) => !differentSet.has(h))])];
      // Rows that are no bucket of the location's zone: left by a zone that changed since.
      const starts = new Set(buckets.map((b) => b.startMs));
      const stray = [...before.values()].filter((r) => !starts.has(r.hourStart.getTime())).map((r) => r.hourStart);
      if (different.length || rewrite.length || stray.length) {
        changed.push({ locationId, timezone: location.timezone, hours: different, write: [...different, ...rewrite], stray });
      }
    }
    for (const { locationId, timezone, hours: different, write, stray } of changed) {
      await repo.deleteRows(tx, locationId, stray);
      await repo.upsertRows(tx, locationId, write, computedAt);
      if (different.length === 0 && stray.length === 0) continue;
      const span = [...different.map((h) => [h.hourStartMs, h.hourEndMs]), ...stray.map((d) => [d.getTime(), d.getTime()])];
      await events.append(tx, {
        type: 'coverage.updated',
        entity: { type: 'coverage', id: locationId },
        actor: systemActor,
        payload: {
          locationId,
          hours: different.length,
          removed: stray.length || undefined,
          from: new Date(Math.min(...span.map((x) => x[0]!))).toISOString(),
          to: new Date(Math.max(...span.map((x) => x[1]!))).toISOString(),
          // The hours themselves when few (the live case), so the page can update without a refetch;
          // never when rows were removed, so the page refetches the range instead.
          rows: different.length <= 4 && stray.length === 0 ? different.map((h) => toHourly(timezone, h)) : undefined,
        },
        scope: { locationId },
      });
    }
    return changed.filter((c) => c.hours.length > 0 || c.stray.length > 0).map(({ locationId, timezone, hours }) => ({ locationId, timezone, hours }));
  }

  function toHourly(zone: string, h: Pick<CoverageHour, 'hourStartMs' | 'hourEndMs' | 'localDate' | 'localHour' | 'required' | 'scheduled' | 'staffed' | 'minStaffed' | 'shortMinutes' | 'status'>): c.CoverageHour {
    return {
      hourStart: iso(zone, h.hourStartMs),
      hourEnd: iso(zone, h.hourEndMs),
      localDate: h.localDate,
      localHour: h.localHour,
      required: h.required,
      scheduled: h.scheduled,
      staffed: h.staffed,
      minStaffed: h.minStaffed,
      shortMinutes: h.shortMinutes,
      status: h.status,
    };
  }

  /**
   * Recomputes every location's window from the raw tables, under the consumer's lock, and moves the
   * consumer's offset to the log's head as it was before the lock was taken: every event up to there
   * committed before the rebuild read anything, so replaying them would only redo the same rows.
   */
  async function rebuild() {
    const head = await events.head();
    const { changed, nowMs } = await events.write(async (tx) => {
      await repo.lockConsumer(tx, consumer.name);
      // The time is read once the lock is held: a wait for the consumer's batch must not date the rows.
      const nowMs = clock.now().getTime();
      const changed = await recompute(tx, [{ locationId: '*', fromMs: -Infinity, toMs: Infinity }], nowMs, { reuseMinutes: false });
      await repo.advanceConsumerOffset(tx, consumer.name, head);
      return { changed, nowMs };
    });
    lastTickMs = Math.max(lastTickMs ?? -Infinity, nowMs);
    return { hours: changed.reduce((n, c) => n + c.hours.length, 0), locations: changed.length };
  }

  /** When the last tick (or rebuild) of this process computed; before the first, the table tells (`catchUp`). */
  let lastTickMs: number | undefined;

  /**
   * Moves coverage along with the clock, under the consumer's lock. First the window's far edge: each
   * location gets rows up to `now + WINDOW_FUTURE_MS` (a new location its whole window), computed from
   * the schedule, so the two weeks ahead never run out. Then every hour that elapsed since the last
   * tick, minus an hour: staffed changes as time passes (open shifts run until now, a future hour starts
   * being judged on who is there), without any event. Only punches' side of those rows can have
   * changed, so the schedule is not expanded for them.
   * With `catchUp` (start-up), "since the last tick" is the earliest row written before its hour ended:
   * the hours a stopped process, or a clock that jumped, left behind.
   */
  async function tick({ catchUp = false }: { catchUp?: boolean } = {}) {
    const { changed, nowMs } = await events.write(async (tx) => {
      await repo.lockConsumer(tx, consumer.name);
      const nowMs = clock.now().getTime();
      const window = windowOf(nowMs);
      const extend: Affected[] = (await repo.findLastHourEnds(tx)).flatMap(({ locationId, lastEnd }) =>
        lastEnd === null ? [{ locationId, fromMs: window.fromMs, toMs: window.toMs }] : lastEnd.getTime() < window.toMs ? [{ locationId, fromMs: lastEnd.getTime(), toMs: window.toMs }] : [],
      );
      const changed = extend.length ? await recompute(tx, extend, nowMs) : [];
      const since =
        catchUp || lastTickMs === undefined ? ((await repo.findOldestProvisionalHour(tx, new Date(window.fromMs), new Date(nowMs)))?.getTime() ?? nowMs) : lastTickMs;
      changed.push(...(await recompute(tx, [{ locationId: '*', fromMs: Math.min(since, nowMs) - HOUR, toMs: nowMs + 1, staffedOnly: true }], nowMs)));
      return { changed, nowMs };
    });
    lastTickMs = Math.max(lastTickMs ?? -Infinity, nowMs);
    return changed;
  }

  const consumer: ConsumerDefinition = {
    name: 'coverage',
    batchSize: 500,
    // At most five runs a second under a stream of punches: each run costs a few reads whatever its
    // batch, so bigger batches keep punches fast, and freshness stays well inside a second.
    minIntervalMs: 200,
    async handle(tx, batch) {
      const nowMs = clock.now().getTime();
      const affected = batch.flatMap((e) => affectedBy(e, nowMs));
      // A batch that touches no hour (sign-ins, schedule requests...) writes nothing.
      if (affected.length === 0) return false;
      await recompute(tx, affected, nowMs);
      return true;
    },
  };

  async function requireLocation(principal: Principal, locationId: string) {
    const location = (await repo.findLocations(db)).find((l) => l.id === locationId);
    if (!location || !(isOrgWide(principal) || (principal.kind === 'user' && principal.scope.locationIds.has(locationId)))) throw notFound('Location');
    if (principal.kind === 'user' && principal.role === 'employee') throw forbidden('Coverage is for managers');
    return location;
  }

  return {
    consumer,
    recompute,
    rebuild,
    isEmpty: async () => (await repo.countRows(db)) === 0,
    tick,
    /** At start-up: recomputes what changed while no process was ticking (see `tick`). */
    catchUp: () => tick({ catchUp: true }),

    /**
     * The admin endpoint. People need the admin role; an API key passes with `coverage:write`, which
     * the auth plugin has checked and which grants nothing else: a rebuild only recomputes derived rows
     * (no data is lost or exposed), so an operations key may run it after a bulk import.
     */
    async requestRebuild(principal: Principal) {
      if (principal.kind === 'user' && principal.role !== 'admin') throw forbidden('A rebuild of coverage is for admins');
      return rebuild();
    },

    async hourly(principal: Principal, q: z.infer<typeof c.coverageQuery>) {
      const location = await requireLocation(principal, q.locationId);
      const from = Temporal.PlainDate.from(q.from).toZonedDateTime(location.timezone).epochMilliseconds;
      const to = Temporal.PlainDate.from(q.to).add({ days: 1 }).toZonedDateTime(location.timezone).epochMilliseconds;
      const rows = await repo.findRowsIn(db, [{ locationId: q.locationId, from: new Date(from), to: new Date(to) }]);
      return {
        locationId: q.locationId,
        timezone: location.timezone,
        items: rows
          .filter((r) => r.hourStart.getTime() >= from)
          .map((r) => toHourly(location.timezone, { ...r, hourStartMs: r.hourStart.getTime(), hourEndMs: r.hourEnd.getTime() })),
      };
    },

    /**
     * Alerts a manager acts on, computed from the current state so they resolve themselves when the
     * cause goes away. Ids are stable (kind + place + time) so a client can track them across refreshes.
     */
    async alerts(principal: Principal, q: { locationId: string }) {
      const location = await requireLocation(principal, q.locationId);
      const zone = location.timezone;
      const nowMs = clock.now().getTime();
      const today = localDateOf(zone, nowMs);
      const dayStart = Temporal.PlainDate.from(today).toZonedDateTime(zone).epochMilliseconds;
      const alerts: c.CoverageAlert[] = [];

      // Who works here, and what a manager in this scope may see of them.
      const rulesOf = await schedule.rulesByLocation();
      const rules = rulesOf(location.id);
      const staff = await repo.findEmployeesAt(db, location.id);
      const names = new Map(staff.map((e) => [e.id, e.name]));
      const visible = (employeeId: string) => {
        const e = staff.find((s) => s.id === employeeId);
        return !!e && (isOrgWide(principal) || inScope(principal, { locationId: location.id, departmentId: e.departmentId }));
      };
      // The schedule from this week's Monday (or yesterday) to its Sunday (or the day after tomorrow).
      const todayDate = Temporal.PlainDate.from(today);
      const weekStart = todayDate.subtract({ days: todayDate.dayOfWeek - 1 });
      const weekStartMs = weekStart.toZonedDateTime(zone).epochMilliseconds;
      const weekEndDate = weekStart.add({ days: 7 }).toString(); // exclusive: next Monday
      const scheduleFrom = Temporal.PlainDate.compare(weekStart, todayDate.subtract({ days: 1 })) < 0 ? weekStart : todayDate.subtract({ days: 1 });
      const scheduleTo = Temporal.PlainDate.compare(weekStart.add({ days: 6 }), todayDate.add({ days: 2 })) > 0 ? weekStart.add({ days: 6 }) : todayDate.add({ days: 2 });
      const everyone = await schedule.scheduleOfEveryone(scheduleFrom.toString(), scheduleTo.toString());
      const shifts = everyone.filter((s) => names.has(s.employeeId));
      const scheduledHere = everyone.filter((s) => s.locationId === location.id);
      const worked = await repo.findWorkShifts(db, location.id, new Date(dayStart - DAY), new Date(nowMs + 1));
      const toShift = (w: (typeof worked)[number]) => ({
        clockInMs: w.clockInAt.getTime(),
        clockOutMs: w.clockOutAt?.getTime() ?? null,
        breaks: w.breaks.map((b) => ({ startMs: Date.parse(b.start), endMs: b.end ? Date.parse(b.end) : null })),
      });
      const onFloor = workedIntervals(worked.map(toShift), nowMs, missedClockOutMs);
      /** Clocked in, breaks included: a person on a break is on shift, not missing. */
      const onShiftOf = (employeeId: string): Interval[] =>
        workedIntervals(worked.filter((w) => w.employeeId === employeeId).map((w) => ({ ...toShift(w), breaks: [] })), nowMs, missedClockOutMs);
      const overlapping = <T extends { startMs: number; endMs: number }>(list: T[], from: number, to: number) => list.filter((i) => i.startMs < to && i.endMs > from);
      const visibleIds = (ids: Iterable<string>) => [...new Set(ids)].filter(visible);

      // Under- and overstaffed hours: today so far, and the next 24 hours by the schedule.
      const rows = await repo.findRowsIn(db, [{ locationId: location.id, from: new Date(dayStart), to: new Date(nowMs + DAY) }]);
      for (const r of rows) {
        if (r.status === 'ok') continue;
        const start = r.hourStart.getTime();
        const end = r.hourEnd.getTime();
        const future = start >= nowMs;
        const judgedEnd = future ? end : Math.min(end, nowMs);
        const level = future ? r.scheduled : r.staffed;
        const short = Math.max(0, r.required - level);
        const when = `${dayLabel(zone, start)} ${hhmm(zone, start)}-${hhmm(zone, end)}`;
        const planned = overlapping(scheduledHere, start, judgedEnd);
        let message: string;
        let employeeIds: string[];
        if (r.status === 'understaffed' && future) {
          // Ahead, the people involved are those the schedule has here: the ones to extend or to ask.
          employeeIds = visibleIds(planned.map((s) => s.employeeId));
          message = `${location.name}, ${when}: ${people(level)} of ${r.required} required scheduled, ${people(short)} short for ${fmt(r.shortMinutes)}`;
        } else if (r.status === 'understaffed') {
          // So far, the ones a manager calls: scheduled here for this hour but not clocked in for at
          // least MISSING_MINUTES of it (late, absent, gone early). A person on a break is on shift.
          const missing = visibleIds(
            planned
              .map((s) => s.employeeId)
              .filter((id) => uncoveredMinutes(planned.filter((s) => s.employeeId === id), onShiftOf(id), start, judgedEnd) >= MISSING_MINUTES),
          );
          employeeIds = missing;
          message =
            `${location.name}, ${when}: ${people(level)} of ${r.required} required on the floor, ${people(short)} short for ${fmt(r.shortMinutes)}` +
            (missing.length ? `; scheduled but not clocked in: ${missing.map((id) => names.get(id)).join(', ')}` : '');
        } else {
          // Overstaffed: the people who could be released or moved, and for how long there were too many.
          const intervals = future ? planned : overlapping(onFloor, start, judgedEnd);
          const overMinutes = headcountMinutes(intervals, start, judgedEnd, r.required).overMinutes;
          employeeIds = visibleIds(future ? planned.map((s) => s.employeeId) : worked.filter((w) => overlapping(workedIntervals([toShift(w)], nowMs, missedClockOutMs), start, judgedEnd).length).map((w) => w.employeeId));
          message = `${location.name}, ${when}: ${people(level)} ${future ? 'scheduled' : 'on the floor'} for ${r.required} required, ${people(level - r.required)} more than needed for ${fmt(overMinutes)}`;
        }
        alerts.push({
          id: `${r.status}:${location.id}:${r.hourStart.toISOString()}`,
          kind: r.status === 'understaffed' ? 'understaffed' : 'overstaffed',
          severity: r.status === 'understaffed' && (short >= 3 || short >= r.required * 0.3) ? 'high' : 'medium',
          locationId: location.id,
          from: iso(zone, start),
          to: iso(zone, end),
          employeeIds,
          message,
        });
      }

      // People: overtime and rest risks from worked and remaining scheduled time; missed clock-outs.
      // Worked time counts wherever the person clocked in: the limits are theirs, not the site's.
      const workedAnywhere = await repo.findWorkShiftsOfEmployees(db, [...names.keys()], new Date(Math.min(weekStartMs, dayStart) - DAY), new Date(nowMs + 1));
      for (const [employeeId, name] of names) {
        if (!visible(employeeId)) continue;
        const mine = worked.filter((w) => w.employeeId === employeeId);
        const workedMine = workedIntervals(workedAnywhere.filter((w) => w.employeeId === employeeId).map(toShift), nowMs, missedClockOutMs);
        const workedSince = (fromMs: number) => workedMine.reduce((t, i) => t + Math.max(0, Math.min(i.endMs, nowMs) - Math.max(i.startMs, fromMs)), 0) / 60_000;
        /** Scheduled minutes still to come, on the shifts of the dates `pick` takes (a break is taken once the shift has started). */
        const stillScheduled = (pick: (date: string) => boolean) =>
          shifts
            .filter((s) => s.employeeId === employeeId && pick(s.date))
            .reduce((t, s) => t + Math.max(0, Math.max(0, s.endMs - Math.max(s.startMs, nowMs)) / 60_000 - (s.startMs >= nowMs ? s.breakMinutes : 0)), 0);
        const lastEnd = (pick: (date: string) => boolean) => Math.max(...shifts.filter((s) => s.employeeId === employeeId && pick(s.date)).map((s) => s.endMs), nowMs);
        // Overtime, today and this week (Monday to Sunday, the schedule's labour-rule week), flagged while
        // there is still scheduled time left to change: worked so far plus what is still scheduled.
        const risks = [
          { period: 'day', pick: (d: string) => d === today, since: dayStart, limit: rules.maxDailyMinutes, key: today, label: 'today' },
          { period: 'week', pick: (d: string) => d >= today && d < weekEndDate, since: weekStartMs, limit: rules.maxWeeklyMinutes, key: `week-${weekStart.toString()}`, label: 'this week' },
        ] as const;
        for (const risk of risks) {
          const workedSoFar = workedSince(risk.since);
          const remaining = stillScheduled(risk.pick);
          const projected = workedSoFar + remaining;
          if (!(projected > risk.limit && remaining > 0)) continue;
          alerts.push({
            id: `overtime_risk:${employeeId}:${risk.key}`,
            kind: 'overtime_risk',
            severity: projected - risk.limit >= 60 ? 'high' : 'medium',
            locationId: location.id,
            from: iso(zone, nowMs),
            to: iso(zone, lastEnd(risk.pick)),
            employeeIds: [employeeId],
            message: `${name} will reach ${fmt(projected)} ${risk.label}, ${fmt(projected - risk.limit)} over the ${fmt(risk.limit)} ${risk.period === 'day' ? 'daily' : 'weekly'} limit: ${fmt(workedSoFar)} worked, ${fmt(remaining)} still scheduled.`,
          });
        }
        const open = mine.find((w) => w.clockOutAt === null);
        if (open && nowMs - open.clockInAt.getTime() > missedClockOutMs) {
          alerts.push({
            id: `missed_clock_out:${employeeId}:${open.clockInAt.toISOString()}`,
            kind: 'missed_clock_out',
            severity: 'high',
            locationId: location.id,
            from: iso(zone, open.clockInAt.getTime()),
            to: iso(zone, nowMs),
            employeeIds: [employeeId],
            message: `${name} has been clocked in for ${fmt((nowMs - open.clockInAt.getTime()) / 60_000)} since ${dayLabel(zone, open.clockInAt.getTime())} ${hhmm(zone, open.clockInAt.getTime())}: probably a missed clock-out.`,
          });
        }
        // Rest: from the end of today's shift (actual clock-out when there is one) to the next scheduled start.
        const todays = shifts.filter((s) => s.employeeId === employeeId && s.date === today).sort((a, b) => a.startMs - b.startMs).at(-1);
        const next = shifts.filter((s) => s.employeeId === employeeId && todays && s.startMs > todays.startMs).sort((a, b) => a.startMs - b.startMs)[0];
        if (todays && next) {
          const lastOut = mine.filter((w) => w.clockOutAt && w.clockOutAt.getTime() > todays.startMs - HOUR).at(-1)?.clockOutAt?.getTime();
          const endMs = lastOut ?? (open ? Math.max(todays.endMs, nowMs) : todays.endMs);
          const rest = (next.startMs - endMs) / 60_000;
          if (rest >= 0 && rest < rules.minRestMinutes) {
            alerts.push({
              id: `rest_risk:${employeeId}:${new Date(next.startMs).toISOString()}`,
              kind: 'rest_risk',
              severity: rest < rules.minRestMinutes - 120 ? 'high' : 'medium',
              locationId: location.id,
              from: iso(zone, endMs),
              to: iso(zone, next.startMs),
              employeeIds: [employeeId],
              message: `${name} gets ${fmt(rest)} of rest before ${dayLabel(zone, next.startMs)} ${hhmm(zone, next.startMs)} (${fmt(rules.minRestMinutes)} required)${lastOut ? `: clocked out ${hhmm(zone, lastOut)}` : ''}.`,
            });
          }
        }
      }
      const order = { high: 0, medium: 1, low: 2 } as const;
      alerts.sort((a, b) => order[a.severity] - order[b.severity] || a.from.localeCompare(b.from));
      return { items: alerts, timezone: zone };
    },
  };
}

export type CoverageService = ReturnType<typeof createCoverageService>;
