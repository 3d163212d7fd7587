import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { FilterX, History } from 'lucide-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { auditEntityTypes, type AuditEntityType, type LogEvent } from '@contract/audit.ts';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { PageHeader } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { viewerZone } from '@/lib/format';
import { useUser } from '@/lib/session';
import { useOrgLookups, usersQuery } from '@/features/org/api/org-queries';
import { AUDIT_LIST_CAP, auditQuery, type AuditFilters } from '../api/audit-queries';
import { AuditEntry } from './audit-entry';

/** A label for every entity type the server logs (a Record, so a new type in the contract needs one). */
const ENTITY_LABELS: Record<AuditEntityType, string> = {
  employee: 'Person',
  location: 'Location',
  department: 'Department',
  user: 'User',
  api_key: 'API key',
  session: 'Session',
  contract: 'Contract',
  adjustment: 'Schedule adjustment',
  holiday: 'Holiday',
  clock_event: 'Clock event',
  timesheet_lock: 'Timesheet lock',
  coverage: 'Coverage',
};
const ENTITY_TYPES = auditEntityTypes.map((t) => [t, ENTITY_LABELS[t]] as const).sort((a, b) => a[1].localeCompare(b[1]));

const FRESH_MS = 5000;

/**
 * The seqs that arrived after the list was first shown (live events), highlighted for a few seconds.
 * The first data of each filter set is the baseline: nothing in it is "new".
 */
function useFreshSeqs(items: LogEvent[] | undefined, key: string): ReadonlySet<number> {
  const baseline = useRef<{ key: string; max: number } | null>(null);
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());
  const [fresh, setFresh] = useState<ReadonlySet<number>>(() => new Set());
  useEffect(() => {
    if (!items) return;
    const max = items.reduce((m, i) => Math.max(m, i.seq), 0);
    if (baseline.current?.key !== key) {
      baseline.current = { key, max };
      setFresh(new Set());
      return;
    }
    const since = baseline.current.max;
    const arrived = items.filter((i) => i.seq > since).map((i) => i.seq);
    baseline.current.max = Math.max(since, max);
    if (!arrived.length) return;
    setFresh((prev) => new Set([...prev, ...arrived]));
    const timer = setTimeout(() => {
      timers.current.delete(timer);
      setFresh((prev) => new Set([...prev].filter((s) => !arrived.includes(s))));
    }, FRESH_MS);
    timers.current.add(timer);
  }, [items, key]);
  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach(clearTimeout);
  }, []);
  return fresh;
}

export function AuditPage({ filters, onFiltersChange }: { filters: AuditFilters; onFiltersChange: (filters: AuditFilters) => void }) {
  const me = useUser();
  const lookups = useOrgLookups();
  const users = useQuery({ ...usersQuery, enabled: me.role === 'admin' });
  const query = useInfiniteQuery(auditQuery(filters));
  const [entityId, setEntityId] = useState(filters.entityId ?? '');
  const [actorText, setActorText] = useState(filters.actorId ?? '');
  useEffect(() => setEntityId(filters.entityId ?? ''), [filters.entityId]);
  useEffect(() => setActorText(filters.actorId ?? ''), [filters.actorId]);

  const set = (patch: Partial<AuditFilters>) => {
    const next = { ...filters, ...patch };
    for (const k of Object.keys(next) as (keyof AuditFilters)[]) if (!next[k]) delete next[k];
    onFiltersChange(next);
  };
  const loaded = useMemo(() => query.data?.pages.flatMap((p) => p.items), [query.data]);
  const items = loaded ?? [];
  const fresh = useFreshSeqs(loaded, JSON.stringify(filters));
  const hasFilters = Object.values(filters).some(Boolean);

  return (
    <>
      <PageHeader
        title="Audit log"
        description={`Every change in the organisation, newest first, as it happens. Times are in your zone (${viewerZone}).`}
      />
      <Card className="mb-4 p-4">
        <form
          className="grid gap-3 sm:grid-cols-2 lg:grid-cols-[repeat(5,minmax(0,1fr))_auto] lg:items-end"
          onSubmit={(e) => {
            e.preventDefault();
            set({ entityId: entityId.trim() || undefined, actorId: actorText.trim() || undefined });
          }}
        >
          <Field id="audit-entity-type" label="Entity">
            <Select id="audit-entity-type" value={filters.entityType ?? ''} onChange={(e) => set({ entityType: e.target.value || undefined })}>
              <option value="">All entities</option>
              {ENTITY_TYPES.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </Select>
          </Field>
          <Field id="audit-entity-id" label="Entity id">
            <Input
              id="audit-entity-id"
              placeholder="uuid"
              value={entityId}
              onChange={(e) => setEntityId(e.target.value)}
              onBlur={() => entityId.trim() !== (filters.entityId ?? '') && set({ entityId: entityId.trim() || undefined })}
            />
          </Field>
          <Field id="audit-actor" label="Actor">
            {me.role === 'admin' ? (
              <Select id="audit-actor" value={filters.actorId ?? ''} onChange={(e) => set({ actorId: e.target.value || undefined })}>
                <option value="">Anyone</option>
                {(users.data ?? []).map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name} ({u.role})
                  </option>
                ))}
              </Select>
            ) : (
              <Input
                id="audit-actor"
                placeholder="actor id"
                value={actorText}
                onChange={(e) => setActorText(e.target.value)}
                onBlur={() => actorText.trim() !== (filters.actorId ?? '') && set({ actorId: actorText.trim() || undefined })}
              />
            )}
          </Field>
          <Field id="audit-from" label={`From (${viewerZone})`}>
            <Input id="audit-from" type="date" value={filters.from ?? ''} max={filters.to} onChange={(e) => set({ from: e.target.value || undefined })} />
          </Field>
          <Field id="audit-to" label={`To (${viewerZone})`}>
            <Input id="audit-to" type="date" value={filters.to ?? ''} min={filters.from} onChange={(e) => set({ to: e.target.value || undefined })} />
          </Field>
          <div className="flex gap-2">
            <button type="submit" className="sr-only">
              Apply filters
            </button>
            <Button variant="ghost" disabled={!hasFilters} onClick={() => onFiltersChange({})}>
              <FilterX /> Clear
            </Button>
          </div>
        </form>
      </Card>
      <Card>
        {query.isPending ? (
          <LoadingState label="Loading the audit log" rows={8} />
        ) : query.isError ? (
          <ErrorState error={query.error} onRetry={() => void query.refetch()} />
        ) : items.length === 0 ? (
          <EmptyState
            icon={<History />}
            title={hasFilters ? 'No events match these filters' : 'No events yet'}
            description={hasFilters ? 'Widen the date range or clear a filter.' : 'Changes to the organisation will appear here as they happen.'}
          />
        ) : (
          <>
            <ul aria-label="Audit events" className="divide-y">
              {items.map((event) => (
                <AuditEntry key={event.seq} event={event} lookups={lookups} fresh={fresh.has(event.seq)} />
              ))}
            </ul>
            <div className="flex items-center justify-between border-t px-4 py-3 text-xs text-muted-foreground">
              <span>
                {items.length} event{items.length === 1 ? '' : 's'} shown
                {items.length >= AUDIT_LIST_CAP && ' (the newest are kept as more arrive)'}
              </span>
              {query.hasNextPage && (
                <Button variant="outline" size="sm" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
                  {query.isFetchingNextPage ? 'Loading…' : 'Load older events'}
                </Button>
              )}
            </div>
          </>
        )}
      </Card>
    </>
  );
}
