import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { Employee } from '@contract/org.ts';
import type { SessionUser } from '@contract/auth.ts';
import type { Channel } from '@contract/events.ts';
import { api, ApiError } from '@/lib/api';
import { realtime } from '@/lib/realtime';
import { prependToAudit } from '@/features/audit/api/audit-queries';
import { onScheduleEvent, scheduleChannels } from '@/features/schedule/api/schedule-queries';
import { apiKeyKeys } from '@/features/api-keys/api/api-keys';
import { upsertEmployee } from '@/features/org/api/org-mutations';
import { locationsQuery, orgKeys } from '@/features/org/api/org-queries';
import { createFloorSync } from '@/features/coverage/api/coverage-queries';
import { createTimeclockSync } from '@/features/timeclock/api/timeclock-queries';

/**
 * Connects the socket for the signed-in user and turns each event into a cache update: the audit
 * lists get the entry at the top, a changed person is refetched alone (not the whole directory),
 * other entities invalidate their lists. After a reconnect everything on screen is refetched.
 */
export function useLiveSync(user: SessionUser) {
  const client = useQueryClient();
  // Staff also watch the floor of every active location they can see (coverage, floor counts). The
  // socket starts once the locations are known, and restarts only when a location opens or closes.
  const staff = user.role !== 'employee';
  const locations = useQuery({ ...locationsQuery, enabled: staff });
  const floors = staff ? (locations.data ?? []).filter((l) => l.active).map((l) => `floor:${l.id}`).sort().join(' ') : '';
  const floorsKnown = !staff || !locations.isPending;

  useEffect(() => {
    if (!floorsKnown) return;
    void realtime.start(user.role === 'employee' ? ['me'] : ['org', 'me', ...scheduleChannels(user), ...((floors ? floors.split(' ') : []) as Channel[])]);
    const floorSync = createFloorSync(client);
    const timeclockSync = createTimeclockSync(client);
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const later = (fn: () => void, ms: number) => {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      timers.add(t);
    };
    // Headcount is a log-fed aggregate that may trail the event by a moment: read it now and again shortly.
    const refreshHeadcount = () => {
      void client.invalidateQueries({ queryKey: orgKeys.headcount });
      later(() => void client.invalidateQueries({ queryKey: orgKeys.headcount }), 1500);
    };

    const offEvent = realtime.onEvent((event) => {
      prependToAudit(client, event);
      onScheduleEvent(client, event);
      floorSync.onEvent(event);
      timeclockSync.onEvent(event);
      const id = event.entity.id;
      switch (event.entity.type) {
        case 'employee':
          api<Employee>(`/employees/${id}`)
            .then((e) => upsertEmployee(client, e))
            .catch((err: unknown) => {
              // Moved out of this reader's scope: drop it from the lists.
              if (err instanceof ApiError && err.status === 404) {
                client.setQueryData<Employee[]>(orgKeys.employees, (list) => list?.filter((e) => e.id !== id));
                client.removeQueries({ queryKey: orgKeys.employee(id) });
              }
            });
          refreshHeadcount();
          break;
        case 'location':
          void client.invalidateQueries({ queryKey: orgKeys.locations });
          break;
        case 'department':
          void client.invalidateQueries({ queryKey: orgKeys.departments });
          refreshHeadcount();
          break;
        case 'user':
          void client.invalidateQueries({ queryKey: orgKeys.users });
          break;
        case 'api_key':
          void client.invalidateQueries({ queryKey: apiKeyKeys.all });
          break;
      }
    });
    // Only active queries refetch now; the rest are marked stale and refetch when next shown.
    const offResync = realtime.onResync(() => void client.invalidateQueries());

    return () => {
      offEvent();
      offResync();
      for (const t of timers) clearTimeout(t);
      floorSync.dispose();
      timeclockSync.dispose();
      realtime.stop();
    };
  }, [client, user.id, user.role, floors, floorsKnown]);
}
