import { Temporal } from 'temporal-polyfill';
import type { DemoLocationKey } from './org.step.ts';

/**
 * Dates and times for the demo, in each location's wall-clock time, and the public holidays it uses.
 * Everything is relative to the app clock's "now", so the demo always looks current.
 */

export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

export const localDate = (zone: string, ms: number) => Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toPlainDate().toString();
export const addDays = (date: string, days: number) => Temporal.PlainDate.from(date).add({ days }).toString();
/** 1 = Monday ... 7 = Sunday. */
export const weekdayOf = (date: string) => Temporal.PlainDate.from(date).dayOfWeek;
/** The Monday of the week `date` is in. */
export const mondayOf = (date: string) => addDays(date, 1 - weekdayOf(date));
/** The instant of a local wall-clock time (a time that does not exist moves forward). */
export const instantOf = (zone: string, date: string, time: string) =>
  Temporal.PlainDateTime.from(`${date}T${time}`).toZonedDateTime(zone, { disambiguation: 'compatible' }).epochMilliseconds;
/** A shift [start, end) on a local date; an end at or before the start is on the next day. */
export function shiftInstants(zone: string, date: string, start: string, end: string): [number, number] {
  return [instantOf(zone, date, start), instantOf(zone, end <= start ? addDays(date, 1) : date, end)];
}

/**
 * Public holidays and site closures the demo's sites observe (England and Wales bank holidays; the US
 * federal holidays a distribution site closes for; Maharashtra festivals and national days), 2025-2027.
 */
export const demoHolidays: Record<DemoLocationKey, [string, string][]> = {
  leeds: [
    ['2025-01-01', "New Year's Day"], ['2025-04-18', 'Good Friday'], ['2025-04-21', 'Easter Monday'], ['2025-05-05', 'Early May bank holiday'],
    ['2025-05-26', 'Spring bank holiday'], ['2025-08-25', 'Summer bank holiday'], ['2025-12-25', 'Christmas Day'], ['2025-12-26', 'Boxing Day'],
    ['2026-01-01', "New Year's Day"], ['2026-04-03', 'Good Friday'], ['2026-04-06', 'Easter Monday'], ['2026-05-04', 'Early May bank holiday'],
    ['2026-05-25', 'Spring bank holiday'], ['2026-08-31', 'Summer bank holiday'], ['2026-12-25', 'Christmas Day'], ['2026-12-28', 'Boxing Day (substitute day)'],
    ['2027-01-01', "New Year's Day"], ['2027-03-26', 'Good Friday'], ['2027-03-29', 'Easter Monday'], ['2027-05-03', 'Early May bank holiday'],
    ['2027-05-31', 'Spring bank holiday'], ['2027-08-30', 'Summer bank holiday'], ['2027-12-27', 'Christmas Day (substitute day)'], ['2027-12-28', 'Boxing Day (substitute day)'],
  ],
  chicago: [
    ['2025-01-01', "New Year's Day"], ['2025-05-26', 'Memorial Day'], ['2025-07-04', 'Independence Day'], ['2025-09-01', 'Labor Day'],
    ['2025-11-27', 'Thanksgiving Day'], ['2025-12-25', 'Christmas Day'],
    ['2026-01-01', "New Year's Day"], ['2026-05-25', 'Memorial Day'], ['2026-07-03', 'Independence Day (observed)'], ['2026-09-07', 'Labor Day'],
    ['2026-11-26', 'Thanksgiving Day'], ['2026-12-25', 'Christmas Day'],
    ['2027-01-01', "New Year's Day"], ['2027-05-31', 'Memorial Day'], ['2027-07-05', 'Independence Day (observed)'], ['2027-09-06', 'Labor Day'],
    ['2027-11-25', 'Thanksgiving Day'], ['2027-12-24', 'Christmas Day (observed)'],
  ],
  pune: [
    ['2025-01-26', 'Republic Day'], ['2025-03-14', 'Holi'], ['2025-05-01', 'Maharashtra Day'], ['2025-08-15', 'Independence Day'],
    ['2025-08-27', 'Ganesh Chaturthi'], ['2025-10-02', 'Gandhi Jayanti / Dussehra'], ['2025-10-21', 'Diwali (Lakshmi Puja)'], ['2025-10-22', 'Diwali (Balipratipada)'],
    ['2025-11-05', 'Guru Nanak Jayanti'], ['2025-12-25', 'Christmas Day'],
    ['2026-01-26', 'Republic Day'], ['2026-03-04', 'Holi'], ['2026-03-19', 'Gudi Padwa'], ['2026-05-01', 'Maharashtra Day'],
    ['2026-08-15', 'Independence Day'], ['2026-09-14', 'Ganesh Chaturthi'], ['2026-10-02', 'Gandhi Jayanti'], ['2026-10-20', 'Dussehra'],
    ['2026-11-09', 'Diwali (Lakshmi Puja)'], ['2026-11-10', 'Diwali (Balipratipada)'], ['2026-11-24', 'Guru Nanak Jayanti'], ['2026-12-25', 'Christmas Day'],
    ['2027-01-26', 'Republic Day'], ['2027-03-22', 'Holi'], ['2027-04-07', 'Gudi Padwa'], ['2027-05-01', 'Maharashtra Day'],
    ['2027-08-15', 'Independence Day'], ['2027-09-04', 'Ganesh Chaturthi'], ['2027-10-02', 'Gandhi Jayanti'], ['2027-10-09', 'Dussehra'],
    ['2027-10-29', 'Diwali (Lakshmi Puja)'], ['2027-12-25', 'Christmas Day'],
  ],
};

/**
 * The holidays within `days` of `today` at a site; when the calendar has none there (a date outside
 * 2025-2027), a plausible one-day closure on a Monday of a week that has not happened yet.
 */
export function holidaysNear(key: DemoLocationKey, today: string, days = 42): { date: string; name: string }[] {
  const from = addDays(today, -days);
  const to = addDays(today, days);
  const real = demoHolidays[key].filter(([d]) => d >= from && d <= to).map(([date, name]) => ({ date, name }));
  if (real.length) return real;
  return [{ date: addDays(mondayOf(today), 14), name: 'Site closure: annual stocktake' }];
}
