import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  defaultLabourRules,
  expandSchedule,
  findViolations,
  localToEpochMs,
  toZonedIso,
  type EngineAdjustment,
  type EngineContract,
  type EngineInput,
  type ScheduledShift,
} from './schedule-engine.ts';
import { toScheduleItems } from './schedule-items.ts';

const H = 3_600_000;
const LOC = { berlin: 'l-berlin', ny: 'l-ny', kolkata: 'l-kolkata', lordHowe: 'l-lordhowe' };
const zones = new Map([
  [LOC.berlin, 'Europe/Berlin'],
  [LOC.ny, 'America/New_York'],
  [LOC.kolkata, 'Asia/Kolkata'],
  [LOC.lordHowe, 'Australia/Lord_Howe'],
]);

function input(partial: Partial<EngineInput> & Pick<EngineInput, 'from' | 'to'>): EngineInput {
  return {
    employees: new Map([
      ['e1', { id: 'e1', name: 'Ada', locationId: LOC.berlin }],
      ['e2', { id: 'e2', name: 'Bo', locationId: LOC.berlin }],
    ]),
    contracts: [],
    adjustments: [],
    holidays: new Map(),
    zones,
    ...partial,
  };
}

const nightContract = (locationId: string, from = '2026-01-01'): EngineContract => ({
  id: 'c-night',
  employeeId: 'e1',
  effectiveFrom: from,
  effectiveTo: null,
  pattern: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '22:00', end: '06:00', locationId })),
});

const hours = (s: ScheduledShift) => (s.endMs - s.startMs) / H;

describe('daylight saving time', () => {
  it('Europe/Berlin: a 22:00-06:00 night lasts 7 h when clocks spring forward and 9 h when they fall back', () => {
    const spring = expandSchedule(input({ from: '2026-03-28', to: '2026-03-28', contracts: [nightContract(LOC.berlin)] }));
    const fall = expandSchedule(input({ from: '2026-10-24', to: '2026-10-24', contracts: [nightContract(LOC.berlin)] }));
    expect(spring.map(hours)).toEqual([7]);
    expect(fall.map(hours)).toEqual([9]);
    expect(toZonedIso('Europe/Berlin', spring[0]!.startMs)).toBe('2026-03-28T22:00:00+01:00');
    expect(toZonedIso('Europe/Berlin', spring[0]!.endMs)).toBe('2026-03-29T06:00:00+02:00');
  });

  it('America/New_York: the same on its own dates (second Sunday of March, first of November)', () => {
    const c = nightContract(LOC.ny);
    expect(expandSchedule(input({ from: '2026-03-07', to: '2026-03-07', contracts: [c] })).map(hours)).toEqual([7]);
    expect(expandSchedule(input({ from: '2026-10-31', to: '2026-10-31', contracts: [c] })).map(hours)).toEqual([9]);
    expect(expandSchedule(input({ from: '2026-07-01', to: '2026-07-01', contracts: [c] })).map(hours)).toEqual([8]);
  });

  it('Asia/Kolkata: a half-hour zone with no DST keeps 8 h nights and +05:30 offsets', () => {
    const shifts = expandSchedule(input({ from: '2026-03-28', to: '2026-03-29', contracts: [nightContract(LOC.kolkata)] }));
    expect(shifts.map(hours)).toEqual([8, 8]);
    expect(toZonedIso('Asia/Kolkata', shifts[0]!.startMs)).toBe('2026-03-28T22:00:00+05:30');
  });

  it('Australia/Lord_Howe: a 30-minute DST shift gives 8.5 h (April) and 7.5 h (October) nights', () => {
    const c = nightContract(LOC.lordHowe);
    expect(expandSchedule(input({ from: '2026-04-04', to: '2026-04-04', contracts: [c] })).map(hours)).toEqual([8.5]);
    expect(expandSchedule(input({ from: '2026-10-03', to: '2026-10-03', contracts: [c] })).map(hours)).toEqual([7.5]);
  });

  it('a wall time that does not exist moves forward; an ambiguous one takes the earlier instant', () => {
    // 02:30 on 2026-03-29 does not exist in Berlin: it becomes 03:30 CEST.
    expect(toZonedIso('Europe/Berlin', localToEpochMs('Europe/Berlin', '2026-03-29', '02:30'))).toBe('2026-03-29T03:30:00+02:00');
    // 02:30 on 2026-10-25 happens twice: the first one, still CEST.
    expect(toZonedIso('Europe/Berlin', localToEpochMs('Europe/Berlin', '2026-10-25', '02:30'))).toBe('2026-10-25T02:30:00+02:00');
  });
});

describe('layers and provenance', () => {
  const day: EngineContract = {
    id: 'c-day',
    employeeId: 'e1',
    effectiveFrom: '2026-03-01',
    effectiveTo: '2026-03-31',
    pattern: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '08:00', end: '16:00', locationId: LOC.berlin, breakMinutes: 30 })),
  };
  const adj = (over: Partial<EngineAdjustment>): EngineAdjustment => ({
    id: 'a1', number: 1, employeeId: 'e1', kind: 'time_off', startMs: 0, endMs: 0, locationId: null,
    counterpartEmployeeId: null, decidedAtMs: 1, decidedByName: 'Mia', ...over,
  });

  it('time off cuts part of a shift and each piece keeps the contract as its source, with a note', () => {
    const start = localToEpochMs('Europe/Berlin', '2026-03-02', '11:00');
    const end = localToEpochMs('Europe/Berlin', '2026-03-02', '12:00');
    const shifts = expandSchedule(input({ from: '2026-03-02', to: '2026-03-02', contracts: [day], adjustments: [adj({ startMs: start, endMs: end })] }));
    expect(shifts.map((s) => [toZonedIso('Europe/Berlin', s.startMs), toZonedIso('Europe/Berlin', s.endMs), s.source.layer])).toEqual([
      ['2026-03-02T08:00:00+01:00', '2026-03-02T11:00:00+01:00', 'contract'],
      ['2026-03-02T12:00:00+01:00', '2026-03-02T16:00:00+01:00', 'contract'],
    ]);
    expect(shifts[0]!.notes[0]).toMatchObject({ kind: 'removed', number: 1, by: 'Mia', fromMs: start, toMs: end });
    // The pieces are one shift for the rest rule: no violation for a 1 h gap.
    expect(findViolations(shifts, input({ from: '', to: '' }), () => defaultLabourRules)).toEqual([]);
  });

  it('holidays remove contract shifts; an extra shift adds one back', () => {
    const holidays = new Map([[LOC.berlin, new Set(['2026-03-03'])]]);
    const extra = adj({
      kind: 'extra_shift',
      locationId: LOC.berlin,
      startMs: localToEpochMs('Europe/Berlin', '2026-03-03', '09:00'),
      endMs: localToEpochMs('Europe/Berlin', '2026-03-03', '13:00'),
    });
    const without = expandSchedule(input({ from: '2026-03-02', to: '2026-03-04', contracts: [day], holidays }));
    expect(without.map((s) => s.date)).toEqual(['2026-03-02', '2026-03-04']);
    const withExtra = expandSchedule(input({ from: '2026-03-02', to: '2026-03-04', contracts: [day], holidays, adjustments: [extra] }));
    expect(withExtra.map((s) => [s.date, s.source.layer])).toEqual([
      ['2026-03-02', 'contract'],
      ['2026-03-03', 'adjustment'],
      ['2026-03-04', 'contract'],
    ]);
  });

  it('change_shift replaces the shifts of its local date', () => {
    const change = adj({
      kind: 'change_shift',
      startMs: localToEpochMs('Europe/Berlin', '2026-03-02', '12:00'),
      endMs: localToEpochMs('Europe/Berlin', '2026-03-02', '20:00'),
    });
    const shifts = expandSchedule(input({ from: '2026-03-02', to: '2026-03-02', contracts: [day], adjustments: [change] }));
    expect(shifts).toHaveLength(1);
    expect(shifts[0]!.source).toEqual({ layer: 'adjustment', id: 'a1' });
    expect(shifts[0]!.notes[0]!.kind).toBe('replaced');
  });

  it('swap exchanges the two employees\' shifts in the window', () => {
    const other: EngineContract = { ...day, id: 'c-bo', employeeId: 'e2', pattern: day.pattern.map((p) => ({ ...p, start: '14:00', end: '22:00' })) };
    const swap = adj({
      kind: 'swap',
      counterpartEmployeeId: 'e2',
      startMs: localToEpochMs('Europe/Berlin', '2026-03-02', '00:00'),
      endMs: localToEpochMs('Europe/Berlin', '2026-03-03', '00:00'),
    });
    const shifts = expandSchedule(input({ from: '2026-03-02', to: '2026-03-02', contracts: [day, other], adjustments: [swap] }));
    const of = (e: string) => shifts.filter((s) => s.employeeId === e).map((s) => toZonedIso('Europe/Berlin', s.startMs));
    expect(of('e1')).toEqual(['2026-03-02T14:00:00+01:00']);
    expect(of('e2')).toEqual(['2026-03-02T08:00:00+01:00']);
    expect(shifts.every((s) => s.source.layer === 'adjustment')).toBe(true);
  });
});

// ---------- properties ----------

const dateArb = fc.integer({ min: 0, max: 40 }).map((n) => addDays('2026-02-20', n));
const timeArb = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45)).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const locationArb = fc.constantFrom(LOC.berlin, LOC.ny, LOC.kolkata, LOC.lordHowe);
const patternArb = fc.array(
  fc.record({ weekday: fc.integer({ min: 1, max: 7 }), start: timeArb, end: timeArb, locationId: locationArb, breakMinutes: fc.constantFrom(0, 30) }),
  { minLength: 1, maxLength: 6 },
);
const contractsArb = fc.tuple(patternArb, patternArb, fc.integer({ min: 0, max: 30 })).map(([p1, p2, split]): EngineContract[] => [
  { id: 'c1', employeeId: 'e1', effectiveFrom: '2026-01-01', effectiveTo: addDays('2026-02-20', split), pattern: p1 },
  { id: 'c2', employeeId: 'e1', effectiveFrom: addDays('2026-02-21', split), effectiveTo: null, pattern: p2 },
  { id: 'c3', employeeId: 'e2', effectiveFrom: '2026-01-01', effectiveTo: null, pattern: p2 },
]);
const baseMs = Date.UTC(2026, 1, 20);
const adjustmentArb = (i: number) =>
  fc.record({
    kind: fc.constantFrom('time_off', 'extra_shift', 'change_shift', 'swap') as fc.Arbitrary<EngineAdjustment['kind']>,
    employeeId: fc.constantFrom('e1', 'e2'),
    startH: fc.integer({ min: 0, max: 40 * 24 }),
    lengthH: fc.integer({ min: 1, max: 30 }),
    locationId: fc.option(locationArb, { nil: null }),
  }).map((r): EngineAdjustment => ({
    id: `a${i}`, number: i, employeeId: r.employeeId, kind: r.kind, startMs: baseMs + r.startH * H, endMs: baseMs + (r.startH + r.lengthH) * H,
    locationId: r.locationId, counterpartEmployeeId: r.employeeId === 'e1' ? 'e2' : 'e1', decidedAtMs: i, decidedByName: 'M',
  }));
const adjustmentsArb = fc.integer({ min: 0, max: 6 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => adjustmentArb(i + 1))));

/** Holidays at any of the four sites on any day of the range: contract shifts starting then are not worked. */
const holidaysArb = fc.array(fc.tuple(locationArb, dateArb), { maxLength: 8 }).map((pairs) => {
  const byLocation = new Map<string, Set<string>>();
  for (const [l, d] of pairs) (byLocation.get(l) ?? byLocation.set(l, new Set()).get(l)!).add(d);
  return byLocation;
});

const total = (shifts: ScheduledShift[]) => shifts.reduce((t, s) => t + (s.endMs - s.startMs), 0);
const strip = (s: ScheduledShift) => [s.key, s.employeeId, s.date, s.startMs, s.endMs, s.source.id];

describe('properties', () => {
  it('approving time off never adds minutes', () => {
    fc.assert(
      fc.property(contractsArb, adjustmentsArb, adjustmentArb(99), holidaysArb, (contracts, adjustments, extra, holidays) => {
        const timeOff = { ...extra, kind: 'time_off' as const };
        const before = expandSchedule(input({ from: '2026-02-20', to: '2026-03-31', contracts, adjustments, holidays }));
        const after = expandSchedule(input({ from: '2026-02-20', to: '2026-03-31', contracts, adjustments: [...adjustments, timeOff], holidays }));
        expect(total(after)).toBeLessThanOrEqual(total(before));
        for (const e of ['e1', 'e2']) {
          expect(total(after.filter((s) => s.employeeId === e))).toBeLessThanOrEqual(total(before.filter((s) => s.employeeId === e)));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('expanding [a, c] equals expanding [a, b-1] and then [b, c], for any split', () => {
    fc.assert(
      fc.property(contractsArb, adjustmentsArb, holidaysArb, dateArb, dateArb, dateArb, (contracts, adjustments, holidays, x, y, z) => {
        const [a, b, c] = [x, y, z].sort();
        if (a === b) return;
        const whole = expandSchedule(input({ from: a!, to: c!, contracts, adjustments, holidays })).map(strip);
        const left = expandSchedule(input({ from: a!, to: addDays(b!, -1), contracts, adjustments, holidays })).map(strip);
        const right = expandSchedule(input({ from: b!, to: c!, contracts, adjustments, holidays })).map(strip);
        const key = (r: unknown[]) => JSON.stringify(r);
        expect(whole.map(key).sort()).toEqual([...left, ...right].map(key).sort());
      }),
      { numRuns: 150 },
    );
  });

  it('shifts of one employee never overlap unless a no_overlap violation reports it; every shift has positive length', () => {
    fc.assert(
      fc.property(contractsArb, adjustmentsArb, holidaysArb, (contracts, adjustments, holidays) => {
        const inp = input({ from: '2026-02-20', to: '2026-03-31', contracts, adjustments, holidays });
        const shifts = expandSchedule(inp);
        const violations = findViolations(shifts, inp, () => defaultLabourRules).filter((v) => v.rule === 'no_overlap');
        const reported = new Set(violations.map((v) => v.shiftKeys.join('|')));
        for (const e of ['e1', 'e2']) {
          const mine = shifts.filter((s) => s.employeeId === e).sort((p, q) => p.startMs - q.startMs);
          for (let i = 0; i < mine.length; i++) {
            expect(mine[i]!.endMs).toBeGreaterThan(mine[i]!.startMs);
            for (let j = i + 1; j < mine.length; j++) {
              if (mine[j]!.startMs < mine[i]!.endMs) expect(reported.has(`${mine[i]!.key}|${mine[j]!.key}`)).toBe(true);
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

// ---------- oracles independent of the engine's time library ----------

const formats = new Map<string, Intl.DateTimeFormat>();
const format = (key: string, make: () => Intl.DateTimeFormat) => formats.get(key) ?? formats.set(key, make()).get(key)!;
/** The zone's UTC offset in minutes at an instant, read from Intl (not Temporal). */
function offsetMinutes(zone: string, ms: number): number {
  const offsets = format(`offset|${zone}`, () => new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }));
  const name = offsets.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')!.value;
  const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name);
  if (!m) throw new Error(`unexpected offset ${name}`);
  return m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}
/** "YYYY-MM-DDTHH:MM" on the zone's wall clock at an instant, read from Intl. */
function wallClock(zone: string, ms: number): string {
  const wall = format(`wall|${zone}`, () => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }));
  const parts = Object.fromEntries(
    wall
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}
const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const weekdayOf = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
const sum = (xs: number[]) => xs.reduce((t, x) => t + x, 0);

describe('properties of the API item mapping', () => {
  it('total minutes equal the sum of (end - start) of the returned instants, each in its zone\'s offset', () => {
    fc.assert(
      fc.property(contractsArb, adjustmentsArb, holidaysArb, (contracts, adjustments, holidays) => {
        const shifts = expandSchedule(input({ from: '2026-02-20', to: '2026-03-31', contracts, adjustments, holidays }));
        const items = toScheduleItems(shifts, { zones, locationNames: new Map(), adjustments, names: new Map() });
        const span = (i: { start: string; end: string }) => (Date.parse(i.end) - Date.parse(i.start)) / 60_000;
        expect(items).toHaveLength(shifts.length);
        items.forEach((item, k) => {
          const zone = zones.get(item.locationId)!;
          expect(item.minutes).toBe(span(item));
          expect(Date.parse(item.start)).toBe(shifts[k]!.startMs);
          expect(Date.parse(item.end)).toBe(shifts[k]!.endMs);
          // The written offset is the zone's at that instant, and the wall clock is the zone's too.
          for (const [iso, ms] of [[item.start, shifts[k]!.startMs], [item.end, shifts[k]!.endMs]] as const) {
            const offset = offsetMinutes(zone, ms);
            expect(iso.slice(-6)).toBe(`${offset < 0 ? '-' : '+'}${hhmm(Math.abs(offset))}`);
            expect(iso.slice(0, 16)).toBe(wallClock(zone, ms));
          }
        });
        expect(sum(items.map((i) => i.minutes))).toBe(sum(items.map(span)));
        expect(sum(items.map((i) => i.minutes))).toBe(total(shifts) / 60_000);
      }),
      { numRuns: 100 },
    );
  });
});

describe('daylight saving time, property-style', () => {
  // The local dates on which the clocks change, and by how many minutes the offset moves (from Intl).
  const transitions: { location: string; zone: string; date: string; change: number }[] = [
    ...['2025-03-30', '2026-03-29', '2027-03-28'].map((date) => ({ location: LOC.berlin, zone: 'Europe/Berlin', date, change: 60 })),
    ...['2025-10-26', '2026-10-25', '2027-10-31'].map((date) => ({ location: LOC.berlin, zone: 'Europe/Berlin', date, change: -60 })),
    ...['2025-03-09', '2026-03-08', '2027-03-14'].map((date) => ({ location: LOC.ny, zone: 'America/New_York', date, change: 60 })),
    ...['2025-11-02', '2026-11-01', '2027-11-07'].map((date) => ({ location: LOC.ny, zone: 'America/New_York', date, change: -60 })),
    ...['2025-10-05', '2026-10-04', '2027-10-03'].map((date) => ({ location: LOC.lordHowe, zone: 'Australia/Lord_Howe', date, change: 30 })),
    ...['2025-04-06', '2026-04-05', '2027-04-04'].map((date) => ({ location: LOC.lordHowe, zone: 'Australia/Lord_Howe', date, change: -30 })),
    // No DST: the same dates, and nothing ever moves.
    ...['2026-03-29', '2026-10-25', '2026-04-05'].map((date) => ({ location: LOC.kolkata, zone: 'Asia/Kolkata', date, change: 0 })),
  ];
  const oneShift = (location: string, date: string, start: string, end: string): EngineContract => ({
    id: 'c-dst',
    employeeId: 'e1',
    effectiveFrom: '2025-01-01',
    effectiveTo: null,
    pattern: [{ weekday: weekdayOf(date), start, end, locationId: location }],
  });

  it('a night near a transition lasts its nominal length minus the offset change, which is non-zero only the night the clocks change', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...transitions),
        fc.integer({ min: -3, max: 3 }),
        fc.integer({ min: 18 * 4, max: 24 * 4 - 1 }).map((q) => q * 15), // starts 18:00-23:45
        fc.integer({ min: 4 * 4, max: 10 * 4 - 1 }).map((q) => q * 15), // ends 04:00-09:45 the next day
        (t, daysFromChange, startMin, endMin) => {
          const date = addDays(t.date, daysFromChange - 1); // daysFromChange 0: the night into the change
          const [start, end] = [hhmm(startMin), hhmm(endMin)];
          const shifts = expandSchedule(input({ from: date, to: date, contracts: [oneShift(t.location, date, start, end)] }));
          expect(shifts).toHaveLength(1);
          const s = shifts[0]!;
          const nominal = 24 * 60 - startMin + endMin;
          const change = offsetMinutes(t.zone, s.endMs) - offsetMinutes(t.zone, s.startMs);
          expect(change).toBe(daysFromChange === 0 ? t.change : 0);
          expect((s.endMs - s.startMs) / 60_000).toBe(nominal - change);
          expect(wallClock(t.zone, s.startMs)).toBe(`${date}T${start}`);
          expect(wallClock(t.zone, s.endMs)).toBe(`${addDays(date, 1)}T${end}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  // Spring forward: wall times in [02:00, 02:00 + gap) do not happen that day.
  const gaps = transitions.filter((t) => t.change > 0).map((t) => ({ ...t, gap: t.change }));
  it('a wall time that does not exist moves forward by the gap, in Berlin, New York and Lord Howe; shifts start and end there', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...gaps).chain((g) => fc.tuple(fc.constant(g), fc.integer({ min: 0, max: g.gap - 1 }))),
        fc.integer({ min: 5 * 4, max: 11 * 4 }).map((q) => q * 15), // the shift from the gap ends 05:00-11:00
        ([g, into], endMin) => {
          const missing = hhmm(2 * 60 + into);
          const moved = hhmm(2 * 60 + into + g.gap);
          expect(wallClock(g.zone, localToEpochMs(g.zone, g.date, missing))).toBe(`${g.date}T${moved}`);
          // A shift starting at the missing time starts at the moved one, and lasts to its end's wall time.
          const [from] = expandSchedule(input({ from: g.date, to: g.date, contracts: [oneShift(g.location, g.date, missing, hhmm(endMin))] }));
          expect(wallClock(g.zone, from!.startMs)).toBe(`${g.date}T${moved}`);
          expect((from!.endMs - from!.startMs) / 60_000).toBe(endMin - (2 * 60 + into + g.gap));
          // A night ending at the missing time ends at the moved one.
          const eve = addDays(g.date, -1);
          const [into_] = expandSchedule(input({ from: eve, to: eve, contracts: [oneShift(g.location, eve, '22:00', missing)] }));
          expect(wallClock(g.zone, into_!.endMs)).toBe(`${g.date}T${moved}`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a wall time that happens twice (fall back) takes the earlier instant, in the offset before the change', () => {
    const repeats = transitions.filter((t) => t.change < 0);
    fc.assert(
      fc.property(
        fc.constantFrom(...repeats).chain((r) => fc.tuple(fc.constant(r), fc.integer({ min: 0, max: -r.change - 1 }))),
        ([r, into]) => {
          // The repeated hour (or half hour) is the one just before the change's wall time.
          const changeAt = r.zone === 'America/New_York' ? 2 * 60 : r.zone === 'Australia/Lord_Howe' ? 2 * 60 : 3 * 60;
          const time = hhmm(changeAt + r.change + into);
          const ms = localToEpochMs(r.zone, r.date, time);
          expect(wallClock(r.zone, ms)).toBe(`${r.date}T${time}`);
          expect(offsetMinutes(r.zone, ms)).toBe(offsetMinutes(r.zone, ms - 6 * H));
          expect(offsetMinutes(r.zone, ms + -r.change * 60_000)).toBe(offsetMinutes(r.zone, ms) + r.change);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('labour-rule sentences', () => {
  const rules = () => defaultLabourRules;

  it('min_rest: names the person, both shifts on the wall clock, the rest they get and the rest required', () => {
    // Monday's late shift and Tuesday's early one leave 8 h in between.
    const contract: EngineContract = {
      id: 'c-rest',
      employeeId: 'e1',
      effectiveFrom: '2026-03-01',
      effectiveTo: null,
      pattern: [
        { weekday: 1, start: '14:00', end: '22:00', locationId: LOC.berlin },
        { weekday: 2, start: '06:00', end: '13:30', locationId: LOC.berlin },
      ],
    };
    const inp = input({ from: '2026-03-02', to: '2026-03-03', contracts: [contract] });
    const violations = findViolations(expandSchedule(inp), inp, rules);
    expect(violations).toEqual([
      expect.objectContaining({
        rule: 'min_rest',
        employeeId: 'e1',
        startMs: localToEpochMs('Europe/Berlin', '2026-03-02', '22:00'),
        endMs: localToEpochMs('Europe/Berlin', '2026-03-03', '06:00'),
        minutes: 480,
        limitMinutes: 660,
        date: '2026-03-03',
        message: 'Ada gets only 8 h of rest between the shift ending Mon 2026-03-02 22:00 and the next starting Tue 2026-03-03 06:00 (11 h required, Europe/Berlin).',
      }),
    ]);
    // With 8 h required it is allowed.
    expect(findViolations(expandSchedule(inp), inp, () => ({ ...defaultLabourRules, minRestMinutes: 480 }))).toEqual([]);
  });

  it('min_rest counts real time across a DST change: 23:00 to 09:00 the night clocks spring forward is 9 h, not 10', () => {
    const contract: EngineContract = {
      id: 'c-rest-dst',
      employeeId: 'e1',
      effectiveFrom: '2026-03-01',
      effectiveTo: null,
      pattern: [
        { weekday: 6, start: '15:00', end: '23:00', locationId: LOC.berlin },
        { weekday: 7, start: '09:00', end: '12:00', locationId: LOC.berlin },
      ],
    };
    const inp = input({ from: '2026-03-28', to: '2026-03-29', contracts: [contract] });
    const [v] = findViolations(expandSchedule(inp), inp, rules);
    expect(v!.message).toBe('Ada gets only 9 h of rest between the shift ending Sat 2026-03-28 23:00 and the next starting Sun 2026-03-29 09:00 (11 h required, Europe/Berlin).');
  });

  it('max_weekly: names the person, the hours worked (breaks excluded), the week and the limit', () => {
    // Six days of 07:00-14:45 with a 30 min break: 6 x 7 h 15 min = 43 h 30 min, each day under 8 h.
    const contract: EngineContract = {
      id: 'c-week',
      employeeId: 'e2',
      effectiveFrom: '2026-03-01',
      effectiveTo: null,
      pattern: [1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '07:00', end: '14:45', locationId: LOC.berlin, breakMinutes: 30 })),
    };
    const inp = input({ from: '2026-03-02', to: '2026-03-08', contracts: [contract] });
    const violations = findViolations(expandSchedule(inp), inp, rules);
    expect(violations).toEqual([
      expect.objectContaining({
        rule: 'max_weekly',
        employeeId: 'e2',
        startMs: localToEpochMs('Europe/Berlin', '2026-03-02', '07:00'),
        endMs: localToEpochMs('Europe/Berlin', '2026-03-07', '14:45'),
        minutes: 43 * 60 + 30,
        limitMinutes: 2400,
        date: '2026-03-02',
        message: 'Bo is scheduled 43 h 30 min in the week of 2026-03-02, over the 40 h weekly limit.',
      }),
    ]);
    expect(violations[0]!.shiftKeys).toHaveLength(6);
    // A five-day week of the same shifts (36 h 15 min) is within the limit.
    const fiveDays = { ...contract, pattern: contract.pattern.slice(0, 5) };
    const inp5 = input({ from: '2026-03-02', to: '2026-03-08', contracts: [fiveDays] });
    expect(findViolations(expandSchedule(inp5), inp5, rules)).toEqual([]);
  });
});
