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
import { bucketsBetween, computeHours, localDateOf, OPEN_SHIFT_LIMIT_MS, workedIntervals, type CoverageHour } from './coverage-engine.ts';
import * as repo from './coverage.repository.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Coverage is kept for five weeks back and two ahead; older rows stay as history. */
export const WINDOW_PAST_MS = 35 * DAY;
export const WINDOW_FUTURE_MS = 14 * DAY;
const MISSED_CLOCK_OUT_MS = OPEN_SHIFT_LIMIT_MS;

export interface CoverageDeps {
  db: Db;
  events: EventLog;
  clock: Clock;
  log: Logger;
  schedule: ScheduleService;
}

/** A span of time to recompute at one location, or at every location (`'*'`). */
export interface Affected {
  locationId: string | '*';
  fromMs: number;
  toMs: number;
  /** Only who was on the floor can have changed (a punch): the schedule side of the rows stands. */
  staffedOnly?: boolean;
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

/** What part of the coverage table an event can change. Pure, so it is tested on its own. */
export function affectedBy(event: StoredEvent, nowMs: number): Affected[] {
  const p = event.payload as Record<string, any>;
  const at = (v: unknown) => (typeof v === 'string' ? Date.parse(v) : NaN);
  switch (event.type) {
    case 'clock_event.recorded':
    case 'clock_event.placed': {
      // A punch changes who was staffed from its instant until now (open shifts run until now).
      if (p.state === 'pending') return [];
      return [{ locationId: p.locationId, fromMs: at(p.at), toMs: Math.max(nowMs, at(p.at)) + 1, staffedOnly: true }];
    }
    case 'clock_event.corrected': {
      const times = [at(p.after?.at), at(p.before?.at)].filter((t) => !Number.isNaN(t));
      const from = Math.min(...times);
      const locations = [p.after?.locationId, p.before?.locationId].filter(Boolean) as string[];
      return [...new Set(locations)].map((locationId) => ({ locationId, fromMs: from, toMs: Math.max(nowMs, from) + 1, staffedOnly: true }));
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
    default:
      return [];
  }
}

/**
 * Coverage per location and local hour: maintained by a log consumer that recomputes only the hours
 * an event can change, refreshed each minute for the hour in progress, and rebuilt from the raw tables
 * on demand. Both paths go through `recompute`, so they agree by construction; the property test
 * checks the part that is not by construction: which hours an event touches.
 */
export function createCoverageService({ db, events, clock, log, schedule }: CoverageDeps) {
  const windowOf = (nowMs: number) => ({ fromMs: nowMs - WINDOW_PAST_MS, toMs: nowMs + WINDOW_FUTURE_MS });

  /** Recomputes [fromMs, toMs) at the given locations (clipped to the window); writes rows; returns changed hours. */
  async function recompute(tx: Tx, affected: Affected[], nowMs: number) {
    // Every read goes through the transaction: the embedded database has one connection, and a read
    // outside a transaction that is open would wait for it forever.
    const window = windowOf(nowMs);
    const locations = await repo.findLocations(tx);
    const spans = new Map<string, { fromMs: number; toMs: number; staffedOnly: boolean }>();
    for (const a of affected) {
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
    let needSchedule = false;
    for (const [locationId, span] of spans) {
      const location = locations.find((l) => l.id === locationId)!;
      const buckets = bucketsBetween(location.timezone, span.fromMs, span.toMs);
      if (buckets.length === 0) continue;
      const rows = new Map((await repo.findRows(tx, locationId, new Date(buckets[0]!.startMs), new Date(buckets.at(-1)!.endMs))).map((r) => [r.hourStart.getTime(), r]));
      existing.set(locationId, rows);
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
    const changed: { locationId: string; timezone: string; hours: CoverageHour[] }[] = [];
    // Read and compute everything first, write at the end: the transaction gets its id (and starts
    // holding back every reader of the log) only for the short write phase.
    for (const [locationId, span] of spans) {
      const location = locations.find((l) => l.id === locationId)!;
      const buckets = bucketsBetween(location.timezone, span.fromMs, span.toMs);
      if (buckets.length === 0) continue;
      const from = buckets[0]!.startMs;
      const to = buckets.at(-1)!.endMs;
      const worked = await repo.findWorkShifts(tx, locationId, new Date(from), new Date(to));
      const before = existing.get(locationId) ?? new Map<number, repo.CoverageRow>();
      const computed = computeHours({
        buckets,
        demand: await repo.findDemand(tx, locationId),
        scheduled: span.staffedOnly ? [] : shifts.filter((s) => s.locationId === locationId && s.startMs < to && s.endMs > from),
        staffed: workedIntervals(
          worked.map((w) => ({
            clockInMs: w.clockInAt.getTime(),
            clockOutMs: w.clockOutAt?.getTime() ?? null,
            breaks: w.breaks.map((b) => ({ startMs: Date.parse(b.start), endMs: b.end ? Date.parse(b.end) : null })),
          })),
          nowMs,
        ),
        nowMs,
      });
      // Elapsed hours are judged on staffed, so only `scheduled` itself is carried over from the row.
      const hours = span.staffedOnly ? computed.map((h) => ({ ...h, scheduled: before.get(h.hourStartMs)!.scheduled })) : computed;
      const different = hours.filter((h) => {
        const r = before.get(h.hourStartMs);
        return !r || r.required !== h.required || r.scheduled !== h.scheduled || r.staffed !== h.staffed || r.minStaffed !== h.minStaffed || r.shortMinutes !== h.shortMinutes || r.status !== h.status || r.hourEnd.getTime() !== h.hourEndMs;
      });
      if (different.length) changed.push({ locationId, timezone: location.timezone, hours: different });
    }
    for (const { locationId, timezone, hours: different } of changed) {
      await repo.upsertRows(tx, locationId, different, computedAt);
      await events.append(tx, {
        type: 'coverage.updated',
        entity: { type: 'coverage', id: locationId },
        actor: systemActor,
        payload: {
          locationId,
          hours: different.length,
          from: new Date(different[0]!.hourStartMs).toISOString(),
          to: new Date(different.at(-1)!.hourEndMs).toISOString(),
          // The hours themselves when few (the live case), so the page can update without a refetch.
          rows: different.length <= 4 ? different.map((h) => toHourly(timezone, h)) : undefined,
        },
        scope: { locationId },
      });
    }
    return changed;
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

  async function rebuild() {
    const nowMs = clock.now().getTime();
    const changed = await events.write((tx) => recompute(tx, [{ locationId: '*', fromMs: -Infinity, toMs: Infinity }], nowMs));
    return { hours: changed.reduce((n, c) => n + c.hours.length, 0), locations: changed.length };
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
      if (affected.length) await recompute(tx, affected, nowMs);
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

    /** Refreshes the hour in progress (and the one that just ended) everywhere: staffed changes as time passes. */
    async tick() {
      const nowMs = clock.now().getTime();
      return events.write((tx) => recompute(tx, [{ locationId: '*', fromMs: nowMs - HOUR, toMs: nowMs + 1 }], nowMs));
    },

    async hourly(principal: Principal, q: z.infer<typeof c.coverageQuery>) {
      const location = await requireLocation(principal, q.locationId);
      const from = Temporal.PlainDate.from(q.from).toZonedDateTime(location.timezone).epochMilliseconds;
      const to = Temporal.PlainDate.from(q.to).add({ days: 1 }).toZonedDateTime(location.timezone).epochMilliseconds;
      const rows = await repo.findRows(db, q.locationId, new Date(from), new Date(to));
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

      // Under- and overstaffed hours: today so far, and the next 24 hours by the schedule.
      const rows = await repo.findRows(db, location.id, new Date(dayStart), new Date(nowMs + DAY));
      for (const r of rows) {
        if (r.status === 'ok') continue;
        const start = r.hourStart.getTime();
        const end = r.hourEnd.getTime();
        const future = start >= nowMs;
        const level = future ? r.scheduled : r.staffed;
        const short = Math.max(0, r.required - level);
        const when = `${dayLabel(zone, start)} ${hhmm(zone, start)}-${hhmm(zone, end)}`;
        const message =
          r.status === 'understaffed'
            ? future
              ? `${location.name}, ${when}: ${people(level)} of ${r.required} required scheduled, ${people(short)} short`
              : `${location.name}, ${when}: ${people(level)} of ${r.required} required on the floor, ${people(short)} short for ${fmt(r.shortMinutes)}`
            : `${location.name}, ${when}: ${people(level)} ${future ? 'scheduled' : 'on the floor'} for ${r.required} required, ${people(level - r.required)} more than needed`;
        alerts.push({
          id: `${r.status}:${location.id}:${r.hourStart.toISOString()}`,
          kind: r.status === 'understaffed' ? 'understaffed' : 'overstaffed',
          severity: r.status === 'understaffed' && (short >= 3 || short >= r.required * 0.3) ? 'high' : 'medium',
          locationId: location.id,
          from: iso(zone, start),
          to: iso(zone, end),
          employeeIds: [],
          message,
        });
      }

      // People: overtime and rest risks from today's worked and remaining scheduled time; missed clock-outs.
      const rulesOf = await schedule.rulesByLocation();
      const rules = rulesOf(location.id);
      const staff = await repo.findEmployeesAt(db, location.id);
      const names = new Map(staff.map((e) => [e.id, e.name]));
      const visible = (employeeId: string) => {
        const e = staff.find((s) => s.id === employeeId);
        return !!e && (isOrgWide(principal) || inScope(principal, { locationId: location.id, departmentId: e.departmentId }));
      };
      const shifts = (await schedule.scheduleOfEveryone(Temporal.PlainDate.from(today).subtract({ days: 1 }).toString(), Temporal.PlainDate.from(today).add({ days: 2 }).toString())).filter((s) =>
        names.has(s.employeeId),
      );
      const worked = await repo.findWorkShifts(db, location.id, new Date(dayStart - DAY), new Date(nowMs + 1));
      for (const [employeeId, name] of names) {
        if (!visible(employeeId)) continue;
        const mine = worked.filter((w) => w.employeeId === employeeId);
        const workedToday = workedIntervals(
          mine.map((w) => ({ clockInMs: w.clockInAt.getTime(), clockOutMs: w.clockOutAt?.getTime() ?? null, breaks: w.breaks.map((b) => ({ startMs: Date.parse(b.start), endMs: b.end ? Date.parse(b.end) : null })) })),
          nowMs,
        ).reduce((t, i) => t + Math.max(0, Math.min(i.endMs, nowMs) - Math.max(i.startMs, dayStart)), 0) / 60_000;
        const remaining = shifts
          .filter((s) => s.employeeId === employeeId && s.date === today)
          .reduce((t, s) => t + Math.max(0, s.endMs - Math.max(s.startMs, nowMs)) / 60_000 - (s.startMs >= nowMs ? s.breakMinutes : 0), 0);
        const projected = workedToday + remaining;
        if (projected > rules.maxDailyMinutes && remaining > 0) {
          alerts.push({
            id: `overtime_risk:${employeeId}:${today}`,
            kind: 'overtime_risk',
            severity: projected - rules.maxDailyMinutes >= 60 ? 'high' : 'medium',
            locationId: location.id,
            from: iso(zone, nowMs),
            to: iso(zone, Math.max(...shifts.filter((s) => s.employeeId === employeeId && s.date === today).map((s) => s.endMs), nowMs)),
            employeeIds: [employeeId],
            message: `${name} will reach ${fmt(projected)} today (${fmt(rules.maxDailyMinutes)} limit): ${fmt(workedToday)} worked, ${fmt(remaining)} still scheduled.`,
          });
        }
        const open = mine.find((w) => w.clockOutAt === null);
        if (open && nowMs - open.clockInAt.getTime() > MISSED_CLOCK_OUT_MS) {
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
