import { Temporal } from 'temporal-polyfill';

/**
 * The unified schedule as a pure function: contracts (weekly patterns in each location's wall-clock
 * time) minus holidays, then the approved adjustments applied in the order they were decided. Every
 * returned piece keeps its provenance. No I/O here: the service loads the inputs, so this file is
 * property-tested on its own (schedule-engine.test.ts).
 */

export interface PatternShift {
  weekday: number; // 1 = Monday ... 7 = Sunday
  start: string; // "HH:MM" local
  end: string; // "HH:MM" local; <= start means the next day
  locationId: string;
  breakMinutes?: number;
}

export interface EngineContract {
  id: string;
  employeeId: string;
  effectiveFrom: string; // inclusive local date
  effectiveTo: string | null; // inclusive local date
  pattern: PatternShift[];
}

export type AdjustmentKind = 'time_off' | 'extra_shift' | 'change_shift' | 'swap';

export interface EngineAdjustment {
  id: string;
  number: number;
  employeeId: string;
  kind: AdjustmentKind;
  startMs: number;
  endMs: number;
  locationId: string | null;
  counterpartEmployeeId: string | null;
  decidedAtMs: number;
  decidedByName: string | null;
}

export interface LabourRules {
  maxDailyMinutes: number;
  maxWeeklyMinutes: number;
  minRestMinutes: number;
}
export const defaultLabourRules: LabourRules = { maxDailyMinutes: 480, maxWeeklyMinutes: 2400, minRestMinutes: 660 };

export interface EngineEmployee {
  id: string;
  name: string;
  locationId: string;
}

export interface EngineInput {
  /** Inclusive local dates; a shift belongs to the local date on which it starts. */
  from: string;
  to: string;
  employees: Map<string, EngineEmployee>;
  contracts: EngineContract[];
  /** Approved adjustments; applied in order of decision. */
  adjustments: EngineAdjustment[];
  /** locationId -> dates that are holidays there. */
  holidays: Map<string, Set<string>>;
  /** locationId -> IANA zone. */
  zones: Map<string, string>;
}

export interface ProvenanceNote {
  kind: 'removed' | 'replaced' | 'swapped_in' | 'swapped_out' | 'holiday';
  adjustmentId: string | null;
  number: number | null;
  adjustmentKind: AdjustmentKind | null;
  fromMs: number;
  toMs: number;
  by: string | null;
}

export interface ScheduledShift {
  /** Identity of the original shift; pieces cut from one shift share it. */
  key: string;
  employeeId: string;
  locationId: string;
  date: string;
  startMs: number;
  endMs: number;
  breakMinutes: number;
  source: { layer: 'contract' | 'adjustment'; id: string };
  /** Where a contract shift came from when an adjustment moved it (swap), and what cut it. */
  origin: { contractId: string; employeeId: string; pattern: PatternShift; effectiveFrom: string } | null;
  notes: ProvenanceNote[];
}

// ---------- dates and zones ----------

const dateCache = new Map<string, { weekday: number; next: string }>();
function dateInfo(date: string) {
  let info = dateCache.get(date);
  if (!info) {
    const d = Temporal.PlainDate.from(date);
    info = { weekday: d.dayOfWeek, next: d.add({ days: 1 }).toString() };
    if (dateCache.size > 20_000) dateCache.clear();
    dateCache.set(date, info);
  }
  return info;
}

export function addDays(date: string, days: number): string {
  return Temporal.PlainDate.from(date).add({ days }).toString();
}

export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = dateInfo(d).next) out.push(d);
  return out;
}

const instantCache = new Map<string, number>();
/**
 * The instant of a local wall-clock time. A time that does not exist (spring forward) moves forward by
 * the gap; an ambiguous one (fall back) takes the earlier instant: Temporal's 'compatible' choice.
 */
export function localToEpochMs(zone: string, date: string, time: string): number {
  const key = `${zone}|${date}|${time}`;
  let ms = instantCache.get(key);
  if (ms === undefined) {
    ms = Temporal.PlainDateTime.from(`${date}T${time}`).toZonedDateTime(zone, { disambiguation: 'compatible' }).epochMilliseconds;
    if (instantCache.size > 200_000) instantCache.clear();
    instantCache.set(key, ms);
  }
  return ms;
}

export function localDateOf(zone: string, epochMs: number): string {
  return Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(zone).toPlainDate().toString();
}

const isoCache = new Map<string, string>();
/** ISO 8601 with the zone's offset at that instant, e.g. 2026-03-29T22:00:00+02:00. */
export function toZonedIso(zone: string, epochMs: number): string {
  const key = `${zone}|${epochMs}`;
  let iso = isoCache.get(key);
  if (iso === undefined) {
    iso = Temporal.Instant.fromEpochMilliseconds(epochMs)
      .toZonedDateTimeISO(zone)
      .toString({ timeZoneName: 'never', smallestUnit: 'second' });
    if (isoCache.size > 200_000) isoCache.clear();
    isoCache.set(key, iso);
  }
  return iso;
}

// ---------- expansion ----------

function zoneOf(input: EngineInput, locationId: string): string {
  const zone = input.zones.get(locationId);
  if (!zone) throw new Error(`no time zone known for location ${locationId}`);
  return zone;
}

function expandContracts(input: EngineInput, dates: string[]): ScheduledShift[] {
  const shifts: ScheduledShift[] = [];
  for (const contract of input.contracts) {
    for (const date of dates) {
      if (date < contract.effectiveFrom || (contract.effectiveTo !== null && date > contract.effectiveTo)) continue;
      const { weekday, next } = dateInfo(date);
      contract.pattern.forEach((p, index) => {
        if (p.weekday !== weekday) return;
        if (input.holidays.get(p.locationId)?.has(date)) return;
        const zone = zoneOf(input, p.locationId);
        const startMs = localToEpochMs(zone, date, p.start);
        const endMs = localToEpochMs(zone, p.end <= p.start ? next : date, p.end);
        if (endMs <= startMs) return; // a zero-length slot inside a DST gap
        shifts.push({
          key: `${contract.id}:${date}:${index}`,
          employeeId: contract.employeeId,
          locationId: p.locationId,
          date,
          startMs,
          endMs,
          breakMinutes: p.breakMinutes ?? 0,
          source: { layer: 'contract', id: contract.id },
          origin: { contractId: contract.id, employeeId: contract.employeeId, pattern: p, effectiveFrom: contract.effectiveFrom },
          notes: [],
        });
      });
    }
  }
  return shifts;
}

function noteOf(a: EngineAdjustment, kind: ProvenanceNote['kind'], fromMs: number, toMs: number): ProvenanceNote {
  return { kind, adjustmentId: a.id, number: a.number, adjustmentKind: a.kind, fromMs, toMs, by: a.decidedByName };
}

/** Removes [fromMs, toMs) from a shift: zero, one or two pieces remain, each with the shift's provenance. */
function cut(shift: ScheduledShift, a: EngineAdjustment): ScheduledShift[] {
  const from = Math.max(shift.startMs, a.startMs);
  const to = Math.min(shift.endMs, a.endMs);
  if (from >= to) return [shift];
  const note = noteOf(a, 'removed', from, to);
  const pieces: ScheduledShift[] = [];
  if (shift.startMs < from) pieces.push({ ...shift, endMs: from, notes: [...shift.notes, note] });
  if (to < shift.endMs) pieces.push({ ...shift, startMs: to, notes: [...shift.notes, note] });
  // The break stays with the longest piece, and never exceeds what is left of it.
  const longest = pieces.reduce<ScheduledShift | undefined>((l, p) => (!l || p.endMs - p.startMs > l.endMs - l.startMs ? p : l), undefined);
  for (const p of pieces) {
    p.breakMinutes = p === longest ? Math.min(shift.breakMinutes, Math.floor((p.endMs - p.startMs) / 60_000)) : 0;
  }
  return pieces;
}

function applyAdjustment(input: EngineInput, shifts: ScheduledShift[], a: EngineAdjustment, dates: Set<string>): ScheduledShift[] {
  const home = input.employees.get(a.employeeId)?.locationId;
  switch (a.kind) {
    case 'time_off':
      return shifts.flatMap((s) => (s.employeeId === a.employeeId && s.startMs < a.endMs && a.startMs < s.endMs ? cut(s, a) : [s]));
    case 'extra_shift':
    case 'change_shift': {
      const locationId = a.locationId ?? home;
      if (!locationId) return shifts;
      const date = localDateOf(zoneOf(input, locationId), a.startMs);
      let kept = shifts;
      let replaced: ScheduledShift[] = [];
      if (a.kind === 'change_shift') {
        replaced = shifts.filter((s) => s.employeeId === a.employeeId && s.date === date);
        kept = shifts.filter((s) => !(s.employeeId === a.employeeId && s.date === date));
      }
      if (!dates.has(date)) return kept;
      const added: ScheduledShift = {
        key: `adjustment:${a.id}`,
        employeeId: a.employeeId,
        locationId,
        date,
        startMs: a.startMs,
        endMs: a.endMs,
        breakMinutes: 0,
        source: { layer: 'adjustment', id: a.id },
        origin: null,
        notes: replaced.map((r) => noteOf(a, 'replaced', r.startMs, r.endMs)),
      };
      return [...kept, added];
    }
    case 'swap': {
      const other = a.counterpartEmployeeId;
      if (!other) return shifts;
      return shifts.map((s) => {
        const inWindow = s.startMs >= a.startMs && s.startMs < a.endMs;
        if (!inWindow || (s.employeeId !== a.employeeId && s.employeeId !== other)) return s;
        const to = s.employeeId === a.employeeId ? other : a.employeeId;
        return {
          ...s,
          employeeId: to,
          source: { layer: 'adjustment', id: a.id },
          notes: [...s.notes, noteOf(a, 'swapped_in', s.startMs, s.endMs)],
        };
      });
    }
  }
}

/** Expands the effective schedule for [from, to]: shifts sorted by employee, then start. */
export function expandSchedule(input: EngineInput): ScheduledShift[] {
  const dates = datesBetween(input.from, input.to);
  const dateSet = new Set(dates);
  // Shifts by person: an adjustment touches only its person (and a swap's counterpart), not everyone's.
  const byEmployee = new Map<string, ScheduledShift[]>();
  for (const shift of expandContracts(input, dates)) {
    const list = byEmployee.get(shift.employeeId);
    if (list) list.push(shift);
    else byEmployee.set(shift.employeeId, [shift]);
  }
  const ordered = [...input.adjustments].sort((x, y) => x.decidedAtMs - y.decidedAtMs || x.number - y.number);
  for (const a of ordered) {
    const people = a.kind === 'swap' && a.counterpartEmployeeId ? [a.employeeId, a.counterpartEmployeeId] : [a.employeeId];
    const touched = people.flatMap((id) => byEmployee.get(id) ?? []);
    for (const id of people) byEmployee.set(id, []);
    for (const shift of applyAdjustment(input, touched, a, dateSet)) byEmployee.get(shift.employeeId)!.push(shift);
  }
  return [...byEmployee.values()]
    .flat()
    .filter((s) => dateSet.has(s.date) && s.endMs > s.startMs)
    .sort((x, y) => (x.employeeId < y.employeeId ? -1 : x.employeeId > y.employeeId ? 1 : x.startMs - y.startMs || x.endMs - y.endMs));
}

// ---------- labour rules ----------

export type ViolationRule = 'no_overlap' | 'max_daily' | 'max_weekly' | 'min_rest';

export interface Violation {
  rule: ViolationRule;
  employeeId: string;
  startMs: number;
  endMs: number;
  minutes: number;
  limitMinutes: number | null;
  date: string | null;
  shiftKeys: string[];
  message: string;
}

export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : h === 0 ? `${m} min` : `${h} h ${m} min`;
}

const weekdayNames = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const localLabel = (zone: string, ms: number) => {
  const z = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone);
  return `${weekdayNames[z.dayOfWeek]} ${z.toPlainDate().toString()} ${z.toPlainTime().toString({ smallestUnit: 'minute' })}`;
};

const workedMinutes = (s: ScheduledShift) => Math.max(0, Math.round((s.endMs - s.startMs) / 60_000) - s.breakMinutes);

const weekStartCache = new Map<string, string>();
/** Monday of the ISO week a local date falls in. */
export function weekStartOf(date: string): string {
  let monday = weekStartCache.get(date);
  if (monday === undefined) {
    const d = Temporal.PlainDate.from(date);
    monday = d.subtract({ days: d.dayOfWeek - 1 }).toString();
    if (weekStartCache.size > 20_000) weekStartCache.clear();
    weekStartCache.set(date, monday);
  }
  return monday;
}

/**
 * Checks each employee's shifts against their home location's rules. Every violation carries a
 * sentence a manager reads as it is.
 */
export function findViolations(
  shifts: ScheduledShift[],
  input: Pick<EngineInput, 'employees' | 'zones'>,
  rulesOf: (locationId: string) => LabourRules,
): Violation[] {
  const violations: Violation[] = [];
  const byEmployee = new Map<string, ScheduledShift[]>();
  for (const s of shifts) {
    let list = byEmployee.get(s.employeeId);
    if (!list) byEmployee.set(s.employeeId, (list = []));
    list.push(s);
  }
  for (const [employeeId, list] of byEmployee) {
    const employee = input.employees.get(employeeId);
    const name = employee?.name ?? 'This person';
    const homeLocation = employee?.locationId ?? list[0]!.locationId;
    const zone = input.zones.get(homeLocation) ?? 'UTC';
    const rules = rulesOf(homeLocation);
    list.sort((a, b) => a.startMs - b.startMs);

    // Overlaps between different shifts.
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length && list[j]!.startMs < list[i]!.endMs; j++) {
        const a = list[i]!;
        const b = list[j]!;
        const from = b.startMs;
        const to = Math.min(a.endMs, b.endMs);
        violations.push({
          rule: 'no_overlap',
          employeeId,
          startMs: from,
          endMs: to,
          minutes: Math.round((to - from) / 60_000),
          limitMinutes: null,
          date: a.date,
          shiftKeys: [a.key, b.key],
          message: `${name} has two shifts that overlap for ${formatMinutes(Math.round((to - from) / 60_000))} from ${localLabel(zone, from)} (${zone}).`,
        });
      }
    }

    // Daily and weekly totals by the shift's local date.
    const daily = new Map<string, ScheduledShift[]>();
    const weekly = new Map<string, ScheduledShift[]>();
    for (const s of list) {
      (daily.get(s.date) ?? daily.set(s.date, []).get(s.date)!).push(s);
      const week = weekStartOf(s.date);
      (weekly.get(week) ?? weekly.set(week, []).get(week)!).push(s);
    }
    for (const [date, day] of daily) {
      const minutes = day.reduce((t, s) => t + workedMinutes(s), 0);
      if (minutes > rules.maxDailyMinutes) {
        violations.push({
          rule: 'max_daily',
          employeeId,
          startMs: day[0]!.startMs,
          endMs: Math.max(...day.map((s) => s.endMs)),
          minutes,
          limitMinutes: rules.maxDailyMinutes,
          date,
          shiftKeys: day.map((s) => s.key),
          message: `${name} is scheduled ${formatMinutes(minutes)} on ${weekdayNames[Temporal.PlainDate.from(date).dayOfWeek]} ${date}, over the ${formatMinutes(rules.maxDailyMinutes)} daily limit.`,
        });
      }
    }
    for (const [week, shiftsOfWeek] of weekly) {
      const minutes = shiftsOfWeek.reduce((t, s) => t + workedMinutes(s), 0);
      if (minutes > rules.maxWeeklyMinutes) {
        violations.push({
          rule: 'max_weekly',
          employeeId,
          startMs: shiftsOfWeek[0]!.startMs,
          endMs: Math.max(...shiftsOfWeek.map((s) => s.endMs)),
          minutes,
          limitMinutes: rules.maxWeeklyMinutes,
          date: week,
          shiftKeys: shiftsOfWeek.map((s) => s.key),
          message: `${name} is scheduled ${formatMinutes(minutes)} in the week of ${week}, over the ${formatMinutes(rules.maxWeeklyMinutes)} weekly limit.`,
        });
      }
    }

    // Rest between consecutive shifts; pieces of one shift cut by time off count as one shift.
    const groups: { key: string; startMs: number; endMs: number }[] = [];
    for (const s of list) {
      const last = groups.at(-1);
      if (last && last.key === s.key) last.endMs = Math.max(last.endMs, s.endMs);
      else groups.push({ key: s.key, startMs: s.startMs, endMs: s.endMs });
    }
    for (let i = 1; i < groups.length; i++) {
      const prev = groups[i - 1]!;
      const next = groups[i]!;
      const rest = Math.round((next.startMs - prev.endMs) / 60_000);
      if (rest >= 0 && rest < rules.minRestMinutes) {
        violations.push({
          rule: 'min_rest',
          employeeId,
          startMs: prev.endMs,
          endMs: next.startMs,
          minutes: rest,
          limitMinutes: rules.minRestMinutes,
          date: localDateOf(zone, next.startMs),
          shiftKeys: [prev.key, next.key],
          message: `${name} gets only ${formatMinutes(rest)} of rest between the shift ending ${localLabel(zone, prev.endMs)} and the next starting ${localLabel(zone, next.startMs)} (${formatMinutes(rules.minRestMinutes)} required, ${zone}).`,
        });
      }
    }
  }
  return violations;
}
