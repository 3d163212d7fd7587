import type { CoverageAlert } from '@contract/coverage.ts';
import type { Location } from '@contract/org.ts';
import { useQueries, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { AlarmClockOff, ArrowDownRight, ArrowRight, Hourglass, RotateCw, UsersRound } from 'lucide-react';
import type { ReactNode } from 'react';
import { Card } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/states';
import { numberFormat } from '@/lib/format';
import { cn } from '@/lib/utils';
import { alertsQuery, floorCountsQuery } from '@/features/coverage/api/coverage-queries';
import { localToday } from '@/features/coverage/components/coverage-model';

interface PerLocation {
  location: Location;
  count: number;
}

function FloorTile({
  icon,
  label,
  value,
  hint,
  link,
  attention,
  testId,
}: {
  icon: ReactNode;
  label: string;
  value: ReactNode;
  hint: ReactNode;
  link: ReactNode;
  attention?: boolean;
  testId: string;
}) {
  return (
    <Card className="flex flex-col p-5" data-testid={testId}>
      <div className="flex items-center justify-between text-muted-foreground [&_svg]:size-4">
        <h3 className="text-xs font-medium uppercase tracking-wide">{label}</h3>
        <span aria-hidden className={cn(attention && 'text-warning')}>
          {icon}
        </span>
      </div>
      <div className="mt-2 text-3xl font-semibold tracking-tight tabular-nums">{value}</div>
      <div className="mt-1 flex-1 text-xs text-muted-foreground">{hint}</div>
      <div className="mt-3 text-xs">{link}</div>
    </Card>
  );
}

function Breakdown({ rows }: { rows: PerLocation[] }) {
  if (rows.length < 2) return null;
  return (
    <ul className="mt-0.5 flex flex-wrap gap-x-2">
      {rows.map((r) => (
        <li key={r.location.id}>
          {r.location.name} <span className="font-medium tabular-nums text-foreground">{r.count}</span>
        </li>
      ))}
    </ul>
  );
}

const linkClass = 'inline-flex items-center gap-1 rounded font-medium text-primary underline-offset-4 hover:underline [&_svg]:size-3.5';

/**
 * Today's floor for managers and admins: understaffed hours, overtime risks and missed clock-outs
 * from each visible location's alerts, and who is on the floor now. Kept live by the floor channels.
 */
export function FloorTiles({ locations }: { locations: Location[] }) {
  const alerts = useQueries({
    queries: locations.map((l) => alertsQuery(l.id)),
  });
  const floor = useQuery(floorCountsQuery('all'));
  const alertsPending = alerts.some((q) => q.isPending);
  const alertsError = alerts.find((q) => q.isError)?.error;
  const retryAlerts = () => alerts.forEach((q) => q.isError && void q.refetch());

  const count = (pick: (a: CoverageAlert, location: Location) => boolean): PerLocation[] =>
    locations.map((location, i) => ({ location, count: (alerts[i]?.data?.items ?? []).filter((a) => pick(a, location)).length }));
  const understaffed = count((a, l) => a.kind === 'understaffed' && localToday(l.timezone, new Date(a.from)) === localToday(l.timezone));
  // People, not alerts: someone heading past both the daily and the weekly limit has two alerts.
  const overtime: PerLocation[] = locations.map((location, i) => ({
    location,
    count: new Set((alerts[i]?.data?.items ?? []).filter((a) => a.kind === 'overtime_risk').flatMap((a) => a.employeeIds)).size,
  }));
  const missed = count((a) => a.kind === 'missed_clock_out');
  const total = (rows: PerLocation[]) => rows.reduce((n, r) => n + r.count, 0);
  // Send the manager to the location that needs them most.
  const worst = (rows: PerLocation[]) => [...rows].sort((a, b) => b.count - a.count)[0]?.location.id;

  const alertValue = (rows: PerLocation[]) =>
    alertsPending ? <Skeleton className="h-9 w-12" /> : alertsError ? <span aria-label="Unavailable">–</span> : numberFormat.format(total(rows));
  const alertHint = (rows: PerLocation[], text: string) =>
    alertsError ? (
      <span className="inline-flex items-center gap-2">
        Could not load alerts.
        <button type="button" onClick={retryAlerts} className="inline-flex items-center gap-1 font-medium text-foreground underline-offset-4 hover:underline">
          <RotateCw aria-hidden className="size-3" /> Retry
        </button>
      </span>
    ) : locations.length === 0 ? (
      'No locations in your scope'
    ) : (
      <>
        {text}
        <Breakdown rows={rows} />
      </>
    );
  const coverageLink = (rows: PerLocation[], text: string) => (
    <Link to="/coverage" search={{ locationId: worst(rows) }} className={linkClass}>
      {text} <ArrowRight aria-hidden />
    </Link>
  );

  const counts = floor.data?.counts ?? {};
  const onFloor = (counts.on_shift ?? 0) + (counts.on_break ?? 0) + (counts.overtime ?? 0);

  return (
    <section aria-labelledby="floor-today" className="mt-6">
      <h2 id="floor-today" className="mb-3 text-sm font-semibold tracking-tight">
        Floor today
      </h2>
      <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <FloorTile
          testId="tile-understaffed"
          icon={<ArrowDownRight />}
          label="Understaffed hours"
          value={alertValue(understaffed)}
          attention={total(understaffed) > 0}
          hint={alertHint(understaffed, 'Today, so far and ahead by the schedule')}
          link={coverageLink(understaffed, 'Open coverage')}
        />
        <FloorTile
          testId="tile-overtime"
          icon={<Hourglass />}
          label="Overtime risks"
          value={alertValue(overtime)}
          attention={total(overtime) > 0}
          hint={alertHint(overtime, 'People who will pass the daily or weekly limit')}
          link={coverageLink(overtime, 'See who')}
        />
        <FloorTile
          testId="tile-missed"
          icon={<AlarmClockOff />}
          label="Missed clock-outs"
          value={alertValue(missed)}
          attention={total(missed) > 0}
          hint={alertHint(missed, 'Shifts still open long after their end')}
          link={
            <Link to="/live" search={{ locationId: worst(missed), status: 'missed_clock_out' }} className={linkClass}>
              See who on the live floor <ArrowRight aria-hidden />
            </Link>
          }
        />
        <FloorTile
          testId="tile-floor"
          icon={<UsersRound />}
          label="On the floor now"
          value={floor.isPending ? <Skeleton className="h-9 w-12" /> : floor.isError ? <span aria-label="Unavailable">–</span> : numberFormat.format(onFloor)}
          hint={
            floor.isError ? (
              <span className="inline-flex items-center gap-2">
                Could not load the floor.
                <button type="button" onClick={() => void floor.refetch()} className="inline-flex items-center gap-1 font-medium text-foreground underline-offset-4 hover:underline">
                  <RotateCw aria-hidden className="size-3" /> Retry
                </button>
              </span>
            ) : (
              <span className="tabular-nums">
                {counts.on_break ? `${numberFormat.format(counts.on_break)} on break · ` : ''}
                <span className={cn((counts.late ?? 0) > 0 && 'font-medium text-warning')}>{numberFormat.format(counts.late ?? 0)} late</span> ·{' '}
                {numberFormat.format(counts.absent ?? 0)} absent
              </span>
            )
          }
          link={
            <Link to="/live" className={linkClass}>
              Open the live floor <ArrowRight aria-hidden />
            </Link>
          }
        />
      </div>
    </section>
  );
}
