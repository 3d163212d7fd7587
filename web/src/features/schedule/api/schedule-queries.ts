import { keepPreviousData, queryOptions, type QueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { Channel } from '@contract/events.ts';
import type { Adjustment, ScheduleItem, SwapCandidate, Violation } from '@contract/schedule.ts';
import type * as c from '@contract/schedule.ts';
import { api, fetchAll } from '@/lib/api';

export interface ScheduleFilter {
  from: string;
  to: string;
  locationId?: string;
  departmentId?: string;
  employeeId?: string;
}

export type ScheduleData = { items: ScheduleItem[]; violations: Violation[] };
export type AdjustmentPreview = z.infer<typeof c.adjustmentPreview>;
export type Holiday = z.infer<typeof c.holiday>;

/** Query keys of scheduling: live-sync invalidates `schedule` and `adjustments` on every adjustment or contract event. */
export const scheduleKeys = {
  schedule: ['schedule'] as const,
  range: (f: ScheduleFilter) => ['schedule', f] as const,
  adjustments: ['adjustments'] as const,
  adjustmentList: (f: { status?: string; employeeId?: string; scope: string }) => ['adjustments', 'list', f] as const,
  preview: (id: string) => ['adjustments', 'preview', id] as const,
  holidays: (from: string, to: string) => ['holidays', from, to] as const,
  calendarToken: (employeeId: string) => ['calendar-token', employeeId] as const,
  swapCandidates: (employeeId: string) => ['swap-candidates', employeeId] as const,
};

export const scheduleQuery = (f: ScheduleFilter) =>
  queryOptions({
    queryKey: scheduleKeys.range(f),
    queryFn: ({ signal }) => api<ScheduleData>('/schedule', { query: { ...f }, signal }),
    // Paging through weeks keeps the previous grid on screen until the next one arrives.
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });

/** Pending requests in the reader's scope: all of them (the inbox is worked through to zero). */
export const pendingAdjustmentsQuery = queryOptions({
  queryKey: scheduleKeys.adjustmentList({ status: 'pending', scope: 'all' }),
  queryFn: ({ signal }) => fetchAll<Adjustment>('/adjustments', { status: 'pending' }, signal),
});

/** The latest requests of any status (newest first): the decided tab and an employee's own list. */
export const recentAdjustmentsQuery = (employeeId?: string) =>
  queryOptions({
    queryKey: scheduleKeys.adjustmentList({ employeeId, scope: 'recent' }),
    queryFn: ({ signal }) =>
      api<{ items: Adjustment[]; nextCursor: string | null }>('/adjustments', { query: { limit: 200, employeeId }, signal }).then((p) => p.items),
  });

export const previewQuery = (id: string) =>
  queryOptions({
    queryKey: scheduleKeys.preview(id),
    queryFn: ({ signal }) => api<AdjustmentPreview>(`/adjustments/${id}/preview`, { signal }),
    staleTime: 15_000,
  });

export const holidaysQuery = (from: string, to: string) =>
  queryOptions({
    queryKey: scheduleKeys.holidays(from, to),
    queryFn: ({ signal }) => api<{ items: Holiday[] }>('/holidays', { query: { from, to }, signal }).then((r) => r.items),
    staleTime: 5 * 60_000,
  });

export const calendarTokenQuery = (employeeId: string) =>
  queryOptions({
    queryKey: scheduleKeys.calendarToken(employeeId),
    queryFn: ({ signal }) => api<{ token: string; url: string }>(`/employees/${employeeId}/calendar-token`, { signal }),
    staleTime: Infinity,
  });

/** Colleagues an employee may ask to swap with (same department or location), by name. */
export const swapCandidatesQuery = (employeeId: string) =>
  queryOptions({
    queryKey: scheduleKeys.swapCandidates(employeeId),
    queryFn: ({ signal }) => api<{ items: SwapCandidate[] }>(`/employees/${employeeId}/swap-candidates`, { signal }).then((r) => r.items),
    staleTime: 5 * 60_000,
  });

/**
 * The socket channels scheduling needs beyond `me`: staff get `approvals` (every request in their
 * scope) and a manager the `schedule:<departmentId>` of each department they run (contract changes).
 */
export function scheduleChannels(user: { role: string; departmentIds: string[] }): Channel[] {
  if (user.role === 'employee') return [];
  return ['approvals', ...user.departmentIds.map((id) => `schedule:${id}` as Channel)];
}

/** A live event that changes the schedule marks the grid, the inbox, previews and "my schedule" stale. */
export function onScheduleEvent(client: QueryClient, event: { entity: { type: string } }) {
  switch (event.entity.type) {
    case 'adjustment':
      void client.invalidateQueries({ queryKey: scheduleKeys.adjustments });
      void client.invalidateQueries({ queryKey: scheduleKeys.schedule });
      break;
    case 'contract':
      void client.invalidateQueries({ queryKey: scheduleKeys.schedule });
      void client.invalidateQueries({ queryKey: ['adjustments', 'preview'] });
      break;
    case 'holiday':
      void client.invalidateQueries({ queryKey: ['holidays'] });
      void client.invalidateQueries({ queryKey: scheduleKeys.schedule });
      break;
  }
}
