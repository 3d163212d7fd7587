import type { Department, Employee, Location } from '@contract/org.ts';
import type { ScheduleItem, Violation } from '@contract/schedule.ts';
import type { Holiday, ScheduleData } from '../api/schedule-queries';
import { formatDay, localDateOf, localTimeOf, shortTimeOf } from '../api/zoned-time';

export type GridRow =
  | { type: 'group'; key: string; department: Department | undefined; location: Location | undefined; count: number }
  | { type: 'person'; key: string; employee: Employee; zone: string; locationName: string };

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** People grouped by department (ordered by location, then department name), each group headed by a row. */
export function buildRows(
  employees: Employee[],
  lookups: { department: Map<string, Department>; location: Map<string, Location> },
  filter: { locationId?: string; departmentId?: string },
): GridRow[] {
  const groups = new Map<string, Employee[]>();
  for (const e of employees) {
    if (!e.active) continue;
    if (filter.locationId && e.locationId !== filter.locationId) continue;
    if (filter.departmentId && e.departmentId !== filter.departmentId) continue;
    let list = groups.get(e.departmentId);
    if (!list) groups.set(e.departmentId, (list = []));
    list.push(e);
  }
  const groupLocation = (id: string) => lookups.location.get(lookups.department.get(id)?.locationId ?? '');
  const ordered = [...groups.keys()].sort(
    (a, b) =>
      collator.compare(groupLocation(a)?.name ?? '', groupLocation(b)?.name ?? '') ||
      collator.compare(lookups.department.get(a)?.name ?? '', lookups.department.get(b)?.name ?? ''),
  );
  const rows: GridRow[] = [];
  for (const id of ordered) {
    const people = groups.get(id)!.sort((a, b) => collator.compare(a.name, b.name));
    rows.push({ type: 'group', key: `g:${id}`, department: lookups.department.get(id), location: groupLocation(id), count: people.length });
    for (const e of people) {
      const location = lookups.location.get(e.locationId);
      rows.push({ type: 'person', key: e.id, employee: e, zone: location?.timezone ?? 'UTC', locationName: location?.name ?? '' });
    }
  }
  return rows;
}

export interface CellText {
  /** What a screen reader hears for the day (the cell's accessible name). */
  aria: string;
  /** One label per shift: "08:00–16:30" (week) and "8–16:30" (month). */
  long: string[];
  short: string[];
}

export interface ScheduleIndex {
  shifts: Map<string, ScheduleItem[]>;
  /**
   * Labels of a cell, formatted the first time it is drawn and kept for the response: the first paint
   * formats only the rows on screen (not 6,000 shifts), and scrolling back formats nothing again.
   */
  text: { get(key: string): CellText | undefined };
  violations: Map<string, Violation[]>;
  minutes: Map<string, number>;
  violationCount: Map<string, number>;
  holidays: Map<string, string>;
}

export const cellKey = (employeeId: string, date: string) => `${employeeId}|${date}`;

/** Shifts and violations by person and local date, built once per response so each cell is a map lookup. */
/**
 * The server writes each instant with its location's offset ("2026-11-23T08:00:00+00:00"), so when
 * the shift's location is in the zone we display, the wall time is in the string already: slicing
 * it saves tens of thousands of Intl calls on a month of 320 people.
 */
function wallTime(instant: string, itemZone: string | undefined, zone: string, short: boolean): string {
  if (itemZone === zone && instant.length >= 16 && instant[10] === 'T' && !instant.endsWith('Z')) {
    const t = instant.slice(11, 16);
    if (!short) return t;
    const h = String(Number(t.slice(0, 2)));
    return t.endsWith(':00') ? h : `${h}${t.slice(2)}`;
  }
  return short ? shortTimeOf(instant, zone) : localTimeOf(instant, zone);
}

export function indexSchedule(
  data: ScheduleData | undefined,
  zoneOf: (employeeId: string) => string,
  holidays: Holiday[] | undefined,
  zoneOfLocation: (locationId: string) => string | undefined = () => undefined,
): ScheduleIndex {
  const shifts = new Map<string, ScheduleItem[]>();
  const violations = new Map<string, Violation[]>();
  const minutes = new Map<string, number>();
  const violationCount = new Map<string, number>();
  for (const item of data?.items ?? []) {
    const key = cellKey(item.employeeId, item.date);
    const list = shifts.get(key);
    if (list) list.push(item);
    else shifts.set(key, [item]);
    minutes.set(item.employeeId, (minutes.get(item.employeeId) ?? 0) + item.minutes);
  }
  for (const list of shifts.values()) if (list.length > 1) list.sort((a, b) => a.start.localeCompare(b.start));
  const formatted = new Map<string, CellText>();
  const text = {
    get(key: string): CellText | undefined {
      const done = formatted.get(key);
      if (done) return done;
      const list = shifts.get(key);
      if (!list) return undefined;
      const zone = zoneOf(list[0]!.employeeId);
      const long = list.map((s) => `${wallTime(s.start, zoneOfLocation(s.locationId), zone, false)}–${wallTime(s.end, zoneOfLocation(s.locationId), zone, false)}`);
      const short = list.map((s) => `${wallTime(s.start, zoneOfLocation(s.locationId), zone, true)}–${wallTime(s.end, zoneOfLocation(s.locationId), zone, true)}`);
      const aria = `${formatDay(list[0]!.date)}: ${list.map((s, i) => `${long[i]!.replace('–', ' to ')}, ${s.source.layer === 'contract' ? 'contract shift' : 'adjustment'}${s.notes.some((n) => n.kind === 'removed') ? ', partly removed' : ''}`).join('; ')}`;
      const cell = { aria, long, short };
      formatted.set(key, cell);
      return cell;
    },
  };
  for (const v of data?.violations ?? []) {
    const key = cellKey(v.employeeId, v.date ?? localDateOf(v.start, zoneOf(v.employeeId)));
    const list = violations.get(key);
    if (list) list.push(v);
    else violations.set(key, [v]);
    violationCount.set(v.employeeId, (violationCount.get(v.employeeId) ?? 0) + 1);
  }
  const byLocation = new Map<string, string>();
  for (const h of holidays ?? []) byLocation.set(`${h.locationId}|${h.date}`, h.name);
  return { shifts, text, violations, minutes, violationCount, holidays: byLocation };
}
