import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { MonitorSmartphone, Timer, Users } from 'lucide-react';
import { useEffect, useMemo, useState } from 'react';
import { Button, buttonVariants } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { LocalClock } from '@/components/ui/local-clock';
import { PageHeader } from '@/components/ui/page';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { formatDateTime, formatTime, relativeTime, zoneLabel } from '@/lib/format';
import { useConnection } from '@/lib/realtime';
import { cn } from '@/lib/utils';
import { liveQuery, type LivePerson, type LiveStatus } from '../api/timeclock-queries';
import { STATUS, STATUS_ORDER } from './clock-format';
import { CorrectionDialog } from './correction-dialog';
import { LocationPicker, useFloorLocations } from './location-picker';
import { StatusBadge } from './status-badge';

export interface LiveSearch {
  locationId?: string;
  status?: LiveStatus;
}

function useNow(ms: number) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

export function LiveFloorPage({ search, onSearchChange }: { search: LiveSearch; onSearchChange: (next: LiveSearch) => void }) {
  const org = useFloorLocations();
  const locationId = search.locationId ?? org.preferred?.id;
  const location = locationId ? org.location.get(locationId) : undefined;

  useEffect(() => {
    // Put the chosen location into the address, so a reload or a shared link opens the same floor.
    if (!search.locationId && org.preferred) onSearchChange({ ...search, locationId: org.preferred.id });
  }, [search, org.preferred, onSearchChange]);

  return (
    <>
      <PageHeader
        title="Live floor"
        description="Everyone scheduled today or clocked in, against the schedule. Updates as people punch."
        actions={
          <>
            <LocationPicker locations={org.floorLocations} value={locationId} onChange={(id) => onSearchChange({ locationId: id })} />
            {locationId && (
              <Link to="/kiosk" search={{ locationId }} className={buttonVariants({ variant: 'outline' })}>
                <MonitorSmartphone aria-hidden /> Open kiosk
              </Link>
            )}
          </>
        }
      />
      {org.isPending ? (
        <Card>
          <LoadingState label="Loading locations" rows={4} />
        </Card>
      ) : org.error ? (
        <Card>
          <ErrorState error={org.error} onRetry={org.refetch} />
        </Card>
      ) : !locationId || !location ? (
        <Card>
          <EmptyState title="No location to show" description="There is no active location in your scope." />
        </Card>
      ) : (
        <Floor key={locationId} locationId={locationId} zone={location.timezone} locationName={location.name} status={search.status} onStatus={(status) => onSearchChange({ locationId, status })} departmentName={(id) => org.department.get(id)?.name ?? ''} />
      )}
    </>
  );
}

function Floor({
  locationId,
  zone,
  locationName,
  status,
  onStatus,
  departmentName,
}: {
  locationId: string;
  zone: string;
  locationName: string;
  status: LiveStatus | undefined;
  onStatus: (s: LiveStatus | undefined) => void;
  departmentName: (id: string) => string;
}) {
  const live = useQuery(liveQuery(locationId));
  const connection = useConnection();
  const now = useNow(30_000);
  const [punching, setPunching] = useState<LivePerson | null>(null);

  const rows = useMemo(() => (live.data?.items ?? []).filter((p) => !status || p.status === status), [live.data, status]);
  const total = live.data?.items.length ?? 0;

  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3 text-sm">
        <p className="text-muted-foreground">
          <span className="font-medium text-foreground">{locationName}</span> · local time <LocalClock zone={zone} className="font-medium text-foreground" />
        </p>
        <p className="text-xs text-muted-foreground" data-testid="live-updated">
          {live.data ? (
            <>
              As of <time dateTime={live.data.at}>{formatTime(live.data.at, zone, true)}</time>
              {connection.status === 'connected' ? ' · live' : ' · reconnecting, will refresh when back'}
              {live.isFetching && ' · updating…'}
            </>
          ) : null}
        </p>
      </div>

      {live.data && total > 0 && (
        <div role="group" aria-label="Filter by status" className="flex flex-wrap gap-2">
          <Chip pressed={!status} onClick={() => onStatus(undefined)} label="Everyone" count={total} />
          {STATUS_ORDER.filter((s) => (live.data.counts[s] ?? 0) > 0 || s === status).map((s) => (
            <Chip key={s} pressed={status === s} onClick={() => onStatus(status === s ? undefined : s)} label={STATUS[s].label} count={live.data.counts[s] ?? 0} status={s} />
          ))}
        </div>
      )}

      <Card className="overflow-hidden">
        {live.isPending ? (
          <LoadingState label="Loading the floor" rows={8} />
        ) : live.isError ? (
          <ErrorState error={live.error} onRetry={() => void live.refetch()} />
        ) : total === 0 ? (
          <EmptyState icon={<Users />} title="Nobody on the floor today" description={`Nobody is scheduled today or clocked in at ${locationName}.`} />
        ) : rows.length === 0 ? (
          <EmptyState icon={<Timer />} title={`Nobody is ${STATUS[status!].label.toLowerCase()} right now`} action={<Button variant="outline" size="sm" onClick={() => onStatus(undefined)}>Show everyone</Button>} />
        ) : (
          <div className="overflow-x-auto">
            <Table aria-label={`Live floor at ${locationName}, ${rows.length} people`}>
              <caption className="caption-top px-3 pt-3 pb-2 text-left text-xs text-muted-foreground">Times in {zoneLabel(zone)}</caption>
              <THead>
                <tr>
                  <Th scope="col">Person</Th>
                  <Th scope="col">Status</Th>
                  <Th scope="col">Since</Th>
                  <Th scope="col">Scheduled</Th>
                  <Th scope="col">Actual</Th>
                  <Th scope="col">
                    <span className="sr-only">Actions</span>
                  </Th>
                </tr>
              </THead>
              <TBody>
                {rows.map((p) => (
                  <Tr key={p.employeeId} data-testid="live-row" data-employee-id={p.employeeId} data-status={p.status}>
                    <Td>
                      <div className="font-medium">{p.name}</div>
                      <div className="text-xs text-muted-foreground">{departmentName(p.departmentId)}</div>
                    </Td>
                    <Td>
                      <StatusBadge status={p.status} />
                    </Td>
                    <Td>
                      {p.since ? (
                        <div>
                          <div>
                            {STATUS[p.status].sinceLabel} <time dateTime={p.since} title={formatDateTime(p.since, zone)}>{relativeTime(p.since, now)}</time>
                          </div>
                          <div className="text-xs tabular-nums text-muted-foreground">{formatDateTime(p.since, zone)}</div>
                        </div>
                      ) : (
                        <span className="text-muted-foreground">—</span>
                      )}
                    </Td>
                    <Td className="tabular-nums">{p.scheduled ? <Span start={p.scheduled.start} end={p.scheduled.end} zone={zone} /> : <span className="text-muted-foreground">Not scheduled</span>}</Td>
                    <Td className="tabular-nums">
                      {p.actual ? (
                        <div>
                          <Span start={p.actual.clockIn} end={p.actual.clockOut} zone={zone} />
                          {p.actual.onBreakSince && <div className="text-xs text-muted-foreground">on break since {formatTime(p.actual.onBreakSince, zone)}</div>}
                        </div>
                      ) : (
                        <span className="text-muted-foreground">No punch today</span>
                      )}
                    </Td>
                    <Td className="text-right">
                      <Button variant="outline" size="sm" onClick={() => setPunching(p)} aria-label={`Record a punch for ${p.name}`}>
                        Punch…
                      </Button>
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          </div>
        )}
      </Card>
      <CorrectionDialog person={punching} zone={zone} locationId={locationId} onClose={() => setPunching(null)} />
    </div>
  );
}

function Span({ start, end, zone }: { start: string; end: string | null; zone: string }) {
  const nextDay = end && new Date(end).toLocaleDateString('en-CA', { timeZone: zone }) !== new Date(start).toLocaleDateString('en-CA', { timeZone: zone });
  return (
    <span>
      <time dateTime={start}>{formatTime(start, zone)}</time>
      {' – '}
      {end ? (
        <>
          <time dateTime={end}>{formatTime(end, zone)}</time>
          {nextDay && <span className="text-xs text-muted-foreground"> (next day)</span>}
        </>
      ) : (
        <span className="text-muted-foreground">now</span>
      )}
    </span>
  );
}

function Chip({ pressed, onClick, label, count, status }: { pressed: boolean; onClick: () => void; label: string; count: number; status?: LiveStatus }) {
  return (
    <button
      type="button"
      aria-pressed={pressed}
      onClick={onClick}
      data-chip={status ?? 'all'}
      className={cn(
        'inline-flex h-8 cursor-pointer items-center gap-2 rounded-full border px-3 text-sm transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring',
        pressed ? 'border-primary bg-primary text-primary-foreground' : 'bg-card hover:bg-accent',
      )}
    >
      {label}
      <span className={cn('rounded-full px-1.5 text-xs font-semibold tabular-nums', pressed ? 'bg-primary-foreground text-primary' : 'bg-muted')}>{count}</span>
    </button>
  );
}
