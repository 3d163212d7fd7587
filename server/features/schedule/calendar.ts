import type { ScheduleItem } from '../../../contract/schedule.ts';

/** RFC 5545 text escaping. */
const escapeText = (text: string) => text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');

/** Instants in UTC form (20261122T220000Z): every client reads them the same, whatever its zone. */
const utc = (isoWithOffset: string | Date) =>
  new Date(isoWithOffset).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** Folds content lines at 75 octets, as RFC 5545 requires, without splitting a UTF-8 character. */
function fold(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let start = 0;
  let limit = 75;
  while (start < bytes.length) {
    let end = Math.min(start + limit, bytes.length);
    while (end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
    parts.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
    limit = 74; // continuation lines start with a space
  }
  return parts.join('\r\n ');
}

export function renderCalendar(input: {
  name: string;
  items: ScheduleItem[];
  locations: Map<string, { name: string; timezone: string }>;
  now: Date;
}): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Workfloor//Schedule//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(`Shifts: ${input.name}`)}`,
    'REFRESH-INTERVAL;VALUE=DURATION:PT1H',
  ];
  for (const item of input.items) {
    const location = input.locations.get(item.locationId);
    lines.push(
      'BEGIN:VEVENT',
      // Stable per shift slot, so a calendar updates the event rather than duplicating it.
      `UID:${item.employeeId}-${utc(item.start)}-${item.source.id}@workfloor`,
      `DTSTAMP:${utc(input.now)}`,
      `DTSTART:${utc(item.start)}`,
      `DTEND:${utc(item.end)}`,
      `SUMMARY:${escapeText(`Shift at ${location?.name ?? 'work'}`)}`,
      `LOCATION:${escapeText(location ? `${location.name} (${location.timezone})` : '')}`,
      `DESCRIPTION:${escapeText(item.provenance)}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(fold).join('\r\n')}\r\n`;
}
