import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import type { ConsumerDefinition } from '../../events/consumer.ts';
import type { StoredEvent } from '../../events/event-log.ts';

type Delta = Map<string, number>;

function add(delta: Delta, locationId: unknown, departmentId: unknown, by: number) {
  if (typeof locationId !== 'string' || typeof departmentId !== 'string') return;
  const key = `${locationId}|${departmentId}`;
  delta.set(key, (delta.get(key) ?? 0) + by);
}

/** How one event changes active headcount, from the event alone (the log is the only input). */
export function headcountDelta(batch: StoredEvent[]): Delta {
  const delta: Delta = new Map();
  for (const e of batch) {
    const { locationId, departmentId } = e.scope;
    if (e.type === 'employee.created') add(delta, locationId, departmentId, 1);
    else if (e.type === 'employee.deactivated') add(delta, locationId, departmentId, -1);
    else if (e.type === 'employee.updated') {
      const before = (e.payload.before ?? {}) as Record<string, unknown>;
      if (!('locationId' in before) && !('departmentId' in before)) continue;
      add(delta, before.locationId ?? locationId, before.departmentId ?? departmentId, -1);
      add(delta, locationId, departmentId, 1);
    }
  }
  for (const [k, v] of delta) if (v === 0) delta.delete(k);
  return delta;
}

export const orgHeadcountConsumer: ConsumerDefinition = {
  name: 'org-headcount',
  // `headcountDelta` reads nothing else; punches and the rest are passed over unread.
  types: ['employee.created', 'employee.deactivated', 'employee.updated'],
  async handle(tx: Tx, batch: StoredEvent[]) {
    const delta = headcountDelta(batch);
    for (const [key, by] of delta) {
      const [locationId, departmentId] = key.split('|');
      await tx.execute(sql`
        INSERT INTO org_headcount (location_id, department_id, active) VALUES (${locationId}, ${departmentId}, ${by})
        ON CONFLICT (location_id, department_id) DO UPDATE SET active = org_headcount.active + EXCLUDED.active`);
    }
    return delta.size > 0;
  },
};
