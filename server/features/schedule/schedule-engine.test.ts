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

const total = (shifts: ScheduledShift[]) => shifts.reduce((t, s) => t + (s.endMs - s.startMs), 0);
const strip = (s: ScheduledShift) => [s.key, s.employeeId, s.date, s.startMs, s.endMs, s.source.id];

describe('properties', () => {
  it('approving time off never adds minutes', () => {
    fc.assert(
      fc.property(contractsArb, adjustmentsArb, adjustmentArb(99), (contracts, adjustments, extra) => {
        const timeOff = { ...extra, kind: 'time_off' as const };
        const before = expandSchedule(input({ from: '2026-02-20', to: '2026-03-31', contracts, adjustments }));
        const after = expandSchedule(input({ from: '2026-02-20', to: '2026-03-31', contracts, adjustments: [...adjustments, timeOff] }));
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
      fc.property(contractsArb, adjustmentsArb, dateArb, dateArb, dateArb, (contracts, adjustments, x, y, z) => {
        const [a, b, c] = [x, y, z].sort();
        if (a === b) return;
        const whole = expandSchedule(input({ from: a!, to: c!, contracts, adjustments })).map(strip);
        const left = expandSchedule(input({ from: a!, to: addDays(b!, -1), contracts, adjustments })).map(strip);
        const right = expandSchedule(input({ from: b!, to: c!, contracts, adjustments })).map(strip);
        const key = (r: unknown[]) => JSON.stringify(r);
        expect(whole.map(key).sort()).toEqual([...left, ...right].map(key).sort());
      }),
      { numRuns: 150 },
    );
  });

  it('shifts of one employee never overlap unless a no_overlap violation reports it; every shift has positive length', () => {
    fc.assert(
      fc.property(contractsArb, adjustmentsArb, (contracts, adjustments) => {
        const inp = input({ from: '2026-02-20', to: '2026-03-31', contracts, adjustments });
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
