import { Temporal } from 'temporal-polyfill';
import {
  expandSchedule,
  type EngineAdjustment,
  type EngineContract,
  type EngineEmployee,
  type EngineInput,
  type PatternShift,
} from '../server/features/schedule/schedule-engine.ts';

/**
 * Benchmark 3a (in its own process, so the engine's module-level caches start empty): expands the
 * schedule of 1,000 people over one month and compares the time per shift with a loop doing only the
 * two zone conversions per shift (local start and end to an instant) with the same library.
 *
 * The engine caches conversions by (zone, date, time), which is most of its speed on a real rota
 * (a thousand people share a few dozen start times). Each "cold" sample therefore expands a month it
 * has never seen (every conversion of that month misses the cache); "warm" samples repeat a month.
 * The baseline has no cache: two conversions for every shift, every time. Prints one JSON line.
 *
 * Env: EMPLOYEES (default 1000), MONTHS (cold samples, default 4), REPEATS (warm samples per month, default 2).
 */
const EMPLOYEES = Number(process.env.EMPLOYEES ?? 1000);
const MONTHS = Number(process.env.MONTHS ?? 4);
const REPEATS = Number(process.env.REPEATS ?? 2);

function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), chance: (p: number) => next() < p };
}

const locations = [
  { id: '00000000-0000-4000-8000-00000000000a', zone: 'Europe/Berlin', share: 0.45 },
  { id: '00000000-0000-4000-8000-00000000000b', zone: 'Asia/Kolkata', share: 0.3 },
  { id: '00000000-0000-4000-8000-00000000000c', zone: 'America/Chicago', share: 0.25 },
];
const uuid = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

type Kind = 'early' | 'day' | 'evening' | 'night' | 'weekend' | 'part_time';
/** The same rota shapes as the demo: weekday early/day/evening, night shifts across midnight, 12 h weekends, part-time. */
function patternOf(kind: Kind, locationId: string, r: ReturnType<typeof rng>): PatternShift[] {
  const days = (weekdays: number[], start: string, end: string, breakMinutes?: number) =>
    weekdays.map((weekday) => ({ weekday, start, end, locationId, ...(breakMinutes ? { breakMinutes } : {}) }));
  switch (kind) {
    case 'early': return days([1, 2, 3, 4, 5], '06:00', '14:00', 30);
    case 'day': return days([1, 2, 3, 4, 5], '08:00', '16:30', 30);
    case 'evening': return days([1, 2, 3, 4, 5], '14:00', '22:00', 30);
    case 'night': return r.chance(0.6) ? days([7, 1, 2, 3, 4], '22:00', '06:00', 30) : days([3, 4, 5, 6], '22:00', '06:00', 30);
    case 'weekend': return days([6, 7], '08:00', '20:00', 60);
    case 'part_time': {
      const v = r.int(0, 2);
      return v === 0 ? days([1, 3, 5], '09:00', '14:00') : v === 1 ? days([2, 4, 6], '17:00', '22:00') : days([1, 2, 3], '10:00', '15:00');
    }
  }
}
const mix: [Kind, number][] = [['early', 25], ['day', 25], ['evening', 20], ['night', 12], ['weekend', 10], ['part_time', 8]];
function pick(r: ReturnType<typeof rng>): Kind {
  let x = r.next() * 100;
  for (const [k, w] of mix) if ((x -= w) < 0) return k;
  return 'day';
}

const addDays = (date: string, n: number) => Temporal.PlainDate.from(date).add({ days: n }).toString();
const toMs = (zone: string, date: string, time: string) =>
  Temporal.PlainDateTime.from(`${date}T${time}`).toZonedDateTime(zone, { disambiguation: 'compatible' }).epochMilliseconds;

/**
 * One month's input: everyone's contract (10 % changed pattern mid-month, as the demo's changed
 * contracts), one holiday per location, and approved adjustments for about 6 % of people (time off,
 * extra and changed shifts, swaps) as a month of requests would leave them.
 */
function inputFor(from: string, to: string, seed: number): EngineInput {
  const r = rng(seed);
  const employees = new Map<string, EngineEmployee>();
  const contracts: EngineContract[] = [];
  const adjustments: EngineAdjustment[] = [];
  const mid = addDays(from, 14);
  for (let i = 0; i < EMPLOYEES; i++) {
    const x = r.next();
    const location = x < locations[0]!.share ? locations[0]! : x < locations[0]!.share + locations[1]!.share ? locations[1]! : locations[2]!;
    const id = uuid('e0000000', i);
    employees.set(id, { id, name: `Person ${i}`, locationId: location.id });
    if (r.chance(0.1)) {
      contracts.push({ id: uuid('c0000000', 2 * i), employeeId: id, effectiveFrom: '2020-01-01', effectiveTo: addDays(mid, -1), pattern: patternOf(pick(r), location.id, r) });
      contracts.push({ id: uuid('c0000000', 2 * i + 1), employeeId: id, effectiveFrom: mid, effectiveTo: null, pattern: patternOf(pick(r), location.id, r) });
    } else {
      contracts.push({ id: uuid('c0000000', 2 * i), employeeId: id, effectiveFrom: '2020-01-01', effectiveTo: null, pattern: patternOf(pick(r), location.id, r) });
    }
  }
  const ids = [...employees.keys()];
  const days = Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to)).days + 1;
  let number = 0;
  for (const id of ids) {
    if (!r.chance(0.06)) continue;
    const zone = locations.find((l) => l.id === employees.get(id)!.locationId)!.zone;
    const date = addDays(from, r.int(0, days - 1));
    const y = r.next();
    const kind: EngineAdjustment['kind'] = y < 0.55 ? 'time_off' : y < 0.75 ? 'extra_shift' : y < 0.9 ? 'change_shift' : 'swap';
    const startMs = kind === 'time_off' ? toMs(zone, date, '00:00') : toMs(zone, date, kind === 'extra_shift' ? '18:00' : '07:00');
    const endMs = kind === 'time_off' ? toMs(zone, addDays(date, r.int(1, 5)), '00:00') : kind === 'swap' ? toMs(zone, addDays(date, 1), '00:00') : startMs + 6 * 3_600_000;
    adjustments.push({
      id: uuid('a0000000', number),
      number: ++number,
      employeeId: id,
      kind,
      startMs,
      endMs,
      locationId: null,
      counterpartEmployeeId: kind === 'swap' ? ids[r.int(0, ids.length - 1)]! : null,
      decidedAtMs: Date.parse(`${from}T00:00:00Z`) + number * 60_000,
      decidedByName: 'Manager',
    });
  }
  const holidays = new Map(locations.map((l, i) => [l.id, new Set([addDays(from, 3 + 9 * i)])]));
  return { from, to, employees, contracts, adjustments, holidays, zones: new Map(locations.map((l) => [l.id, l.zone])) };
}

/** The baseline's work list: every contract shift of the month as (zone, start date/time, end date/time). */
function conversionsOf(input: EngineInput): { zone: string; startLocal: string; endLocal: string }[] {
  const out: { zone: string; startLocal: string; endLocal: string }[] = [];
  const dates: { date: string; weekday: number; next: string }[] = [];
  for (let d = Temporal.PlainDate.from(input.from); Temporal.PlainDate.compare(d, Temporal.PlainDate.from(input.to)) <= 0; d = d.add({ days: 1 })) {
    dates.push({ date: d.toString(), weekday: d.dayOfWeek, next: d.add({ days: 1 }).toString() });
  }
  for (const c of input.contracts) {
    for (const { date, weekday, next } of dates) {
      if (date < c.effectiveFrom || (c.effectiveTo !== null && date > c.effectiveTo)) continue;
      for (const p of c.pattern) {
        if (p.weekday !== weekday || input.holidays.get(p.locationId)?.has(date)) continue;
        out.push({ zone: input.zones.get(p.locationId)!, startLocal: `${date}T${p.start}`, endLocal: `${p.end <= p.start ? next : date}T${p.end}` });
      }
    }
  }
  return out;
}

/** Only the two conversions per shift, as the engine makes them (same library, same options), no cache. */
function baseline(work: ReturnType<typeof conversionsOf>): number {
  let checksum = 0;
  for (const w of work) {
    const startMs = Temporal.PlainDateTime.from(w.startLocal).toZonedDateTime(w.zone, { disambiguation: 'compatible' }).epochMilliseconds;
    const endMs = Temporal.PlainDateTime.from(w.endLocal).toZonedDateTime(w.zone, { disambiguation: 'compatible' }).epochMilliseconds;
    checksum += endMs - startMs;
  }
  return checksum;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const started = performance.now();
  const value = fn();
  return { ms: performance.now() - started, value };
}

// Months never used for warm-up, in order; March and October hold DST changes in Berlin and Chicago.
const months = Array.from({ length: MONTHS }, (_, i) => {
  const first = Temporal.PlainDate.from('2026-01-01').add({ months: i });
  return { from: first.toString(), to: first.add({ months: 1 }).subtract({ days: 1 }).toString() };
});
const warmupMonth = { from: '2024-07-01', to: '2024-07-31' };

// The very first call: module, JIT and caches all cold (reported apart, as a start-up figure).
const firstInput = inputFor(warmupMonth.from, warmupMonth.to, 1);
const first = time(() => expandSchedule(firstInput));
// Warm the JIT for both paths on a month the samples never use.
for (let i = 0; i < 2; i++) {
  expandSchedule(firstInput);
  baseline(conversionsOf(firstInput));
}

const cold: number[] = [];
const warm: number[] = [];
const contractsOnly: number[] = [];
const base: number[] = [];
let shifts = 0;
let conversions = 0;
let adjustments = 0;
for (const [i, m] of months.entries()) {
  const input = inputFor(m.from, m.to, 100 + i);
  const work = conversionsOf(input);
  const c = time(() => expandSchedule(input));
  cold.push(c.ms / c.value.length);
  for (let k = 0; k < REPEATS; k++) {
    const w = time(() => expandSchedule(input));
    warm.push(w.ms / w.value.length);
    const b = time(() => baseline(work));
    base.push(b.ms / work.length);
  }
  // The same month without its adjustments: what applying ~60 approved requests costs.
  const bare = { ...input, adjustments: [] };
  const n = time(() => expandSchedule(bare));
  contractsOnly.push(n.ms / n.value.length);
  shifts += c.value.length;
  conversions += work.length;
  adjustments += input.adjustments.length;
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
process.stdout.write(
  `${JSON.stringify({
    employees: EMPLOYEES,
    months: months.length,
    shiftsPerMonth: shifts / months.length,
    conversionShiftsPerMonth: conversions / months.length,
    adjustmentsPerMonth: adjustments / months.length,
    firstCallMsPerShift: first.ms / first.value.length,
    coldMsPerShift: med(cold),
    warmMsPerShift: med(warm),
    warmNoAdjustmentsMsPerShift: med(contractsOnly),
    baselineMsPerShift: med(base),
    coldMonthMs: med(cold) * (shifts / months.length),
    warmMonthMs: med(warm) * (shifts / months.length),
    baselineMonthMs: med(base) * (conversions / months.length),
  })}\n`,
);
