import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { Adjustment } from '@contract/schedule.ts';
import type * as c from '@contract/schedule.ts';
import { api } from '@/lib/api';
import { scheduleKeys } from './schedule-queries';

export type AdjustmentCreate = z.input<typeof c.adjustmentCreate>;

/** After any change the schedule and every request list are stale (the socket will say so too, a moment later). */
function refresh(client: QueryClient) {
  void client.invalidateQueries({ queryKey: scheduleKeys.schedule });
  void client.invalidateQueries({ queryKey: scheduleKeys.adjustments });
}

export function useCreateAdjustment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: AdjustmentCreate) => api<Adjustment>('/adjustments', { method: 'POST', body }),
    onSettled: () => refresh(client),
  });
}

export type Decision = 'approve' | 'reject' | 'revoke' | 'cancel' | 'accept';

export function useDecide() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, verb, note }: { id: string; verb: Decision; note?: string }) =>
      api<Adjustment>(`/adjustments/${id}/${verb}`, {
        method: 'POST',
        body: verb === 'approve' || verb === 'reject' || verb === 'revoke' ? (note ? { note } : {}) : undefined,
      }),
    onSettled: () => refresh(client),
  });
}

export function useRotateCalendarToken(employeeId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<{ token: string; url: string }>(`/employees/${employeeId}/calendar-token`, { method: 'POST' }),
    onSuccess: (row) => client.setQueryData(scheduleKeys.calendarToken(employeeId), row),
  });
}
