import { infiniteQueryOptions, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import type { LogEvent } from '@contract/audit.ts';
import { api } from '@/lib/api';
import { localDateToInstant, viewerZone } from '@/lib/format';

/** Filters as the audit page holds them: dates are local dates in the viewer's zone. */
export interface AuditFilters {
  entityType?: string;
  entityId?: string;
  actorId?: string;
  from?: string;
  to?: string;
}

type AuditPage = { items: LogEvent[]; nextCursor: string | null };

export const auditKeys = {
  all: ['audit'] as const,
  list: (filters: AuditFilters, limit: number) => ['audit', filters, limit] as const,
};

function toApi(filters: AuditFilters) {
  return {
    entityType: filters.entityType,
    entityId: filters.entityId,
    actorId: filters.actorId,
    // Sent as instants, so "from 3 March" means the viewer's 3 March, not UTC's.
    from: filters.from ? localDateToInstant(filters.from, viewerZone) : undefined,
    to: filters.to ? localDateToInstant(filters.to, viewerZone, true) : undefined,
  };
}

export const auditQuery = (filters: AuditFilters, limit = 50) =>
  infiniteQueryOptions({
    queryKey: auditKeys.list(filters, limit),
    queryFn: ({ pageParam, signal }) => api<AuditPage>('/audit', { query: { ...toApi(filters), limit, cursor: pageParam }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

function matches(event: LogEvent, filters: AuditFilters): boolean {
  if (filters.entityType && event.entity.type !== filters.entityType) return false;
  if (filters.entityId && event.entity.id !== filters.entityId) return false;
  if (filters.actorId && event.actor.id !== filters.actorId) return false;
  const api = toApi(filters);
  if (api.from && event.occurredAt < api.from) return false;
  if (api.to && new Date(event.occurredAt) > new Date(api.to)) return false;
  return true;
}

/**
 * A live event goes straight to the top of every audit list it belongs in, without a refetch. The
 * same event can arrive on two channels (`org` and `me`), so it is deduplicated by seq.
 */
export function prependToAudit(client: QueryClient, event: LogEvent) {
  const { channel: _channel, ...entry } = event as LogEvent & { channel?: string };
  for (const [key, data] of client.getQueriesData<InfiniteData<AuditPage>>({ queryKey: auditKeys.all })) {
    const filters = (key[1] ?? {}) as AuditFilters;
    if (!data?.pages[0] || !matches(entry, filters)) continue;
    if (data.pages.some((p) => p.items.some((i) => i.seq === entry.seq))) continue;
    const first = data.pages[0];
    const items = [entry, ...first.items].sort((a, b) => b.seq - a.seq);
    client.setQueryData<InfiniteData<AuditPage>>(key, { ...data, pages: [{ ...first, items }, ...data.pages.slice(1)] });
  }
}
