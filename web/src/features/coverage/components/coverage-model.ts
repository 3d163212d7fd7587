import type { CoverageHour } from '@contract/coverage.ts';

/** Pure helpers of the coverage page: local days, the grid of hours by days, and the colour scale. */

const dayFormat = new Map<string, Intl.DateTimeFormat>();
/** Today's local date (YYYY-MM-DD) in a zone. */
export function localToday(zone: string, now: Date = new Date()): string {
  let f = dayFormat.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormat.set(zone, f);
  }
  return f.format(now);
}

/** Calendar arithmetic on a local date; no zone involved, so DST cannot shift it. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to && out.length < 100; d = addDays(d, 1)) out.push(d);
  return out;
}

const plainDay = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' });
const longDay = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
/** A local date as words; the date is a calendar day, so it is formatted at UTC noon, never shifted. */
export function formatLocalDate(date: string, long = false): string {
  const at = new Date(`${date}T12:00:00Z`);
  return (long ? longDay : plainDay).format(at);
}

const weekdayFormat = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', weekday: 'short' });
const monthFormat = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', month: 'short' });
export const weekdayShort = (date: string) => weekdayFormat.format(new Date(`${date}T12:00:00Z`));
export const monthShort = (date: string) => monthFormat.format(new Date(`${date}T12:00:00Z`));

export const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * Hours of a day keyed by local hour. A day when clocks go back has two buckets with the same local
 * hour (both are kept, in order); a day when they go forward has an hour with none.
 */
export function gridOf(items: CoverageHour[]): Map<string, CoverageHour[]> {
  const grid = new Map<string, CoverageHour[]>();
  for (const h of items) {
    const key = `${h.localDate}|${h.localHour}`;
    const cell = grid.get(key);
    if (cell) cell.push(h);
    else grid.set(key, [h]);
  }
  return grid;
}

export function hoursPerDay(items: CoverageHour[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const h of items) m.set(h.localDate, (m.get(h.localDate) ?? 0) + 1);
  return m;
}

export type Phase = 'past' | 'now' | 'future';
export function phaseOf(h: CoverageHour, nowMs: number): Phase {
  const start = Date.parse(h.hourStart);
  if (start > nowMs) return 'future';
  return Date.parse(h.hourEnd) > nowMs ? 'now' : 'past';
}

/** What the hour is judged on: people on the floor once it has started, the schedule before. */
export function levelOf(h: CoverageHour, nowMs: number): { value: number; basis: 'staffed' | 'scheduled' } {
  return phaseOf(h, nowMs) === 'future' ? { value: h.scheduled, basis: 'scheduled' } : { value: h.staffed, basis: 'staffed' };
}

export type Tone = 'none' | 'ok' | 'short1' | 'short2' | 'short3' | 'over1' | 'over2' | 'over3';

/** The colour step of an hour: direction from the server's status, strength from the size of the gap. */
export function toneOf(h: CoverageHour, nowMs: number): Tone {
  const { value } = levelOf(h, nowMs);
  if (h.required === 0 && value < 0.5) return 'none';
  if (h.status === 'ok') return 'ok';
  const gap = Math.abs(value - h.required);
  const ratio = gap / Math.max(h.required, 1);
  if (h.status === 'understaffed') return ratio >= 0.3 || gap >= 3 ? 'short3' : ratio >= 0.12 || gap >= 1.5 ? 'short2' : 'short1';
  return ratio >= 0.5 ? 'over3' : ratio >= 0.2 ? 'over2' : 'over1';
}

/** Signed difference to the requirement, as shown in a cell ("-3", "+2"). */
export function deltaLabel(h: CoverageHour, nowMs: number): string {
  const { value } = levelOf(h, nowMs);
  const d = Math.round(value - h.required);
  if (h.status === 'ok' || d === 0) return '';
  return d > 0 ? `+${d}` : `\u2212${-d}`;
}

interface Swatch {
  bg: string;
  fg: string;
}

/**
 * A diverging orange-neutral-blue scale (ColorBrewer PuOr/RdBu family), readable with the common
 * colour-vision deficiencies. In dark mode the strength runs the other way round: the further from
 * target, the further from the dark background. Text colours keep 4.5:1 on every step.
 */
export const PALETTE: Record<'light' | 'dark', Record<Tone, Swatch>> = {
  light: {
    none: { bg: 'transparent', fg: '#52525b' },
    ok: { bg: '#e4e4e7', fg: '#18181b' },
    short1: { bg: '#fdd0a2', fg: '#18181b' },
    short2: { bg: '#fd8d3c', fg: '#18181b' },
    short3: { bg: '#a63603', fg: '#ffffff' },
    over1: { bg: '#c6dbef', fg: '#18181b' },
    over2: { bg: '#6baed6', fg: '#18181b' },
    over3: { bg: '#08519c', fg: '#ffffff' },
  },
  dark: {
    none: { bg: 'transparent', fg: '#a1a1aa' },
    ok: { bg: '#3f3f46', fg: '#fafafa' },
    short1: { bg: '#6b3410', fg: '#fafafa' },
    short2: { bg: '#b45309', fg: '#ffffff' },
    short3: { bg: '#fdae6b', fg: '#18181b' },
    over1: { bg: '#1e3a5f', fg: '#fafafa' },
    over2: { bg: '#2563eb', fg: '#ffffff' },
    over3: { bg: '#9ecae1', fg: '#18181b' },
  },
};

export const TONE_LABEL: Record<Tone, string> = {
  short3: 'Short by 30% or more',
  short2: 'Short',
  short1: 'Slightly short',
  ok: 'On target',
  over1: 'Slightly over',
  over2: 'Over',
  over3: 'Over by 50% or more',
  none: 'No demand, nobody',
};

export const fmtCount = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export function minutes(n: number): string {
  if (n < 60) return `${n} min`;
  const h = Math.floor(n / 60);
  const m = n % 60;
  return m ? `${h} h ${m} min` : `${h} h`;
}
