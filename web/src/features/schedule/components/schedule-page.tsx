import { useQuery } from '@tanstack/react-query';
import { AlertTriangle, CalendarDays, ChevronLeft, ChevronRight, FilterX } from 'lucide-react';
import { useCallback, useDeferredValue, useMemo, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { PageHeader } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { viewerZone, zoneLabel } from '@/lib/format';
import { useUser } from '@/lib/session';
import { cn } from '@/lib/utils';
import { employeesQuery, useOrgLookups } from '@/features/org/api/org-queries';
import { holidaysQuery, scheduleQuery } from '../api/schedule-queries';
import { addDays, addMonths, datesBetween, endOfMonth, formatDay, formatMonth, startOfMonth, startOfWeek, today as todayIn } from '../api/zoned-time';
import { ScheduleGrid, type GridHandle, type GridView } from './schedule-grid';
import { buildRows, indexSchedule, type GridRow } from './schedule-index';
import { ShiftLegend } from './shift-chip';
import { ExtraShiftDialog, ShiftDialog, type OpenShift } from './shift-dialogs';

export interface ScheduleSearch {
  view?: GridView;
  date?: string;
  locationId?: string;
  departmentId?: string;
}

type PersonRow = Extract<GridRow, { type: 'person' }>;

export function SchedulePage({ search, onSearchChange }: { search: ScheduleSearch; onSearchChange: (s: ScheduleSearch) => void }) {
  const me = useUser();
  const canEdit = me.role === 'admin' || me.role === 'manager';
  const lookups = useOrgLookups();
  const employees = useQuery(employeesQuery);
  const view: GridView = search.view ?? 'week';
  const today = todayIn(viewerZone);
  const anchor = search.date ?? today;
  const from = view === 'week' ? startOfWeek(anchor) : startOfMonth(anchor);
  const to = view === 'week' ? addDays(from, 6) : endOfMonth(anchor);
  const dates = useMemo(() => datesBetween(from, to), [from, to]);
  const schedule = useQuery(scheduleQuery({ from, to, locationId: search.locationId, departmentId: search.departmentId }));
  // A new response (6,000 shifts in a month of everyone) is drawn in a transition, which React splits
  // into short slices: the page keeps answering input and no frame runs long.
  const scheduleData = useDeferredValue(schedule.data);
  const holidays = useQuery(holidaysQuery(from, to));
  const grid = useRef<GridHandle>(null);
  const [creating, setCreating] = useState<{ employee: PersonRow['employee']; zone: string; dates: string[] } | null>(null);
  const [opened, setOpened] = useState<OpenShift | null>(null);

  const set = (patch: Partial<ScheduleSearch>) => {
    const next = { ...search, ...patch };
    for (const k of Object.keys(next) as (keyof ScheduleSearch)[]) if (!next[k]) delete next[k];
    onSearchChange(next);
  };

  const rows = useMemo(
    () => buildRows(employees.data ?? [], lookups, { locationId: search.locationId, departmentId: search.departmentId }),
    [employees.data, lookups, search.locationId, search.departmentId],
  );
  const zoneByEmployee = useMemo(() => new Map(rows.flatMap((r) => (r.type === 'person' ? [[r.employee.id, r.zone] as const] : []))), [rows]);
  const index = useMemo(
    () => indexSchedule(scheduleData, (id) => zoneByEmployee.get(id) ?? viewerZone, holidays.data, (id) => lookups.location.get(id)?.timezone),
    [scheduleData, zoneByEmployee, holidays.data, lookups.location],
  );
  const people = rows.filter((r) => r.type === 'person').length;
  const names = useMemo(() => new Map((employees.data ?? []).map((e) => [e.id, e.name])), [employees.data]);

  const onOpenShift = useCallback((row: PersonRow, date: string, items: OpenShift['items']) => setOpened({ employee: row.employee, zone: row.zone, date, items }), []);
  const onCreate = useCallback((row: PersonRow, picked: string[]) => setCreating({ employee: row.employee, zone: row.zone, dates: picked }), []);

  const shift = (n: number) => set({ date: view === 'week' ? addDays(from, 7 * n) : addMonths(from, n) });
  const location = search.locationId ? lookups.location.get(search.locationId) : undefined;
  const shownLocations = location ? [location] : lookups.locations.filter((l) => l.active && rows.some((r) => r.type === 'group' && r.location?.id === l.id));
  const departmentOptions = lookups.departments.filter((d) => d.active && (!search.locationId || d.locationId === search.locationId));
  const rangeLabel = view === 'week' ? `${formatDay(from)} – ${formatDay(to)} ${to.slice(0, 4)}` : formatMonth(from);
  const violations = scheduleData?.violations ?? [];

  return (
    <>
      <PageHeader
        title="Schedule"
        description="Contracts and approved adjustments merged into one schedule, to the minute. Hover or focus a day for where its time comes from."
        actions={
          <>
            <div role="group" aria-label="View" className="flex rounded-md border bg-card p-0.5 shadow-xs">
              {(['week', 'month'] as const).map((v) => (
                <button
                  key={v}
                  type="button"
                  aria-pressed={view === v}
                  onClick={() => set({ view: v === 'week' ? undefined : v })}
                  className={cn('h-7 rounded px-3 text-sm', view === v ? 'bg-primary text-primary-foreground' : 'text-muted-foreground hover:bg-accent')}
                >
                  {v === 'week' ? 'Week' : 'Month'}
                </button>
              ))}
            </div>
            <div className="flex items-center gap-1">
              <Button variant="outline" size="icon-sm" aria-label={`Previous ${view}`} onClick={() => shift(-1)}>
                <ChevronLeft />
              </Button>
              <Button variant="outline" size="sm" onClick={() => set({ date: undefined })} disabled={!search.date}>
                Today
              </Button>
              <Button variant="outline" size="icon-sm" aria-label={`Next ${view}`} onClick={() => shift(1)}>
                <ChevronRight />
              </Button>
            </div>
            <p className="min-w-44 text-sm font-medium tabular-nums" aria-live="polite">
              {rangeLabel}
            </p>
          </>
        }
      />
      <Card className="mb-4 p-4">
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-[repeat(3,minmax(0,14rem))_auto] lg:items-end">
          <Field id="schedule-location" label="Location">
            <Select id="schedule-location" value={search.locationId ?? ''} onChange={(e) => set({ locationId: e.target.value || undefined, departmentId: undefined })}>
              <option value="">All locations</option>
              {lookups.locations.filter((l) => l.active).map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </Select>
          </Field>
          <Field id="schedule-department" label="Department">
            <Select id="schedule-department" value={search.departmentId ?? ''} onChange={(e) => set({ departmentId: e.target.value || undefined })}>
              <option value="">All departments</option>
              {departmentOptions.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                  {search.locationId ? '' : ` · ${lookups.location.get(d.locationId)?.name ?? ''}`}
                </option>
              ))}
            </Select>
          </Field>
          <Field id="schedule-date" label="Go to date">
            <Input id="schedule-date" type="date" value={anchor} onChange={(e) => set({ date: e.target.value || undefined })} />
          </Field>
          <div>
            <Button variant="ghost" disabled={!search.locationId && !search.departmentId} onClick={() => set({ locationId: undefined, departmentId: undefined })}>
              <FilterX /> Clear filters
            </Button>
          </div>
        </div>
        <div className="mt-3 flex flex-wrap items-center justify-between gap-3 border-t pt-3">
          <p className="text-xs text-muted-foreground" data-testid="schedule-zone">
            <span className="font-medium text-foreground">Times are in each location&rsquo;s zone:</span>{' '}
            {shownLocations.length ? shownLocations.map((l) => `${l.name} ${zoneLabel(l.timezone)}`).join(' · ') : '—'}
          </p>
          <ShiftLegend />
        </div>
      </Card>

      <Card className="overflow-hidden">
        {employees.isPending || lookups.isPending || (!scheduleData && !schedule.isError) ? (
          <LoadingState label="Loading the schedule" rows={10} />
        ) : employees.isError || schedule.isError ? (
          <ErrorState
            error={employees.error ?? schedule.error}
            onRetry={() => {
              void employees.refetch();
              void schedule.refetch();
            }}
          />
        ) : people === 0 ? (
          <EmptyState
            icon={<CalendarDays />}
            title="Nobody to schedule here"
            description={search.locationId || search.departmentId ? 'No active people match these filters. Clear a filter to see more.' : 'Add people to the directory to schedule them.'}
          />
        ) : (
          <>
            <div className="flex items-center justify-between gap-3 border-b px-4 py-2 text-xs text-muted-foreground">
              <span>
                {people} {people === 1 ? 'person' : 'people'} · {scheduleData?.items.length ?? 0} shifts
                {schedule.isFetching ? ' · updating…' : ''}
              </span>
              {canEdit && <span>Drag across empty days to add an extra shift · arrows move · Enter opens</span>}
            </div>
            <ScheduleGrid
              ref={grid}
              rows={rows}
              dates={dates}
              index={index}
              view={view}
              today={today}
              canEdit={canEdit}
              onOpenShift={onOpenShift}
              onCreate={onCreate}
              label={`Schedule, ${people} people, ${rangeLabel}`}
            />
          </>
        )}
      </Card>

      {scheduleData && (
        <Card className="mt-4" aria-labelledby="violations-heading">
          <div className="flex items-center gap-2 border-b px-5 py-3">
            <AlertTriangle aria-hidden className={cn('size-4', violations.length ? 'text-destructive' : 'text-muted-foreground')} />
            <h2 id="violations-heading" className="text-sm font-semibold">
              Labour-rule violations ({violations.length})
            </h2>
          </div>
          {violations.length === 0 ? (
            <p className="px-5 py-4 text-sm text-muted-foreground">No violations in this range: daily and weekly limits, rest periods and overlaps are all respected.</p>
          ) : (
            <ul className="max-h-72 divide-y overflow-y-auto" aria-label="Violations">
              {violations.map((v, i) => (
                <li key={i}>
                  <button
                    type="button"
                    className="flex w-full items-start gap-3 px-5 py-2 text-left text-sm hover:bg-accent focus-visible:bg-accent"
                    onClick={() => grid.current?.focusCell(v.employeeId, v.date ?? v.start.slice(0, 10))}
                  >
                    <AlertTriangle aria-hidden className="mt-0.5 size-4 shrink-0 text-destructive" />
                    <span className="flex-1">{v.message}</span>
                    <span className="shrink-0 text-xs text-muted-foreground">{names.get(v.employeeId) ? 'Show in grid' : ''}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </Card>
      )}

      <ExtraShiftDialog target={creating} locations={lookups.locations} onClose={() => setCreating(null)} />
      <ShiftDialog target={opened} canEdit={canEdit} onClose={() => setOpened(null)} />
    </>
  );
}
