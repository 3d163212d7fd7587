import type { LiveStatus, PunchKind } from '../api/timeclock-queries';

export const STATUS: Record<LiveStatus, { label: string; variant: 'default' | 'secondary' | 'outline' | 'success' | 'warning' | 'destructive'; sinceLabel: string }> = {
  on_shift: { label: 'On shift', variant: 'success', sinceLabel: 'clocked in' },
  on_break: { label: 'On break', variant: 'default', sinceLabel: 'break started' },
  late: { label: 'Late', variant: 'warning', sinceLabel: 'due' },
  absent: { label: 'Absent', variant: 'destructive', sinceLabel: 'was due' },
  clocked_out: { label: 'Clocked out', variant: 'secondary', sinceLabel: 'clocked out' },
  unscheduled: { label: 'Unscheduled', variant: 'outline', sinceLabel: 'clocked in' },
  overtime: { label: 'Overtime', variant: 'warning', sinceLabel: 'shift ended' },
  missed_clock_out: { label: 'Missed clock-out', variant: 'destructive', sinceLabel: 'clocked in' },
  scheduled: { label: 'Scheduled', variant: 'outline', sinceLabel: '' },
};

/** The order of the filter chips: what needs attention first. */
export const STATUS_ORDER: LiveStatus[] = ['late', 'absent', 'missed_clock_out', 'overtime', 'on_shift', 'on_break', 'unscheduled', 'scheduled', 'clocked_out'];

export const PUNCH_LABEL: Record<PunchKind, string> = {
  clock_in: 'Clock in',
  clock_out: 'Clock out',
  break_start: 'Start break',
  break_end: 'End break',
};

export const PUNCH_DONE: Record<PunchKind, string> = {
  clock_in: 'Clocked in',
  clock_out: 'Clocked out',
  break_start: 'Break started',
  break_end: 'Break ended',
};

/** 450 -> "7h 30m"; negative values keep their sign ("-1h 05m"). */
export function minutes(m: number, signed = false): string {
  const sign = m < 0 ? '−' : signed && m > 0 ? '+' : '';
  const a = Math.abs(m);
  const h = Math.floor(a / 60);
  const r = a % 60;
  return `${sign}${h}h ${String(r).padStart(2, '0')}m`;
}

const partsFmt = new Map<string, Intl.DateTimeFormat>();
function wallParts(zone: string, ms: number) {
  let f = partsFmt.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    partsFmt.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).filter((x) => x.type !== 'literal').map((x) => [x.type, Number(x.value)]));
  return p as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>;
}

/** Today's date (YYYY-MM-DD) in a zone. */
export function todayIn(zone: string, now = Date.now()): string {
  const p = wallParts(zone, now);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** "YYYY-MM-DDTHH:MM" as a wall-clock time in a zone, for a datetime-local input. */
export function wallTimeIn(zone: string, ms: number): string {
  const p = wallParts(zone, ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}

/** The instant a wall-clock time ("YYYY-MM-DDTHH:MM") names in a zone (the earlier one in a DST overlap). */
export function wallTimeToInstant(local: string, zone: string): string {
  const [d, t] = local.split('T') as [string, string];
  const [y, mo, da] = d.split('-').map(Number) as [number, number, number];
  const [h, mi] = t.split(':').map(Number) as [number, number];
  const target = Date.UTC(y, mo - 1, da, h, mi);
  let ms = target;
  for (let i = 0; i < 3; i++) {
    const p = wallParts(zone, ms);
    ms += target - Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  }
  return new Date(ms).toISOString();
}

/** Adds days to a local date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Monday of the week a local date is in. */
export function mondayOf(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const dow = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
  return addDays(date, -dow);
}

export function formatLocalDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
}
