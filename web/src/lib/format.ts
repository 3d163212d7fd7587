/** Formatting of instants and zones. Every shown time carries the zone it is written in. */

export const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(zone: string, options: Intl.DateTimeFormatOptions) {
  const key = zone + JSON.stringify(options);
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(undefined, { ...options, timeZone: zone });
    cache.set(key, f);
  }
  return f;
}

export function formatDateTime(instant: string | Date, zone = viewerZone): string {
  return fmt(zone, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(instant));
}

export function formatTime(instant: string | Date, zone = viewerZone, seconds = false): string {
  return fmt(zone, { hour: '2-digit', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}) }).format(new Date(instant));
}

export function formatDate(instant: string | Date, zone = viewerZone): string {
  return fmt(zone, { weekday: 'short', month: 'short', day: 'numeric' }).format(new Date(instant));
}

/** "GMT+5:30" style offset of a zone at an instant. */
export function zoneOffset(zone: string, at: Date = new Date()): string {
  const part = fmt(zone, { timeZoneName: 'shortOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName');
  return part?.value === 'GMT' ? 'UTC' : (part?.value.replace('GMT', 'UTC') ?? '');
}

export function zoneLabel(zone: string): string {
  return `${zone.replace(/_/g, ' ')} (${zoneOffset(zone)})`;
}

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
export function relativeTime(instant: string | Date, now = Date.now()): string {
  const seconds = Math.round((new Date(instant).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), 'hour');
  return rtf.format(Math.round(seconds / 86400), 'day');
}

/** The instant a local date (YYYY-MM-DD) starts in a zone; `endOfDay` gives the last millisecond. */
export function localDateToInstant(date: string, zone: string, endOfDay = false): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  // Guess UTC midnight, then correct by the zone's offset at that moment (twice, for DST edges).
  let t = Date.UTC(y, m - 1, d + (endOfDay ? 1 : 0));
  const target = t;
  for (let i = 0; i < 2; i++) {
    const parts = fmt(zone, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(t))
      .reduce<Record<string, number>>((acc, p) => (p.type !== 'literal' ? { ...acc, [p.type]: Number(p.value) } : acc), {});
    const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
    t += target - asUtc;
  }
  return new Date(endOfDay ? t - 1 : t).toISOString();
}

export const numberFormat = new Intl.NumberFormat();
