import type { z } from 'zod';
import type { auditQuery } from '../../../contract/audit.ts';
import type { LogEvent } from '../../../contract/audit.ts';
import type { Db } from '../../db/client.ts';
import { decodeCursor, toPage } from '../../lib/cursor.ts';
import { isOrgWide, type Principal } from '../../lib/principal.ts';
import * as repo from './audit.repository.ts';

const DAY_MS = 86_400_000;

/** A local date means the whole UTC day; `to` is inclusive, as everywhere in the API. */
function bound(value: string | undefined, end: boolean): Date | undefined {
  if (!value) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = new Date(`${value}T00:00:00Z`);
    return end ? new Date(start.getTime() + DAY_MS) : start;
  }
  const at = new Date(value);
  return end ? new Date(at.getTime() + 1) : at;
}

/** Reads the event log as an audit trail: newest first, filtered, limited to what the reader may see. */
export function createAuditService({ db }: { db: Db }) {
  return {
    async list(principal: Principal, query: z.infer<typeof auditQuery>) {
      const cursor = decodeCursor(query.cursor, ['int']);
      let within: repo.AuditFilter['within'];
      if (!isOrgWide(principal) && principal.kind === 'user') {
        within =
          principal.role === 'manager'
            ? { locationIds: principal.locationIds, departmentIds: [...principal.scope.departmentIds], userId: principal.userId }
            : { locationIds: [], departmentIds: [], employeeId: principal.employeeId, userId: principal.userId };
      }
      const rows = await repo.findEvents(db, {
        entityType: query.entityType,
        entityId: query.entityId,
        actorId: query.actorId,
        type: query.type,
        from: bound(query.from, false),
        toExclusive: bound(query.to, true),
        beforeSeq: cursor ? Number(cursor[0]) : undefined,
        limit: query.limit,
        within,
      });
      const page = toPage(rows, query.limit, (r) => [r.seq]);
      return {
        ...page,
        items: page.items.map(
          (r): LogEvent => ({
            seq: r.seq,
            id: r.id,
            type: r.type,
            entity: { type: r.entityType, id: r.entityId },
            actor: { type: r.actorType as LogEvent['actor']['type'], id: r.actorId, name: r.actorName },
            payload: r.payload,
            occurredAt: r.occurredAt.toISOString(),
          }),
        ),
      };
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
