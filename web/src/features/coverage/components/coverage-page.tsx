import type { CoverageHour } from '@contract/coverage.ts';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { AlertTriangle, CalendarClock, CalendarDays, ChevronLeft, ChevronRight, Grid3x3, MapPin } from 'lucide-react';
import { lazy, Suspense, useEffect, useId, useMemo, useState, type ReactNode } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Label } from '@/components/ui/input';
import { LocalClock } from '@/components/ui/local-clock';
import { PageHeader } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import { EmptyState, ErrorState, LoadingState, Skeleton } from '@/components/ui/states';
import { formatTime, zoneLabel, zoneOffset } from '@/lib/format';
import { useConnection } from '@/lib/realtime';
import { useOrgLookups } from '@/features/org/api/org-queries';
import { alertsQuery, hourlyQuery } from '../api/coverage-queries';
import { CoverageAlerts } from './coverage-alerts';
import { CoverageHeatmap, CoverageLegend, type CellRef } from './coverage-heatmap';
import { addDays, daysBetween, fmtCount, formatLocalDate, hoursPerDay, levelOf, localToday, minutes, pad2, phaseOf } from './coverage-model';

const CoverageLinesChart = lazy(() => import('./coverage-lines-chart'));

export interface CoverageSearch {
  locationId?: string;
  /** The last local day shown; absent: a week after today. */
  end?: string;
}

/** Days shown: two weeks back, one week ahead. */
const PAST_DAYS = 13;
const FUTURE_DAYS = 7;

function useNow(intervalMs: number) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

function localHourNow(zone: string, nowMs: number) {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(new Date(nowMs)));
}

export function CoveragePage({ search, onSearchChange }: { search: CoverageSearch; onSearchChange: (next: CoverageSearch) => void }) {
  const lookups = useOrgLookups();
  const selectId = useId();
  const locations = useMemo(() => lookups.locations.filter((l) => l.active).sort((a, b) => a.name.localeCompare(b.name)), [lookups.locations]);
  const location = locations.find((l) => l.id === search.locationId) ?? locations[0];

  const picker = (
    <div className="flex items-center gap-2">
      <Label htmlFor={selectId} className="text-muted-foreground">
        Location
      </Label>
      <Select id={selectId} className="w-56" value={location?.id ?? ''} disabled={!locations.length} onChange={(e) => onSearchChange({ ...search, locationId: e.target.value })}>
        {locations.map((l) => (
          <option key={l.id} value={l.id}>
            {l.name}
          </option>
        ))}
      </Select>
    </div>
  );

  return (
    <>
      <PageHeader
        title="Coverage"
        description="Required, scheduled and staffed headcount per local hour, updated as people clock in and out."
        actions={
          <>
            {picker}
            {location && (
              <span className="rounded-md border bg-card px-2.5 py-1.5 text-sm">
                <span className="sr-only">Local time at {location.name}: </span>
                <LocalClock zone={location.timezone} />
              </span>
            )}
          </>
        }
      />
      {lookups.isPending ? (
        <Card>
          <LoadingState label="Loading locations…" rows={8} />
        </Card>
      ) : lookups.error ? (
        <Card>
          <ErrorState error={lookups.error} onRetry={lookups.refetch} />
        </Card>
      ) : !location ? (
        <Card>
          <EmptyState icon={<MapPin />} title="No locations to watch" description="Coverage appears here once a location you manage has demand and a schedule." />
        </Card>
      ) : (
        <LocationCoverage
          key={location.id}
          locationId={location.id}
          locationName={location.name}
          zone={location.timezone}
          end={search.end}
          onEndChange={(end) => onSearchChange({ ...search, end })}
        />
      )}
    </>
  );
}

function LocationCoverage({
  locationId,
  locationName,
  zone,
  end,
  onEndChange,
}: {
  locationId: string;
  locationName: string;
  zone: string;
  end?: string;
  onEndChange: (end: string | undefined) => void;
}) {
  const nowMs = useNow(30_000);
  const today = localToday(zone, new Date(nowMs));
  const to = end ?? addDays(today, FUTURE_DAYS);
  const from = addDays(to, -(PAST_DAYS + FUTURE_DAYS));
  const days = useMemo(() => daysBetween(from, to), [from, to]);
  const hourly = useQuery(hourlyQuery(locationId, from, to));
  // Today on its own: the summary and the lines stay on today while the grid pages through weeks.
  const todayQuery = useQuery(hourlyQuery(locationId, today, today));
  const alerts = useQuery(alertsQuery(locationId));
  const connection = useConnection();
  const [picked, setSelected] = useState<CellRef>(() => ({ date: today, hour: localHourNow(zone, nowMs) }));
  // After paging to other weeks the picked day may be off screen: the grid still needs its one tab stop.
  const selected = days.includes(picked.date) ? picked : { date: days.includes(today) ? today : days.at(-1)!, hour: picked.hour };

  const items = hourly.data?.items ?? [];
  const todayHours = todayQuery.data?.items ?? [];
  const zoneText = zoneLabel(zone);
  const live = connection.status === 'connected';

  return (
    <div className="grid gap-4">
      <Summary hours={todayHours} alerts={alerts.data?.items.length} highAlerts={alerts.data?.items.filter((a) => a.severity === 'high').length} nowMs={nowMs} loading={todayQuery.isPending} />

      <Card>
        <CardHeader className="flex-wrap">
          <div>
            <CardTitle className="flex items-center gap-2">
              Hours by day
              <Badge variant={live ? 'success' : 'warning'}>
                <span aria-hidden className="size-1.5 rounded-full bg-current" />
                {live ? 'Live' : 'Paused'}
              </Badge>
            </CardTitle>
            <CardDescription>
              {locationName}, {formatLocalDate(from)} – {formatLocalDate(to)}. Rows are local hours in {zoneText}. Past hours compare people on the floor with
              the requirement; future hours compare the schedule.
            </CardDescription>
          </div>
          <div role="group" aria-label="Days shown" className="flex items-center gap-1.5">
            <Button variant="outline" size="sm" onClick={() => onEndChange(addDays(to, -7))}>
              <ChevronLeft aria-hidden /> Earlier
            </Button>
            {end && (
              <Button variant="outline" size="sm" onClick={() => onEndChange(undefined)}>
                Today
              </Button>
            )}
            <Button variant="outline" size="sm" onClick={() => onEndChange(addDays(to, 7))}>
              Later <ChevronRight aria-hidden />
            </Button>
          </div>
        </CardHeader>
        <CardContent>
          {hourly.isPending ? (
            <div role="status" aria-live="polite">
              <span className="sr-only">Loading coverage…</span>
              <Skeleton className="h-[520px]" />
            </div>
          ) : hourly.isError ? (
            <ErrorState error={hourly.error} onRetry={() => void hourly.refetch()} title="Could not load coverage" />
          ) : items.length === 0 ? (
            <EmptyState icon={<Grid3x3 />} title="No coverage yet" description="Set the location's demand and schedule people there to see required against scheduled and staffed hours." />
          ) : (
            <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_260px]">
              <div className="grid gap-3">
                <CoverageHeatmap items={items} days={days} today={today} zone={zone} nowMs={nowMs} selected={selected} onSelect={setSelected} />
                <CoverageLegend />
              </div>
              <HourDetails items={items} cell={selected} zone={zone} nowMs={nowMs} footer={<ScheduleLink locationId={locationId} date={selected.date} />} />
            </div>
          )}
        </CardContent>
      </Card>

      <div className="grid gap-4 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <Card>
          <CardHeader>
            <div>
              <CardTitle>Today</CardTitle>
              <CardDescription>
                {formatLocalDate(today, true)}: required, scheduled and staffed people per hour, local time {zoneText}
              </CardDescription>
            </div>
          </CardHeader>
          <CardContent>
            {todayQuery.isPending ? (
              <Skeleton className="h-80" />
            ) : todayQuery.isError ? (
              <ErrorState error={todayQuery.error} onRetry={() => void todayQuery.refetch()} />
            ) : todayHours.length === 0 ? (
              <EmptyState icon={<CalendarClock />} title="Nothing today" description="No demand or schedule for today at this location." />
            ) : (
              <Suspense fallback={<Skeleton className="h-80" />}>
                <CoverageLinesChart hours={todayHours} zone={zone} zoneText={zoneText} nowMs={nowMs} label={chartLabel(todayHours, zone, nowMs)} />
              </Suspense>
            )}
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <div>
              <CardTitle>Alerts</CardTitle>
              <CardDescription>Today and the next 24 hours; they clear themselves when the cause goes away. Times in {zoneText}.</CardDescription>
            </div>
          </CardHeader>
          {/* A long list scrolls inside the card, so the chart beside it stays in view. Focusable: keyboard users can scroll it. */}
          <div role="region" aria-label="Alert list" tabIndex={0} className="max-h-[23rem] overflow-y-auto pb-2 focus-visible:outline-2 focus-visible:-outline-offset-2">
            {alerts.isPending ? (
              <LoadingState label="Loading alerts…" rows={4} />
            ) : alerts.isError ? (
              <ErrorState error={alerts.error} onRetry={() => void alerts.refetch()} title="Could not load alerts" />
            ) : (
              <CoverageAlerts
                alerts={alerts.data.items}
                zone={alerts.data.timezone}
                scheduleLink={(a) => <ScheduleLink locationId={locationId} date={localToday(zone, new Date(a.from))} />}
              />
            )}
          </div>
        </Card>
      </div>
    </div>
  );
}

function Summary({ hours, alerts, highAlerts, nowMs, loading }: { hours: CoverageHour[]; alerts?: number; highAlerts?: number; nowMs: number; loading: boolean }) {
  const current = hours.find((h) => phaseOf(h, nowMs) === 'now');
  const shortSoFar = hours.filter((h) => phaseOf(h, nowMs) !== 'future' && h.status === 'understaffed').length;
  const shortAhead = hours.filter((h) => phaseOf(h, nowMs) === 'future' && h.status === 'understaffed').length;
  const shortMinutes = hours.reduce((n, h) => n + h.shortMinutes, 0);
  const skeleton = <Skeleton className="h-8 w-16" />;
  return (
    <div className="grid gap-4 sm:grid-cols-3">
      <Tile label="This hour" value={loading ? skeleton : current ? `${fmtCount(current.staffed)} / ${current.required}` : '–'} hint={current ? `on the floor / required, ${current.scheduled ? `${fmtCount(current.scheduled)} scheduled` : 'none scheduled'}` : 'No data for the current hour'} />
      <Tile
        label="Understaffed hours today"
        value={loading ? skeleton : shortSoFar + shortAhead}
        hint={`${shortSoFar} so far (${minutes(shortMinutes)} short), ${shortAhead} ahead by the schedule`}
      />
      <Tile label="Open alerts" value={alerts === undefined ? skeleton : alerts} hint={highAlerts ? `${highAlerts} high severity` : 'None of high severity'} icon={<AlertTriangle />} />
    </div>
  );
}

function Tile({ label, value, hint, icon }: { label: string; value: ReactNode; hint: ReactNode; icon?: ReactNode }) {
  return (
    <Card className="p-4">
      <div className="flex items-center justify-between text-muted-foreground [&_svg]:size-4">
        <span className="text-xs font-medium uppercase tracking-wide">{label}</span>
        {icon}
      </div>
      <div className="mt-1.5 text-2xl font-semibold tracking-tight tabular-nums">{value}</div>
      <div className="mt-0.5 text-xs text-muted-foreground">{hint}</div>
    </Card>
  );
}

/** The schedule of the location, on the week of a local date. */
function ScheduleLink({ locationId, date }: { locationId: string; date: string }) {
  return (
    <Link to="/schedule" search={{ view: 'week', date, locationId }} className="inline-flex items-center gap-1 font-medium text-primary underline-offset-4 hover:underline [&_svg]:size-3.5">
      <CalendarDays aria-hidden /> Schedule for {formatLocalDate(date)}
    </Link>
  );
}

function HourDetails({ items, cell, zone, nowMs, footer }: { items: CoverageHour[]; cell: CellRef; zone: string; nowMs: number; footer?: ReactNode }) {
  const buckets = items.filter((h) => h.localDate === cell.date && h.localHour === cell.hour);
  const dayHours = hoursPerDay(items).get(cell.date);
  return (
    <aside aria-label="Selected hour" className="rounded-lg border bg-muted/30 p-4 text-sm" data-testid="coverage-hour-details">
      <p className="text-xs font-medium uppercase tracking-wide text-muted-foreground">Selected hour</p>
      <p className="mt-1 font-semibold">{formatLocalDate(cell.date, true)}</p>
      {buckets.length === 0 ? (
        <p className="mt-2 text-muted-foreground">
          {pad2(cell.hour)}:00 – {dayHours === 23 ? 'this hour did not exist: the clocks went forward.' : 'no figures for this hour.'}
        </p>
      ) : (
        <>
          {buckets.length > 1 && <p className="mt-1 text-xs text-muted-foreground">The clocks went back: this local hour happened twice.</p>}
          {buckets.map((h) => {
            const phase = phaseOf(h, nowMs);
            const { value, basis } = levelOf(h, nowMs);
            const gap = value - h.required;
            return (
              <div key={h.hourStart} className="mt-3 border-t pt-3 first-of-type:border-t-0 first-of-type:pt-0">
                <p className="tabular-nums">
                  <HourRange hour={h} zone={zone} />
                  <span className="ml-2 text-xs text-muted-foreground">{phase === 'now' ? 'in progress' : phase === 'future' ? 'ahead' : 'past'}</span>
                </p>
                <p className="mt-1">
                  <StatusBadge status={h.status} />{' '}
                  {h.status !== 'ok' && (
                    <span className="text-muted-foreground">
                      {fmtCount(Math.abs(gap))} {gap < 0 ? 'short' : 'over'} by the {basis === 'staffed' ? 'floor' : 'schedule'}
                    </span>
                  )}
                </p>
                <dl className="mt-2 grid grid-cols-[1fr_auto] gap-x-3 gap-y-1 tabular-nums">
                  <dt className="text-muted-foreground">Required</dt>
                  <dd className="text-right font-medium">{h.required}</dd>
                  <dt className="text-muted-foreground">Scheduled</dt>
                  <dd className="text-right font-medium">{fmtCount(h.scheduled)}</dd>
                  <dt className="text-muted-foreground">Staffed{phase === 'now' ? ' (so far)' : ''}</dt>
                  <dd className="text-right font-medium">{phase === 'future' ? '–' : fmtCount(h.staffed)}</dd>
                  <dt className="text-muted-foreground">Fewest at once</dt>
                  <dd className="text-right font-medium">{phase === 'future' ? '–' : h.minStaffed}</dd>
                  <dt className="text-muted-foreground">Minutes short</dt>
                  <dd className="text-right font-medium">{phase === 'future' ? '–' : h.shortMinutes}</dd>
                </dl>
              </div>
            );
          })}
        </>
      )}
      {footer && <div className="mt-4 border-t pt-3 text-xs">{footer}</div>}
    </aside>
  );
}

/** "14:00–15:00 UTC+1"; across a clock change each end carries its own offset ("01:00 UTC-5 – 01:00 UTC-6"). */
function HourRange({ hour, zone }: { hour: CoverageHour; zone: string }) {
  const start = new Date(hour.hourStart);
  const end = new Date(hour.hourEnd);
  const [a, b] = [zoneOffset(zone, start), zoneOffset(zone, end)];
  if (a !== b) {
    return (
      <>
        {formatTime(start, zone)} <span className="text-muted-foreground">{a}</span> – {formatTime(end, zone)} <span className="text-muted-foreground">{b}</span>
      </>
    );
  }
  return (
    <>
      {formatTime(start, zone)}–{formatTime(end, zone)} <span className="text-muted-foreground">{a}</span>
    </>
  );
}

function StatusBadge({ status }: { status: CoverageHour['status'] }) {
  if (status === 'understaffed') return <Badge variant="warning">Understaffed</Badge>;
  if (status === 'overstaffed') return <Badge variant="default">Overstaffed</Badge>;
  return <Badge variant="secondary">On target</Badge>;
}

function chartLabel(hours: CoverageHour[], zone: string, nowMs: number) {
  const parts = hours.map((h) => {
    const t = formatTime(h.hourStart, zone);
    const staffed = phaseOf(h, nowMs) === 'future' ? '' : `, staffed ${fmtCount(h.staffed)}`;
    return `${t} required ${h.required}, scheduled ${fmtCount(h.scheduled)}${staffed}`;
  });
  return `Today's headcount per hour, local time ${zone}: ${parts.join('; ')}`;
}
