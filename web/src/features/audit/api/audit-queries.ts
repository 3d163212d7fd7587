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

/** The most entries an open audit list keeps while live events pile up on top of it. */
export const AUDIT_LIST_CAP = 500;

/**
 * The cursor the server would answer for a page ending at `seq` (server/lib/cursor.ts: base64url of
 * the JSON key, here `[seq]`), so "Load older events" resumes right after the last entry kept.
 */
function cursorAfter(seq: number): string {
  return btoa(JSON.stringify([seq])).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Keeps the newest `cap` entries; the page that is cut gets a cursor to what was cut off. */
export function capPages(data: InfiniteData<AuditPage>, cap = AUDIT_LIST_CAP): InfiniteData<AuditPage> {
  const total = data.pages.reduce((n, p) => n + p.items.length, 0);
  if (total <= cap) return data;
  const pages: AuditPage[] = [];
  let room = cap;
  for (const page of data.pages) {
    if (room <= 0) break;
    if (page.items.length <= room) {
      pages.push(page);
      room -= page.items.length;
    } else {
      const items = page.items.slice(0, room);
      pages.push({ items, nextCursor: cursorAfter(items[items.length - 1]!.seq) });
      room = 0;
    }
  }
  return { pages, pageParams: data.pageParams.slice(0, pages.length) };
}

/**
 * A live event goes straight to the top of every audit list it belongs in, without a refetch. The
 * same event can arrive on two channels (`org` and `me`), so it is deduplicated by seq. A list left
 * open on a busy floor would grow without end, so it keeps the newest AUDIT_LIST_CAP entries.
 */
export function prependToAudit(client: QueryClient, event: LogEvent) {
  const { channel: _channel, ...entry } = event as LogEvent & { channel?: string };
  for (const [key, data] of client.getQueriesData<InfiniteData<AuditPage>>({ queryKey: auditKeys.all })) {
    const filters = (key[1] ?? {}) as AuditFilters;
    if (!data?.pages[0] || !matches(entry, filters)) continue;
    if (data.pages.some((p) => p.items.some((i) => i.seq === entry.seq))) continue;
    const first = data.pages[0];
    const items = [entry, ...first.items].sort((a, b) => b.seq - a.seq);
    client.setQueryData<InfiniteData<AuditPage>>(key, capPages({ ...data, pages: [{ ...first, items }, ...data.pages.slice(1)] }));
  }
}
