import { ArrowRight, Bot, ChevronRight, KeyRound, User } from 'lucide-react';
import { useState } from 'react';
import type { LogEvent } from '@contract/audit.ts';
import { useQueryClient } from '@tanstack/react-query';
import type { Department, Employee, Location } from '@contract/org.ts';
import { Badge } from '@/components/ui/badge';
import { formatDateTime, relativeTime, viewerZone } from '@/lib/format';
import { cn } from '@/lib/utils';
import { orgKeys } from '@/features/org/api/org-queries';

export interface Lookups {
  location: Map<string, Location>;
  department: Map<string, Department>;
}

/** The people already in the cache (the directory), to name a person whose event carries only ids. */
function useCachedPeople() {
  const client = useQueryClient();
  return client.getQueryData<Employee[]>(orgKeys.employees);
}

const VERB_VARIANT: Record<string, 'success' | 'destructive' | 'default' | 'secondary' | 'warning'> = {
  created: 'success',
  deactivated: 'destructive',
  revoked: 'destructive',
  deleted: 'destructive',
  updated: 'default',
  reused: 'warning',
};

export function describeType(type: string) {
  const [entity = type, verb = ''] = type.split('.');
  return { entity: entity.replace(/_/g, ' '), verb: verb.replace(/_/g, ' ') };
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The name of the thing an event is about, when its payload carries one. */
export function entityName(event: LogEvent, lookups?: Lookups, people?: Employee[]): string | undefined {
  const after = record(event.payload.after);
  const before = record(event.payload.before);
  const name = after?.name ?? before?.name ?? event.payload.name ?? after?.email ?? event.payload.email;
  if (typeof name === 'string') return name;
  const id = event.entity.id;
  switch (event.entity.type) {
    case 'employee': return people?.find((p) => p.id === id)?.name;
    case 'location': return lookups?.location.get(id)?.name;
    case 'department': return lookups?.department.get(id)?.name;
    default: return undefined;
  }
}

export function formatValue(key: string, value: unknown, lookups?: Lookups): string {
  if (value === undefined) return '—';
  if (value === null) return 'none';
  if (typeof value === 'string') {
    if (key === 'locationId') return lookups?.location.get(value)?.name ?? value;
    if (key === 'departmentId') return lookups?.department.get(value)?.name ?? value;
    return value;
  }
  if (Array.isArray(value)) {
    if (key === 'locationIds') return value.map((v) => lookups?.location.get(String(v))?.name ?? String(v)).join(', ') || 'none';
    if (key === 'departmentIds') return value.map((v) => lookups?.department.get(String(v))?.name ?? String(v)).join(', ') || 'none';
    return value.map(String).join(', ') || 'none';
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length ? entries.map(([k, v]) => `${k}: ${String(v)}`).join(', ') : 'none';
  }
  return String(value);
}

function ActorIcon({ type }: { type: LogEvent['actor']['type'] }) {
  const Icon = type === 'api_key' ? KeyRound : type === 'system' ? Bot : User;
  return <Icon aria-hidden className="size-3.5" />;
}

/** Before / after of the fields an event changed. Events without that shape show their payload. */
export function ChangeView({ event, lookups }: { event: LogEvent; lookups?: Lookups }) {
  const before = record(event.payload.before);
  const after = record(event.payload.after);
  if (!before && !after) {
    const entries = Object.entries(event.payload);
    if (!entries.length) return <p className="text-xs text-muted-foreground">No details recorded.</p>;
    return (
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-xs">
        {entries.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-muted-foreground">{k}</dt>
            <dd className="font-mono break-all">{formatValue(k, v, lookups)}</dd>
          </div>
        ))}
      </dl>
    );
  }
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return (
    <table className="w-full text-xs">
      <caption className="sr-only">Changes</caption>
      <thead>
        <tr className="text-left text-muted-foreground">
          <th scope="col" className="py-1 pr-4 font-medium">Field</th>
          <th scope="col" className="py-1 pr-4 font-medium">Before</th>
          <th scope="col" className="sr-only">to</th>
          <th scope="col" className="py-1 font-medium">After</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr key={k} className="border-t border-border/60 align-top">
            <th scope="row" className="py-1.5 pr-4 text-left font-medium text-muted-foreground">{k}</th>
            <td className="py-1.5 pr-4">
              <span className={cn('rounded px-1 font-mono break-all', before && 'bg-destructive/10 text-destructive line-through decoration-destructive/40')}>
                {formatValue(k, before?.[k], lookups)}
              </span>
            </td>
            <td className="py-1.5 pr-2 text-muted-foreground">
              <ArrowRight aria-hidden className="size-3" />
            </td>
            <td className="py-1.5">
              <span className="rounded bg-success/10 px-1 font-mono text-success break-all">{formatValue(k, after?.[k], lookups)}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AuditEntry({ event, lookups, compact = false, fresh = false }: { event: LogEvent; lookups?: Lookups; compact?: boolean; fresh?: boolean }) {
  const [open, setOpen] = useState(false);
  const { entity, verb } = describeType(event.type);
  const name = entityName(event, lookups, useCachedPeople());
  const who = event.actor.name ?? (event.actor.type === 'system' ? 'System' : event.actor.type);
  const detailsId = `audit-${event.seq}`;
  return (
    // A tint that fades out when `fresh` ends, not an opacity pulse: faded text would fail contrast.
    <li className={cn('group px-4 py-3 transition-colors duration-1000', fresh && 'bg-primary/10')} data-fresh={fresh || undefined}>
      <div className="flex items-start gap-3">
        <div className="mt-0.5 flex size-7 shrink-0 items-center justify-center rounded-full border bg-muted/60 text-muted-foreground">
          <ActorIcon type={event.actor.type} />
        </div>
        <div className="min-w-0 flex-1">
          <p className="text-sm leading-6">
            <span className="font-medium">{who}</span> <span className="text-muted-foreground">{verb}</span>{' '}
            <span className="text-muted-foreground">{entity}</span> {name && <span className="font-medium">{name}</span>}
          </p>
          <p className="text-xs text-muted-foreground">
            <time dateTime={event.occurredAt} title={`${formatDateTime(event.occurredAt)} (${viewerZone})`}>
              {compact ? relativeTime(event.occurredAt) : `${formatDateTime(event.occurredAt)} · your time (${viewerZone})`}
            </time>
            {!compact && (
              <>
                {' · '}
                <Badge variant={VERB_VARIANT[verb] ?? 'secondary'} className="align-middle">
                  {event.type}
                </Badge>
                <span className="ml-2 font-mono">#{event.seq}</span>
              </>
            )}
          </p>
        </div>
        {!compact && (
          <button
            type="button"
            aria-expanded={open}
            aria-controls={detailsId}
            onClick={() => setOpen((o) => !o)}
            className="flex items-center gap-1 rounded-md px-2 py-1 text-xs text-muted-foreground hover:bg-accent hover:text-foreground"
          >
            <ChevronRight aria-hidden className={cn('size-3.5 transition-transform', open && 'rotate-90')} />
            {open ? 'Hide change' : 'Show change'}
          </button>
        )}
      </div>
      {!compact && open && (
        <div id={detailsId} className="mt-3 ml-10 rounded-lg border bg-muted/30 p-3">
          <ChangeView event={event} lookups={lookups} />
        </div>
      )}
    </li>
  );
}
