import type { CoverageAlert } from '@contract/coverage.ts';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { AlarmClockOff, ArrowDownRight, ArrowUpRight, BedDouble, CheckCircle2, Hourglass } from 'lucide-react';
import { useMemo, useState, type ReactNode } from 'react';
import { Badge } from '@/components/ui/badge';
import { EmptyState } from '@/components/ui/states';
import { formatDate, formatTime, zoneOffset } from '@/lib/format';
import { cn } from '@/lib/utils';
import { employeesQuery } from '@/features/org/api/org-queries';

export const KIND_LABEL: Record<CoverageAlert['kind'], string> = {
  understaffed: 'Understaffed',
  overstaffed: 'Overstaffed',
  overtime_risk: 'Overtime risk',
  rest_risk: 'Rest risk',
  missed_clock_out: 'Missed clock-out',
};

const KIND_ICON: Record<CoverageAlert['kind'], ReactNode> = {
  understaffed: <ArrowDownRight />,
  overstaffed: <ArrowUpRight />,
  overtime_risk: <Hourglass />,
  rest_risk: <BedDouble />,
  missed_clock_out: <AlarmClockOff />,
};

const SEVERITY_RANK = { high: 0, medium: 1, low: 2 } as const;
const SEVERITY_VARIANT = { high: 'destructive', medium: 'warning', low: 'secondary' } as const;

type Filter = 'all' | 'staffing' | 'people';
const FILTERS: { id: Filter; label: string; kinds: CoverageAlert['kind'][] }[] = [
  { id: 'all', label: 'All', kinds: ['understaffed', 'overstaffed', 'overtime_risk', 'rest_risk', 'missed_clock_out'] },
  { id: 'staffing', label: 'Staffing', kinds: ['understaffed', 'overstaffed'] },
  { id: 'people', label: 'People', kinds: ['overtime_risk', 'rest_risk', 'missed_clock_out'] },
];

/** When an alert applies, in the location's zone, labelled with the zone's offset. */
export function alertWhen(alert: CoverageAlert, zone: string): string {
  const from = new Date(alert.from);
  const to = new Date(alert.to);
  const sameDay = formatDate(from, zone) === formatDate(to, zone);
  const offset = zoneOffset(zone, from);
  if (alert.kind === 'missed_clock_out') return `Clocked in since ${formatDate(from, zone)}, ${formatTime(from, zone)} ${offset}`;
  return sameDay
    ? `${formatDate(from, zone)}, ${formatTime(from, zone)}–${formatTime(to, zone)} ${offset}`
    : `${formatDate(from, zone)}, ${formatTime(from, zone)} – ${formatDate(to, zone)}, ${formatTime(to, zone)} ${offset}`;
}

export function CoverageAlerts({ alerts, zone, scheduleLink }: { alerts: CoverageAlert[]; zone: string; scheduleLink?: (alert: CoverageAlert) => ReactNode }) {
  const [filter, setFilter] = useState<Filter>('all');
  const people = useQuery(employeesQuery);
  const names = useMemo(() => new Map((people.data ?? []).map((e) => [e.id, e.name])), [people.data]);
  const sorted = useMemo(
    () => [...alerts].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || Date.parse(a.from) - Date.parse(b.from)),
    [alerts],
  );
  const kinds = FILTERS.find((f) => f.id === filter)!.kinds;
  const shown = sorted.filter((a) => kinds.includes(a.kind));

  return (
    <div>
      <div role="group" aria-label="Show alerts" className="mx-5 mb-3 inline-flex rounded-md border bg-muted/40 p-0.5">
        {FILTERS.map((f) => {
          const count = sorted.filter((a) => f.kinds.includes(a.kind)).length;
          return (
            <button
              key={f.id}
              type="button"
              aria-pressed={filter === f.id}
              onClick={() => setFilter(f.id)}
              className={cn(
                'rounded px-2.5 py-1 text-xs font-medium text-muted-foreground transition-colors hover:text-foreground',
                filter === f.id && 'bg-card text-foreground shadow-xs',
              )}
            >
              {f.label} <span className="tabular-nums">({count})</span>
            </button>
          );
        })}
      </div>
      {shown.length === 0 ? (
        <EmptyState
          icon={<CheckCircle2 />}
          title={alerts.length === 0 ? 'No alerts' : 'No alerts of this kind'}
          description={alerts.length === 0 ? 'Staffing and rest are within limits today and for the next 24 hours, and overtime today and this week.' : undefined}
        />
      ) : (
        <ul aria-label="Coverage alerts" className="divide-y border-t">
          {shown.map((a) => (
            <li key={a.id} className="flex gap-3 px-5 py-3">
              <span aria-hidden className={cn('mt-0.5 shrink-0 self-start rounded-md border p-1.5 [&_svg]:size-4', a.severity === 'high' ? 'border-destructive/30 bg-destructive/10 text-destructive' : 'bg-muted text-muted-foreground')}>
                {KIND_ICON[a.kind]}
              </span>
              <div className="min-w-0 flex-1">
                <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
                  <Badge variant={SEVERITY_VARIANT[a.severity]}>
                    <span className="sr-only">Severity: </span>
                    <span className="capitalize">{a.severity}</span>
                  </Badge>
                  <span className="text-xs font-medium text-muted-foreground">{KIND_LABEL[a.kind]}</span>
                  <time dateTime={a.from} className="text-xs text-muted-foreground">
                    · {alertWhen(a, zone)}
                  </time>
                </div>
                <p className="mt-1 text-sm">{a.message}</p>
                {(a.employeeIds.length > 0 || scheduleLink) && (
                  <div className="mt-1.5 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs">
                    {a.employeeIds.map((id) => (
                      <Link key={id} to="/people/$id" params={{ id }} className="font-medium text-primary underline-offset-4 hover:underline">
                        {names.get(id) ?? 'Open person'}
                      </Link>
                    ))}
                    {scheduleLink?.(a)}
                  </div>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
