import { queryOptions, type QueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { alertsResponse, CoverageHour, coverageResponse } from '@contract/coverage.ts';
import type { liveResponse } from '@contract/timeclock.ts';
import { api } from '@/lib/api';

export type CoverageResponse = z.infer<typeof coverageResponse>;
export type AlertsResponse = z.infer<typeof alertsResponse>;
export type LiveResponse = z.infer<typeof liveResponse>;

/** Query keys of coverage: the floor bridge below patches or invalidates by these. */
export const coverageKeys = {
  all: ['coverage'] as const,
  hourlyAt: (locationId: string) => ['coverage', 'hourly', locationId] as const,
  hourly: (locationId: string, from: string, to: string) => ['coverage', 'hourly', locationId, from, to] as const,
  alerts: (locationId: string) => ['coverage', 'alerts', locationId] as const,
  /** Floor counts from /live; `all` is every location in the reader's scope. */
  floor: (locationId: string | 'all') => ['coverage', 'floor', locationId] as const,
};

export const hourlyQuery = (locationId: string, from: string, to: string) =>
  queryOptions({
    queryKey: coverageKeys.hourly(locationId, from, to),
    queryFn: ({ signal }) => api<CoverageResponse>('/coverage/hourly', { query: { locationId, from, to }, signal }),
  });

export const alertsQuery = (locationId: string) =>
  queryOptions({
    queryKey: coverageKeys.alerts(locationId),
    queryFn: ({ signal }) => api<AlertsResponse>('/coverage/alerts', { query: { locationId }, signal }),
  });

/** Counts by live status (on shift, late, absent...) at one location or across the reader's scope. */
export const floorCountsQuery = (locationId: string | 'all') =>
  queryOptions({
    queryKey: coverageKeys.floor(locationId),
    queryFn: ({ signal }) =>
      api<LiveResponse>('/live', { query: locationId === 'all' ? {} : { locationId }, signal }).then((r) => ({ at: r.at, counts: r.counts })),
  });

/** Puts pushed hours into every cached range of the location that includes their day. */
function patchHours(client: QueryClient, locationId: string, rows: CoverageHour[]) {
  for (const row of rows) {
    const start = Date.parse(row.hourStart);
    for (const [key, data] of client.getQueriesData<CoverageResponse>({ queryKey: coverageKeys.hourlyAt(locationId) })) {
      if (!data) continue;
      const index = data.items.findIndex((h) => Date.parse(h.hourStart) === start);
      if (index >= 0) {
        const items = data.items.slice();
        items[index] = row;
        client.setQueryData<CoverageResponse>(key, { ...data, items });
      } else {
        // An hour inside the range that was not there yet (a first punch in a quiet hour): insert it in order.
        const [, , , from, to] = key as ReturnType<typeof coverageKeys.hourly>;
        if (from && to && row.localDate >= from && row.localDate <= to) {
          const items = [...data.items, row].sort((a, b) => Date.parse(a.hourStart) - Date.parse(b.hourStart));
          client.setQueryData<CoverageResponse>(key, { ...data, items });
        }
      }
    }
  }
}

interface FloorEvent {
  channel: string;
  type: string;
  entity: { type: string; id: string };
  payload: Record<string, unknown>;
}

/**
 * Turns events of `floor:<locationId>` into cache updates. A `coverage.updated` with its rows patches
 * the heatmap and chart in place (the live case: one or two hours); a larger change refetches the
 * location's ranges. Alerts and floor counts are computed on request, so they are refetched, at most
 * once a second per location however busy the floor is.
 */
export function createFloorSync(client: QueryClient) {
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const soon = (key: readonly unknown[], ms = 800) => {
    const id = JSON.stringify(key);
    if (timers.has(id)) return;
    timers.set(
      id,
      setTimeout(() => {
        timers.delete(id);
        void client.invalidateQueries({ queryKey: key, exact: true });
      }, ms),
    );
  };

  return {
    onEvent(event: FloorEvent) {
      if (!event.channel.startsWith('floor:')) return;
      const locationId = event.channel.slice('floor:'.length);
      if (event.type === 'coverage.updated') {
        const rows = event.payload.rows as CoverageHour[] | undefined;
        if (rows) patchHours(client, locationId, rows);
        else void client.invalidateQueries({ queryKey: coverageKeys.hourlyAt(locationId) });
        soon(coverageKeys.alerts(locationId));
      } else if (event.entity.type === 'clock_event' || event.entity.type === 'timesheet_lock') {
        soon(coverageKeys.alerts(locationId));
        soon(coverageKeys.floor(locationId));
        soon(coverageKeys.floor('all'));
      } else {
        // Demand, holidays, labour rules: the coverage.updated that follows brings the hours.
        soon(coverageKeys.alerts(locationId));
      }
    },
    dispose() {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
