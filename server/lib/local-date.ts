import { Temporal } from 'temporal-polyfill';

/** Per zone, the local day last asked about and the instants it spans. */
const lastDay = new Map<string, { date: string; startMs: number; endMs: number }>();

/**
 * The date in `zone` at the instant `ms` (YYYY-MM-DD), for callers that ask about the same day over
 * and over (every punch asks for its timesheet day): the answer comes from the day last computed for
 * the zone while `ms` falls inside it, and a zone conversion costs tens of microseconds.
 */
export function localDateOf(zone: string, ms: number): string {
  const day = lastDay.get(zone);
  if (day && ms >= day.startMs && ms < day.endMs) return day.date;
  const date = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toPlainDate();
  // The day's first instant, and the next day's: a DST change moves both, not just midnight.
  const startMs = date.toZonedDateTime(zone).epochMilliseconds;
  const endMs = date.add({ days: 1 }).toZonedDateTime(zone).epochMilliseconds;
  if (lastDay.size >= 1_000) lastDay.clear();
  lastDay.set(zone, { date: date.toString(), startMs, endMs });
  return date.toString();
}
