import { Temporal } from 'temporal-polyfill';

/**
 * Coverage arithmetic, pure: hour buckets in a location's wall clock, and headcount per bucket from
 * intervals at minute precision. The consumer and the rebuild both call `computeHours`, so an hour
 * computed incrementally and the same hour rebuilt from scratch cannot differ.
 */

export interface HourBucket {
  startMs: number;
  endMs: number;
  localDate: string;
  localHour: number;
  weekday: number;
}

const STEP_MS = 15 * 60_000; // every zone's offset is a multiple of 15 minutes
const bucketCache = new Map<string, HourBucket[]>();

/** The local hours of one local date: 24 on most days, 23 or 25 (or a 30-minute hour) around DST. */
export function bucketsOfDate(zone: string, date: string): HourBucket[] {
  const key = `${zone}|${date}`;
  const cached = bucketCache.get(key);
  if (cached) return cached;
  const day = Temporal.PlainDate.from(date);
  const startMs = day.toZonedDateTime(zone).epochMilliseconds;
  const endMs = day.add({ days: 1 }).toZonedDateTime(zone).epochMilliseconds;
  const buckets: (HourBucket & { offset: string })[] = [];
  let current: (HourBucket & { offset: string }) | undefined;
  for (let ms = startMs; ms < endMs; ms += STEP_MS) {
    const z = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone);
    if (current && current.localHour === z.hour && current.offset === z.offset) {
      current.endMs = ms + STEP_MS;
      continue;
    }
    current = { startMs: ms, endMs: ms + STEP_MS, localDate: date, localHour: z.hour, weekday: day.dayOfWeek, offset: z.offset };
    buckets.push(current);
  }
  const clean = buckets.map(({ offset: _offset, ...b }) => ({ ...b, endMs: Math.min(b.endMs, endMs) }));
  if (bucketCache.size > 5_000) bucketCache.clear();
  bucketCache.set(key, clean);
  return clean;
}

export function localDateOf(zone: string, ms: number): string {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toPlainDate().toString();
}

/** Buckets overlapping [fromMs, toMs). */
export function bucketsBetween(zone: string, fromMs: number, toMs: number): HourBucket[] {
  const out: HourBucket[] = [];
  let date = Temporal.PlainDate.from(localDateOf(zone, fromMs));
  const last = localDateOf(zone, toMs - 1);
  for (;;) {
    for (const b of bucketsOfDate(zone, date.toString())) if (b.endMs > fromMs && b.startMs < toMs) out.push(b);
    if (date.toString() >= last) return out;
    date = date.add({ days: 1 });
  }
}

export interface Interval {
  startMs: number;
  endMs: number;
}

export interface Demand {
  weekly: Map<string, number>; // `${weekday}|${hour}`
  overrides: Map<string, number>; // `${date}|${hour}`
}

export function requiredAt(demand: Demand, b: HourBucket): number {
  return demand.overrides.get(`${b.localDate}|${b.localHour}`) ?? demand.weekly.get(`${b.weekday}|${b.localHour}`) ?? 0;
}

export interface CoverageHour {
  hourStartMs: number;
  hourEndMs: number;
  localDate: string;
  localHour: number;
  required: number;
  scheduled: number;
  staffed: number;
  minStaffed: number;
  shortMinutes: number;
  status: 'ok' | 'understaffed' | 'overstaffed';
  /** Headcount in each whole minute of the hour elapsed at `nowMs` (see `staffedMinutesOf`). */
  staffedMinutes: number[];
}

/** Headcount over [fromMs, toMs): the time-weighted sum of people, the minimum, and time below and above `required`. */
function sweep(intervals: Interval[], fromMs: number, toMs: number, required: number) {
  const steps: Step[] = [];
  for (const i of intervals) {
    const s = Math.max(i.startMs, fromMs);
    const e = Math.min(i.endMs, toMs);
    if (s < e) steps.push({ atMs: s, delta: 1 }, { atMs: e, delta: -1 });
  }
  steps.sort((a, b) => a.atMs - b.atMs);
  return sweepFrom(0, steps, 0, fromMs, toMs, required);
}

/**
 * The sweep itself: `count` people at `fromMs`, then each of `steps` from index `first` (sorted by
 * time) moves the count, until `toMs`. Spans of no length are skipped, so the order of steps at one
 * instant does not matter.
 */
function sweepFrom(count: number, steps: Step[], first: number, fromMs: number, toMs: number, required: number) {
  if (toMs <= fromMs) return { personMs: 0, min: 0, shortMs: 0, overMs: 0 };
  let at = fromMs;
  let personMs = 0;
  let shortMs = 0;
  let overMs = 0;
  let min = Infinity;
  const span = (until: number) => {
    if (until <= at) return;
    personMs += count * (until - at);
    if (count < required) shortMs += until - at;
    if (count > required) overMs += until - at;
    min = Math.min(min, count);
    at = until;
  };
  for (let i = first; i < steps.length && steps[i]!.atMs < toMs; i++) {
    span(steps[i]!.atMs);
    count += steps[i]!.delta;
  }
  span(toMs);
  return { personMs, min: min === Infinity ? 0 : min, shortMs, overMs };
}

/** A change in headcount: `delta` people arrive (or leave, when negative) at `atMs`. */
export interface Step {
  atMs: number;
  delta: number;
}

export const MINUTE = 60_000;

/**
 * Intervals as steps of headcount at minute precision, each instant truncated to its minute and summed
 * per minute: what PostgreSQL computes from worked shifts for coverage (`findStaffedSteps`), for
 * callers that hold intervals. Sorted by time.
 */
export function stepsOf(intervals: Interval[]): Step[] {
  const byMinute = new Map<number, number>();
  const add = (ms: number, d: number) => {
    const at = Math.floor(ms / MINUTE) * MINUTE;
    byMinute.set(at, (byMinute.get(at) ?? 0) + d);
  };
  for (const i of intervals) {
    if (i.endMs <= i.startMs) continue;
    add(i.startMs, 1);
    add(i.endMs, -1);
  }
  return [...byMinute].filter(([, d]) => d !== 0).map(([atMs, delta]) => ({ atMs, delta })).sort((a, b) => a.atMs - b.atMs);
}

/**
 * `sweep` over steps of the whole range rather than intervals: the headcount at `fromMs` is the sum of
 * every step up to it (`prefix[k]` is the sum of the first k steps), found by binary search.
 */
function sweepSteps(steps: Step[], prefix: number[], fromMs: number, toMs: number, required: number) {
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid]!.atMs <= fromMs) lo = mid + 1;
    else hi = mid;
  }
  return sweepFrom(prefix[lo]!, steps, lo, fromMs, toMs, required);
}

/**
 * Headcount in each whole minute of [startMs, untilMs), from steps at minute precision sorted by time
 * (`prefix` as in `sweepSteps`): constant within a minute, so the count at the minute's first instant.
 * Empty for a bucket that does not start on a minute (local mean time, centuries ago).
 */
function staffedMinutesOf(steps: Step[], prefix: number[], startMs: number, untilMs: number): number[] {
  if (startMs % MINUTE !== 0) return [];
  const minutes: number[] = [];
  let k = 0;
  while (k < steps.length && steps[k]!.atMs <= startMs) k++;
  for (let at = startMs; at + MINUTE <= untilMs; at += MINUTE) {
    while (k < steps.length && steps[k]!.atMs <= at) k++;
    minutes.push(prefix[k]!);
  }
  return minutes;
}

/**
 * The steps a stored hour's `staffedMinutes` stand for over its first `count` minutes, ending with the
 * headcount back at zero at the last minute's end: what follows there comes from `findStaffedSteps`,
 * whose first step carries the whole headcount at that instant.
 */
export function stepsOfMinutes(startMs: number, minutes: number[], count: number): Step[] {
  const steps: Step[] = [];
  let previous = 0;
  for (let i = 0; i < count; i++) {
    if (minutes[i]! !== previous) steps.push({ atMs: startMs + i * MINUTE, delta: minutes[i]! - previous });
    previous = minutes[i]!;
  }
  if (previous !== 0) steps.push({ atMs: startMs + count * MINUTE, delta: -previous });
  return steps;
}

/** Whole minutes of [fromMs, toMs) with fewer, and with more, people than `required`. */
export function headcountMinutes(intervals: Interval[], fromMs: number, toMs: number, required: number) {
  const s = sweep(intervals, fromMs, toMs, required);
  return { shortMinutes: Math.round(s.shortMs / 60_000), overMinutes: Math.round(s.overMs / 60_000) };
}

/** Whole minutes of `planned` inside [fromMs, toMs) that no interval of `present` covers (late, absent, long break). */
export function uncoveredMinutes(planned: Interval[], present: Interval[], fromMs: number, toMs: number): number {
  const covered = present
    .map((i) => ({ startMs: Math.max(i.startMs, fromMs), endMs: Math.min(i.endMs, toMs) }))
    .filter((i) => i.startMs < i.endMs)
    .sort((a, b) => a.startMs - b.startMs);
  let missing = 0;
  for (const p of planned) {
    let at = Math.max(p.startMs, fromMs);
    const end = Math.min(p.endMs, toMs);
    for (const c of covered) {
      if (at >= end) break;
      if (c.endMs <= at) continue;
      if (c.startMs >= end) break;
      if (c.startMs > at) missing += c.startMs - at;
      at = Math.max(at, c.endMs);
    }
    if (at < end) missing += end - at;
  }
  return Math.round(missing / 60_000);
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * One row per bucket. Staffed counts only the elapsed part of an hour (an open shift runs until now);
 * for hours still to come, the shortfall is judged against the schedule instead. `staffed` is the
 * headcount as steps sorted by time, at minute precision (`stepsOf`, `findStaffedSteps`).
 */
export function computeHours(input: {
  buckets: HourBucket[];
  demand: Demand;
  scheduled: Interval[];
  staffed: Step[];
  nowMs: number;
}): CoverageHour[] {
  const prefix = [0];
  for (const step of input.staffed) prefix.push(prefix.at(-1)! + step.delta);
  return input.buckets.map((b) => {
    const required = requiredAt(input.demand, b);
    const elapsedEnd = Math.min(b.endMs, Math.max(b.startMs, input.nowMs));
    const elapsed = elapsedEnd - b.startMs;
    const sched = sweep(input.scheduled, b.startMs, b.endMs, required);
    const staff = sweepSteps(input.staffed, prefix, b.startMs, elapsedEnd, required);
    const scheduled = round2(sched.personMs / (b.endMs - b.startMs));
    const staffed = elapsed > 0 ? round2(staff.personMs / elapsed) : 0;
    const future = elapsed === 0;
    const judged = future ? scheduled : staffed;
    const shortMs = future ? sched.shortMs : staff.shortMs;
    let status: CoverageHour['status'] = 'ok';
    if (required > 0 && judged < required - 0.05) status = 'understaffed';
    else if (judged > required + Math.max(2, required * 0.25)) status = 'overstaffed';
    return {
      hourStartMs: b.startMs,
      hourEndMs: b.endMs,
      localDate: b.localDate,
      localHour: b.localHour,
      required,
      scheduled,
      staffed,
      minStaffed: future ? 0 : staff.min,
      shortMinutes: Math.round(shortMs / 60_000),
      status,
      staffedMinutes: staffedMinutesOf(input.staffed, prefix, b.startMs, elapsedEnd),
    };
  });
}

/**
 * The default missed clock-out limit: an open shift older than this is a missed clock-out, not a person on the floor: it stops counting
 * as staffed here (and is flagged as an alert instead).
 */
export const OPEN_SHIFT_LIMIT_MS = 16 * 3_600_000;

/** Worked intervals of shifts, breaks excluded; an open shift or break runs until now (at most the missed clock-out limit). */
export function workedIntervals(
  shifts: { clockInMs: number; clockOutMs: number | null; breaks: { startMs: number; endMs: number | null }[] }[],
  nowMs: number,
  /** The configured missed clock-out limit (MISSED_CLOCK_OUT_HOURS); 16 h by default. */
  openShiftLimitMs = OPEN_SHIFT_LIMIT_MS,
): Interval[] {
  const out: Interval[] = [];
  for (const s of shifts) {
    const end = s.clockOutMs ?? Math.min(nowMs, s.clockInMs + openShiftLimitMs);
    let cursor = s.clockInMs;
    for (const b of [...s.breaks].sort((x, y) => x.startMs - y.startMs)) {
      const bEnd = Math.min(b.endMs ?? nowMs, end);
      if (b.startMs > cursor) out.push({ startMs: cursor, endMs: Math.min(b.startMs, end) });
      cursor = Math.max(cursor, bEnd);
    }
    if (cursor < end) out.push({ startMs: cursor, endMs: end });
  }
  return out.filter((i) => i.endMs > i.startMs);
}
