import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { Activity, ArrowRight, Building2, Globe2, MapPin, Users } from 'lucide-react';
import { lazy, Suspense, useMemo, type ReactNode } from 'react';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { LocalClock } from '@/components/ui/local-clock';
import { PageHeader } from '@/components/ui/page';
import { EmptyState, ErrorState, LoadingState, Skeleton } from '@/components/ui/states';
import { numberFormat, relativeTime } from '@/lib/format';
import { useConnection } from '@/lib/realtime';
import { useUser } from '@/lib/session';
import { auditQuery } from '@/features/audit/api/audit-queries';
import { AuditEntry } from '@/features/audit/components/audit-entry';
import { headcountQuery, useOrgLookups } from '@/features/org/api/org-queries';
import { FloorTiles } from './floor-tiles';

const HeadcountChart = lazy(() => import('./headcount-chart'));

function Stat({ icon, label, value, hint }: { icon: ReactNode; label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <Card className="p-5">
      <div className="flex items-center justify-between text-muted-foreground [&_svg]:size-4">
        <span className="text-xs font-medium uppercase tracking-wide">{label}</span>
        {icon}
      </div>
      <div className="mt-2 text-3xl font-semibold tracking-tight tabular-nums">{value}</div>
      {hint && <div className="mt-1 text-xs text-muted-foreground">{hint}</div>}
    </Card>
  );
}

export function OverviewPage() {
  const me = useUser();
  const lookups = useOrgLookups();
  const headcount = useQuery(headcountQuery);
  const activity = useInfiniteQuery(auditQuery({}, 12));
  const connection = useConnection();

  const bars = useMemo(() => {
    const rows = (headcount.data?.items ?? []).map((r) => ({
      department: lookups.department.get(r.departmentId)?.name ?? 'Unknown',
      location: lookups.location.get(r.locationId)?.name ?? 'Unknown',
      active: r.active,
    }));
    return rows.sort((a, b) => a.location.localeCompare(b.location) || b.active - a.active);
  }, [headcount.data, lookups]);
  const total = bars.reduce((n, b) => n + b.active, 0);
  const byLocation = useMemo(() => {
    const m = new Map<string, number>();
    for (const r of headcount.data?.items ?? []) m.set(r.locationId, (m.get(r.locationId) ?? 0) + r.active);
    return m;
  }, [headcount.data]);
  const activeLocations = lookups.locations.filter((l) => l.active);
  const events = activity.data?.pages[0]?.items ?? [];
  const loading = headcount.isPending || lookups.isPending;

  return (
    <>
      <PageHeader
        title={`Good ${greeting()}, ${me.name.split(' ')[0]}`}
        description={me.role === 'admin' ? 'The whole organisation at a glance.' : 'Your departments and locations at a glance.'}
      />
      <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <Stat icon={<Users />} label="Active people" value={loading ? <Skeleton className="h-9 w-20" /> : numberFormat.format(total)} hint={<Link to="/people" className="hover:underline">Open directory</Link>} />
        <Stat
          icon={<MapPin />}
          label="Locations"
          value={lookups.isPending ? <Skeleton className="h-9 w-10" /> : lookups.isError ? <Unavailable /> : activeLocations.length}
          hint={lookups.isError ? 'Could not load' : plural(new Set(activeLocations.map((l) => l.timezone)).size, 'time zone')}
        />
        <Stat
          icon={<Building2 />}
          label="Departments"
          value={lookups.isPending ? <Skeleton className="h-9 w-10" /> : lookups.isError ? <Unavailable /> : lookups.departments.filter((d) => d.active).length}
          hint={<Link to="/departments" className="hover:underline">See headcount</Link>}
        />
        <Stat
          icon={<Activity />}
          label="Live feed"
          value={<span className="text-xl">{connection.status === 'connected' ? 'Connected' : connection.status === 'offline' ? 'Offline' : connection.status === 'connecting' ? 'Connecting' : 'Reconnecting'}</span>}
          hint={connection.lastEventAt ? `Last event ${relativeTime(connection.lastEventAt)}` : 'Waiting for the next event'}
        />
      </div>

      {lookups.isPending ? (
        <div className="mt-6 grid gap-4 sm:grid-cols-2 xl:grid-cols-4" role="status">
          <span className="sr-only">Loading today's floor…</span>
          {[0, 1, 2, 3].map((i) => (
            <Skeleton key={i} className="h-36 rounded-xl" />
          ))}
        </div>
      ) : lookups.isError ? (
        <Card className="mt-6">
          <ErrorState error={lookups.error} onRetry={lookups.refetch} title="Could not load locations and departments" />
        </Card>
      ) : (
        <FloorTiles locations={activeLocations} />
      )}

      <div className="mt-4 grid gap-4 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <Card>
          <CardHeader>
            <div>
              <CardTitle>Headcount by department</CardTitle>
              <CardDescription>Active people, coloured by location</CardDescription>
            </div>
          </CardHeader>
          <CardContent>
            {loading ? (
              <Skeleton className="h-72" />
            ) : headcount.isError ? (
              <ErrorState error={headcount.error} onRetry={() => void headcount.refetch()} />
            ) : lookups.isError ? (
              <ErrorState error={lookups.error} onRetry={lookups.refetch} title="Could not load department names" />
            ) : bars.length === 0 ? (
              <EmptyState icon={<Users />} title="Nobody here yet" description="Add people to see the headcount." />
            ) : (
              <Suspense fallback={<Skeleton className="h-72" />}>
                <HeadcountChart bars={bars} label={`Active people per department: ${bars.map((b) => `${b.department} (${b.location}) ${b.active}`).join(', ')}`} />
              </Suspense>
            )}
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <div>
              <CardTitle>Locations</CardTitle>
              <CardDescription>Headcount and the local time on each floor</CardDescription>
            </div>
            <Globe2 aria-hidden className="size-4 text-muted-foreground" />
          </CardHeader>
          <CardContent className="px-0 pb-2">
            {lookups.isPending ? (
              <LoadingState rows={3} />
            ) : lookups.isError ? (
              <ErrorState error={lookups.error} onRetry={lookups.refetch} title="Could not load locations" />
            ) : activeLocations.length === 0 ? (
              <EmptyState icon={<MapPin />} title="No locations yet" />
            ) : (
              <ul className="divide-y border-t">
                {activeLocations.map((l) => {
                  const n = byLocation.get(l.id) ?? 0;
                  return (
                    <li key={l.id} className="px-5 py-3">
                      <div className="flex items-center justify-between gap-3">
                        <div className="min-w-0">
                          <Link to="/people" search={{ locationId: l.id }} className="font-medium hover:underline">{l.name}</Link>
                          <div className="text-xs text-muted-foreground">{l.timezone.replace(/_/g, ' ')}</div>
                        </div>
                        <div className="text-right">
                          <LocalClock zone={l.timezone} className="text-sm font-medium" />
                          <div className="text-xs text-muted-foreground">{numberFormat.format(n)} people</div>
                        </div>
                      </div>
                      <div className="mt-2 h-1.5 overflow-hidden rounded-full bg-muted" aria-hidden>
                        <div className="h-full rounded-full bg-primary/80" style={{ width: `${total ? (n / total) * 100 : 0}%` }} />
                      </div>
                    </li>
                  );
                })}
              </ul>
            )}
          </CardContent>
        </Card>
      </div>

      <Card className="mt-4">
        <CardHeader>
          <div>
            <CardTitle className="flex items-center gap-2">
              Recent activity
              <Badge variant={connection.status === 'connected' ? 'success' : 'warning'}>
                <span aria-hidden className="size-1.5 rounded-full bg-current" />
                {connection.status === 'connected' ? 'Live' : 'Paused'}
              </Badge>
            </CardTitle>
            <CardDescription>Changes from the audit log as they happen</CardDescription>
          </div>
          <Link to="/audit" className="inline-flex items-center gap-1 rounded text-sm text-muted-foreground hover:text-foreground">
            Full audit log <ArrowRight aria-hidden className="size-3.5" />
          </Link>
        </CardHeader>
        {activity.isPending ? (
          <LoadingState rows={4} />
        ) : activity.isError ? (
          <ErrorState error={activity.error} onRetry={() => void activity.refetch()} />
        ) : events.length === 0 ? (
          <EmptyState icon={<Activity />} title="No activity yet" description="Changes appear here the moment they happen." />
        ) : (
          <ul aria-label="Recent activity" className="grid divide-y border-t md:grid-cols-2 md:divide-y-0 [&>li]:border-b md:[&>li:nth-last-child(-n+2)]:border-b-0">
            {events.slice(0, 12).map((e) => (
              <AuditEntry key={e.seq} event={e} lookups={lookups} compact />
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}

function plural(n: number, word: string) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function greeting() {
  const h = new Date().getHours();
  return h < 12 ? 'morning' : h < 18 ? 'afternoon' : 'evening';
}

/** A tile figure that could not be loaded: a dash, named for screen readers. */
function Unavailable() {
  return (
    <span className="text-muted-foreground" aria-label="not available" role="img">
      —
    </span>
  );
}
