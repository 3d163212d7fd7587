import { Temporal } from 'temporal-polyfill';

/**
 * Local dates and wall-clock times in a location's zone. Shifts are written in the location's
 * wall-clock time; turning one into an instant goes through Temporal, with the same rule as the server
 * ("compatible": a wall time that does not exist moves forward), so a shift drawn at 02:30 on the
 * spring-forward night means what the server will store. Display goes through cached Intl formatters,
 * which are fast enough for a 10,000-cell grid.
 */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(key: string, zone: string, options: Intl.DateTimeFormatOptions, locale = 'en-CA') {
  const k = `${key}|${zone}|${locale}`;
  let f = formatters.get(k);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone: zone });
    formatters.set(k, f);
  }
  return f;
}

/** YYYY-MM-DD of an instant in a zone. */
export function localDateOf(instant: string | number | Date, zone: string): string {
  return formatter('date', zone, { year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
}

/** HH:MM (24 h) of an instant in a zone. */
export function localTimeOf(instant: string | number | Date, zone: string): string {
  const s = formatter('time', zone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }, 'en-GB').format(new Date(instant));
  return s;
}

/** "6" or "6:30": the short form used in the month grid. */
export function shortTimeOf(instant: string | number | Date, zone: string): string {
  const t = localTimeOf(instant, zone);
  const h = String(Number(t.slice(0, 2)));
  return t.endsWith(':00') ? h : `${h}${t.slice(2)}`;
}

/** The instant of a wall-clock date and time in a zone (a time in a DST gap moves forward). */
export function zonedToInstant(date: string, time: string, zone: string): string {
  const zdt = Temporal.PlainDateTime.from(`${date}T${time}`).toZonedDateTime(zone, { disambiguation: 'compatible' });
  return new Date(zdt.epochMilliseconds).toISOString();
}

/**
 * A shift's [start, end) from a local date and two wall times: an end at or before the start means
 * the next day, as in contracts.
 */
export function shiftInstants(date: string, start: string, end: string, zone: string): { start: string; end: string } {
  const endDate = end <= start ? addDays(date, 1) : date;
  return { start: zonedToInstant(date, start, zone), end: zonedToInstant(endDate, end, zone) };
}

export function today(zone: string): string {
  return localDateOf(Date.now(), zone);
}

const utc = (date: string) => Date.parse(`${date}T00:00:00Z`);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function addDays(date: string, days: number): string {
  return iso(utc(date) + days * DAY_MS);
}

/** 1 = Monday ... 7 = Sunday. */
export function weekdayOf(date: string): number {
  const d = new Date(utc(date)).getUTCDay();
  return d === 0 ? 7 : d;
}

export function startOfWeek(date: string): string {
  return addDays(date, 1 - weekdayOf(date));
}

export function startOfMonth(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

export function endOfMonth(date: string): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return iso(Date.UTC(y, m, 0));
}

export function addMonths(date: string, months: number): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return iso(Date.UTC(y, m - 1 + months, 1));
}

export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = utc(from), end = utc(to); t <= end; t += DAY_MS) out.push(iso(t));
  return out;
}

const dayLabel = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
const longDayLabel = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const weekdayShort = new Intl.DateTimeFormat('en-GB', { weekday: 'short', timeZone: 'UTC' });
const monthLabel = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** "Mon 23 Nov" for a local date (no zone involved: it is already local). */
export const formatDay = (date: string) => dayLabel.format(utc(date));
export const formatLongDay = (date: string) => longDayLabel.format(utc(date));
export const formatWeekday = (date: string) => weekdayShort.format(utc(date));
export const formatMonth = (date: string) => monthLabel.format(utc(date));

/** "8 h 30 min" */
export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h && m ? `${h} h ${m} min` : h ? `${h} h` : `${m} min`;
}

/** "Mon 23 Nov 08:00–16:30" in the zone, the end's date shown only when it differs. */
export function formatRange(start: string, end: string, zone: string): string {
  const d1 = localDateOf(start, zone);
  const d2 = localDateOf(end, zone);
  return `${formatDay(d1)} ${localTimeOf(start, zone)}–${d2 === d1 ? '' : `${formatDay(d2)} `}${localTimeOf(end, zone)}`;
}
