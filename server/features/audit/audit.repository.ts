import { and, desc, eq, gte, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import { events } from '../../db/schema.ts';

export interface AuditFilter {
  entityType?: string | undefined;
  entityId?: string | undefined;
  actorId?: string | undefined;
  type?: string | undefined;
  from?: Date | undefined;
  toExclusive?: Date | undefined;
  beforeSeq?: number | undefined;
  limit: number;
  /** Restricts to events that concern these locations/departments, or this employee/user. */
  within?: { locationIds: string[]; departmentIds: string[]; employeeId?: string | null; userId?: string } | undefined;
}

export function findEvents(db: DbOrTx, f: AuditFilter) {
  let within: SQL | undefined;
  if (f.within) {
    const w = f.within;
    within = or(
      w.locationIds.length ? inArray(events.locationId, w.locationIds) : undefined,
      w.departmentIds.length ? inArray(events.departmentId, w.departmentIds) : undefined,
      w.employeeId ? eq(events.employeeId, w.employeeId) : undefined,
      w.userId ? or(eq(events.userId, w.userId), eq(events.actorId, w.userId)) : undefined,
    ) ?? sql`false`;
  }
  return db
    .select()
    .from(events)
    .where(
      and(
        f.entityType ? eq(events.entityType, f.entityType) : undefined,
        f.entityId ? eq(events.entityId, f.entityId) : undefined,
        f.actorId ? eq(events.actorId, f.actorId) : undefined,
        f.type ? eq(events.type, f.type) : undefined,
        f.from ? gte(events.occurredAt, f.from) : undefined,
        f.toExclusive ? lt(events.occurredAt, f.toExclusive) : undefined,
        f.beforeSeq !== undefined ? lt(events.seq, f.beforeSeq) : undefined,
        within,
      ),
    )
    .orderBy(desc(events.seq))
    .limit(f.limit + 1);
}
