import { useQuery } from '@tanstack/react-query';
import { AlertTriangle, ArrowRight } from 'lucide-react';
import type { Location } from '@contract/org.ts';
import type { ScheduleItem } from '@contract/schedule.ts';
import { ErrorState, Skeleton } from '@/components/ui/states';
import { cn } from '@/lib/utils';
import { previewQuery } from '../api/schedule-queries';
import { formatDay, formatMinutes, localTimeOf } from '../api/zoned-time';
import { ShiftChip } from './shift-chip';

const sig = (s: ScheduleItem) => `${s.start}|${s.end}|${s.source.id}`;

/**
 * What approving would do: per person and day, the shifts before and after, changed days marked,
 * the overlaps that would make the server refuse, and the warnings approval would add.
 */
export function AdjustmentPreview({ id, locations, names }: { id: string; locations: Map<string, Location>; names: Map<string, string> }) {
  const preview = useQuery(previewQuery(id));
  if (preview.isPending)
    return (
      <div role="status" className="grid gap-2">
        <span className="sr-only">Loading the effect on the schedule</span>
        <Skeleton className="h-6" />
        <Skeleton className="h-6" />
        <Skeleton className="h-6" />
      </div>
    );
  if (preview.isError) return <ErrorState error={preview.error} title="Could not compute the effect" onRetry={() => void preview.refetch()} />;
  const { before, after, conflicts } = preview.data;
  const zoneOf = (locationId: string) => locations.get(locationId)?.timezone ?? 'UTC';

  const days = new Map<string, { employeeId: string; date: string; before: ScheduleItem[]; after: ScheduleItem[] }>();
  const add = (s: ScheduleItem, side: 'before' | 'after') => {
    const key = `${s.employeeId}|${s.date}`;
    let d = days.get(key);
    if (!d) days.set(key, (d = { employeeId: s.employeeId, date: s.date, before: [], after: [] }));
    d[side].push(s);
  };
  before.items.forEach((s) => add(s, 'before'));
  after.items.forEach((s) => add(s, 'after'));
  const list = [...days.values()].sort((a, b) => a.employeeId.localeCompare(b.employeeId) || a.date.localeCompare(b.date));
  const changed = (d: (typeof list)[number]) => d.before.map(sig).join() !== d.after.map(sig).join();
  const minutes = (items: ScheduleItem[]) => items.reduce((n, s) => n + s.minutes, 0);
  const delta = minutes(after.items) - minutes(before.items);
  const known = new Set(before.violations.map((v) => v.message));
  const newWarnings = after.violations.filter((v) => !known.has(v.message) && v.rule !== 'no_overlap');
  const people = new Set(list.map((d) => d.employeeId));

  return (
    <div className="grid gap-3" data-testid="adjustment-preview">
      <p className="text-sm">
        Effect on the schedule:{' '}
        <span className={cn('font-medium tabular-nums', delta < 0 ? 'text-warning' : delta > 0 ? 'text-success' : '')}>
          {delta === 0 ? 'no change in hours' : `${delta > 0 ? '+' : '−'}${formatMinutes(Math.abs(delta))}`}
        </span>
      </p>
      {conflicts.length > 0 && (
        <div role="alert" className="rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm text-destructive">
          <p className="flex items-center gap-1.5 font-medium">
            <AlertTriangle aria-hidden className="size-4" /> Cannot be approved: it would make shifts overlap
          </p>
          <ul className="mt-1 list-disc pl-5">
            {conflicts.map((c, i) => (
              <li key={i}>{c.message}</li>
            ))}
          </ul>
        </div>
      )}
      {newWarnings.length > 0 && (
        <div className="rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-sm text-warning">
          <p className="font-medium">Approving adds {newWarnings.length === 1 ? 'a warning' : `${newWarnings.length} warnings`} (allowed):</p>
          <ul className="mt-1 list-disc pl-5">
            {newWarnings.map((v, i) => (
              <li key={i}>{v.message}</li>
            ))}
          </ul>
        </div>
      )}
      {list.length === 0 ? (
        <p className="text-sm text-muted-foreground">No shifts on these days, before or after.</p>
      ) : (
        <table className="w-full text-sm">
          <caption className="sr-only">Shifts before and after approval</caption>
          <thead>
            <tr className="text-left text-xs text-muted-foreground">
              <th scope="col" className="pb-1 font-medium">
                Day
              </th>
              <th scope="col" className="pb-1 font-medium">
                Before
              </th>
              <th scope="col" className="w-6 pb-1">
                <span className="sr-only">becomes</span>
              </th>
              <th scope="col" className="pb-1 font-medium">
                After
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((d) => {
              const diff = changed(d);
              const zone = zoneOf((d.after[0] ?? d.before[0])!.locationId);
              return (
                <tr key={`${d.employeeId}|${d.date}`} className={cn('border-t align-top', diff ? 'bg-primary/5' : 'text-muted-foreground')} data-changed={diff || undefined}>
                  <th scope="row" className="py-1.5 pr-2 text-left font-normal">
                    <span className={cn(diff && 'font-medium')}>{formatDay(d.date)}</span>
                    {people.size > 1 && <span className="block text-xs text-muted-foreground">{names.get(d.employeeId) ?? 'Colleague'}</span>}
                    {diff && <span className="sr-only"> (changes)</span>}
                  </th>
                  <td className="py-1.5 pr-2">
                    <Shifts items={d.before} zone={zone} />
                  </td>
                  <td className="py-1.5">{diff && <ArrowRight aria-hidden className="size-4 text-primary" />}</td>
                  <td className="py-1.5">
                    <Shifts items={d.after} zone={zone} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <p className="text-xs text-muted-foreground">
        Times in {[...new Set(list.map((d) => zoneOf((d.after[0] ?? d.before[0])!.locationId)))].join(', ') || 'the location’s zone'}.
      </p>
    </div>
  );
}

function Shifts({ items, zone }: { items: ScheduleItem[]; zone: string }) {
  if (!items.length) return <span className="text-xs text-muted-foreground">off</span>;
  return (
    <span className="grid gap-1">
      {items.map((s, i) => (
        <span key={i} title={s.provenance} className="inline-flex">
          <ShiftChip item={s} zone={zone} />
          <span className="sr-only">
            {localTimeOf(s.start, zone)} to {localTimeOf(s.end, zone)}: {s.provenance}
          </span>
        </span>
      ))}
    </span>
  );
}
