import { useEffect, useState } from 'react';
import { formatTime, zoneOffset } from '@/lib/format';

function useNow(intervalMs: number) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

/** The current wall-clock time in a zone, labelled with the zone's offset. */
export function LocalClock({ zone, className }: { zone: string; className?: string }) {
  const now = useNow(15_000);
  return (
    <span className={className}>
      <time dateTime={now.toISOString()} className="tabular-nums">
        {formatTime(now, zone)}
      </time>{' '}
      <span className="text-muted-foreground">{zoneOffset(zone, now)}</span>
    </span>
  );
}
