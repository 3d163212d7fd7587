import { queryOptions, useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type * as c from '@contract/timeclock.ts';
import type { Employee } from '@contract/org.ts';
import { api, ApiError, endSession, fetchAll, getAccessToken, refreshAccessToken, withQuery } from '@/lib/api';

export type LiveResponse = z.infer<typeof c.liveResponse>;
export type LivePerson = c.LivePerson;
export type LiveStatus = c.LiveStatus;
export type PunchKind = c.PunchKind;
export type ClockEvent = c.ClockEvent;
export type TimesheetResponse = z.infer<typeof c.timesheetResponse>;
export type TimesheetRow = TimesheetResponse['items'][number];
export type TimesheetLock = TimesheetResponse['locks'][number];
export type KioskPerson = z.infer<typeof c.kioskPeople>['items'][number];
export type CorrectionBody = z.input<typeof c.clockCorrection>;

export interface TimesheetFilters {
  from: string;
  to: string;
  locationId?: string;
  departmentId?: string;
}

/** Query keys of the time clock: live-sync refetches by these when punches arrive. */
export const timeclockKeys = {
  all: ['timeclock'] as const,
  live: ['timeclock', 'live'] as const,
  liveAt: (locationId: string) => ['timeclock', 'live', locationId] as const,
  timesheets: ['timeclock', 'timesheets'] as const,
  timesheet: (f: TimesheetFilters) => ['timeclock', 'timesheets', f.from, f.to, f.locationId ?? '', f.departmentId ?? ''] as const,
  kioskRoster: (locationId: string) => ['timeclock', 'kiosk-roster', locationId] as const,
  kioskSearch: (locationId: string, q: string) => ['timeclock', 'kiosk-search', locationId, q] as const,
};

export const liveQuery = (locationId: string) =>
  queryOptions({
    queryKey: timeclockKeys.liveAt(locationId),
    queryFn: ({ signal }) => api<LiveResponse>('/live', { query: { locationId }, signal }),
    // Kept fresh by socket events, never by polling.
    staleTime: Infinity,
  });

export const timesheetQuery = (f: TimesheetFilters) =>
  queryOptions({
    queryKey: timeclockKeys.timesheet(f),
    queryFn: ({ signal }) => api<TimesheetResponse>('/timesheets', { query: { ...f }, signal }),
    staleTime: 60_000,
    placeholderData: (previous) => previous,
  });

/**
 * A punch event for a location arrived: refetch that location's live floor unless the answer on
 * screen already includes it (its `seq` is at or past the event's). Bursts are coalesced into one
 * request per location, so a busy simulator does not cause a request per punch.
 */
export function liveEventReceived(client: QueryClient, locationId: string | undefined, seq: number, timers: Map<string, ReturnType<typeof setTimeout>>) {
  const keys = locationId ? [timeclockKeys.liveAt(locationId)] : client.getQueryCache().findAll({ queryKey: timeclockKeys.live }).map((q) => q.queryKey);
  for (const key of keys) {
    const data = client.getQueryData<LiveResponse>(key);
    if (data && data.seq >= seq) continue;
    const id = JSON.stringify(key);
    if (timers.has(id)) continue;
    timers.set(
      id,
      setTimeout(() => {
        timers.delete(id);
        void client.invalidateQueries({ queryKey: key, exact: true });
      }, 250),
    );
  }
}

function uuidV4(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID exists only in secure contexts; a kiosk on a LAN address over http still has getRandomValues.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
export { uuidV4 as newPunchId };

export function useCorrection() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Omit<CorrectionBody, 'id'>) => api<ClockEvent>('/clock-events/corrections', { method: 'POST', body: { id: uuidV4(), ...body } }),
    onSuccess: (event) => {
      void client.invalidateQueries({ queryKey: timeclockKeys.liveAt(event.locationId) });
      void client.invalidateQueries({ queryKey: timeclockKeys.timesheets });
    },
  });
}

export function useLockPeriod() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { locationId: string; from: string; to: string }) => api<TimesheetLock>('/timesheets/locks', { method: 'POST', body }),
    onSuccess: () => void client.invalidateQueries({ queryKey: timeclockKeys.timesheets }),
  });
}

/**
 * Downloads the payroll CSV with the same filters as the page. A plain link would not carry the
 * bearer token (it lives in memory only), so it is fetched and handed to the browser as a Blob.
 */
export async function downloadTimesheetCsv(f: TimesheetFilters): Promise<string> {
  const url = `/api/v1${withQuery('/timesheets.csv', { ...f })}`;
  const get = (token: string | null) => fetch(url, { headers: token ? { authorization: `Bearer ${token}`, accept: 'text/csv' } : {}, credentials: 'same-origin' });
  let response = await get(getAccessToken());
  if (response.status === 401) response = await get(await refreshAccessToken());
  if (!response.ok) {
    let message = `Export failed (${response.status})`;
    try {
      const body = (await response.json()) as { error?: { code?: string; message?: string } };
      if (body.error?.message) message = body.error.message;
    } catch {
      // not JSON
    }
    throw new ApiError(response.status, 'EXPORT_FAILED', message);
  }
  const blob = await response.blob();
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? `timesheets-${f.from}-${f.to}.csv`;
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 1000);
  return name;
}

/**
 * Everyone the kiosk can punch for at a location, with their next action: kept in memory so the
 * kiosk can still find people by name or badge while the network is down.
 */
export const kioskRosterQuery = (locationId: string) =>
  queryOptions({
    queryKey: timeclockKeys.kioskRoster(locationId),
    queryFn: async ({ signal }): Promise<KioskPerson[]> => {
      const [employees, live] = await Promise.all([
        fetchAll<Employee>('/employees', { locationId }, signal),
        api<LiveResponse>('/live', { query: { locationId }, signal }),
      ]);
      const next = new Map(live.items.map((i) => [i.employeeId, i.nextAction]));
      return employees
        .filter((e) => e.active)
        .map((e) => ({ employeeId: e.id, name: e.name, badge: e.externalIds.badge ?? null, nextAction: next.get(e.id) ?? 'clock_in' }));
    },
    staleTime: 5 * 60_000,
    gcTime: Infinity,
    retry: false,
  });

export const kioskSearchQuery = (locationId: string, q: string) =>
  queryOptions({
    queryKey: timeclockKeys.kioskSearch(locationId, q),
    queryFn: ({ signal }) => api<{ items: KioskPerson[] }>('/kiosk/people', { query: { locationId, q }, signal }).then((r) => r.items),
    staleTime: 0,
    gcTime: 30_000,
    retry: false,
  });

/**
 * Socket events -> time-clock caches, for app/live-sync. A punch on `floor:<locationId>` refetches
 * that location's live floor (coalesced, skipped when the answer on screen is already as new) and,
 * a little later, the timesheets; an approval (lock) refetches the timesheets at once.
 */
export function createTimeclockSync(client: QueryClient) {
  const liveTimers = new Map<string, ReturnType<typeof setTimeout>>();
  let sheetTimer: ReturnType<typeof setTimeout> | null = null;
  return {
    onEvent(event: { type: string; seq: number; channel: string; entity: { type: string } }) {
      if (event.entity.type === 'timesheet_lock') {
        void client.invalidateQueries({ queryKey: timeclockKeys.timesheets });
        return;
      }
      if (event.entity.type !== 'clock_event') return;
      const locationId = event.channel.startsWith('floor:') ? event.channel.slice('floor:'.length) : undefined;
      liveEventReceived(client, locationId, event.seq, liveTimers);
      void client.invalidateQueries({ queryKey: ['timeclock', 'kiosk-roster'], refetchType: 'none' });
      // Timesheets are heavier and change by minutes, not seconds: one refetch per burst.
      sheetTimer ??= setTimeout(() => {
        sheetTimer = null;
        void client.invalidateQueries({ queryKey: timeclockKeys.timesheets });
      }, 3_000);
    },
    dispose() {
      for (const t of liveTimers.values()) clearTimeout(t);
      liveTimers.clear();
      if (sheetTimer) clearTimeout(sheetTimer);
    },
  };
}

export type ImportMapping = z.infer<typeof c.importMapping>;
export type ImportResult = z.infer<typeof c.importResult>;

/**
 * Uploads a punch CSV (multipart: the `mapping` JSON field first, then the file: the server reads
 * the parts in order). Sent with fetch + FormData, so the browser sets the multipart boundary; the
 * bearer token is added as `api()` does, with one refresh on a 401.
 */
export async function importPunches(file: File, mapping: ImportMapping, signal?: AbortSignal): Promise<ImportResult> {
  const send = (token: string | null) => {
    const form = new FormData();
    form.append('mapping', JSON.stringify(mapping));
    form.append('file', file, file.name);
    return fetch('/api/v1/clock-events/import', {
      method: 'POST',
      headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: form,
      credentials: 'same-origin',
      signal,
    });
  };
  let response = await send(getAccessToken());
  if (response.status === 401) {
    const token = await refreshAccessToken();
    if (!token) {
      endSession('expired');
      throw new ApiError(401, 'UNAUTHENTICATED', 'Your session has ended; log in again');
    }
    response = await send(token);
  }
  if (!response.ok) {
    let error = new ApiError(response.status, response.status >= 500 ? 'INTERNAL' : 'IMPORT_FAILED', `Import failed (${response.status})`);
    try {
      const body = (await response.json()) as { error?: { code?: string; message?: string; details?: unknown } };
      if (body.error?.message) error = new ApiError(response.status, body.error.code ?? error.code, body.error.message, body.error.details);
    } catch {
      // not JSON
    }
    throw error;
  }
  return (await response.json()) as ImportResult;
}

export function useImportPunches() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ file, mapping }: { file: File; mapping: ImportMapping }) => importPunches(file, mapping),
    onSuccess: (result) => {
      if (result.accepted > 0) {
        void client.invalidateQueries({ queryKey: timeclockKeys.timesheets });
        void client.invalidateQueries({ queryKey: timeclockKeys.live });
      }
    },
  });
}
