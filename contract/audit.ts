import { z } from 'zod';
import { instant, localDate, pageQuery } from './common.ts';

export const actorTypes = ['user', 'api_key', 'system'] as const;

/**
 * Every `entity.type` the server writes to the event log (org, auth, schedule, time clock and coverage
 * services). The audit page offers these as its entity filter; a feature that logs a new kind of
 * entity adds it here.
 */
export const auditEntityTypes = [
  'employee',
  'location',
  'department',
  'user',
  'api_key',
  'session',
  'contract',
  'adjustment',
  'holiday',
  'clock_event',
  'timesheet_lock',
  'coverage',
] as const;
export type AuditEntityType = (typeof auditEntityTypes)[number];

export const actor = z.object({ type: z.enum(actorTypes), id: z.string().nullable(), name: z.string().nullable() });
export type Actor = z.infer<typeof actor>;

/** One entry of the append-only event log, as the audit page and the socket both show it. */
export const logEvent = z.object({
  seq: z.number().int(),
  id: z.uuid(),
  type: z.string(),
  entity: z.object({ type: z.string(), id: z.string() }),
  actor,
  payload: z.record(z.string(), z.unknown()),
  occurredAt: instant,
});
export type LogEvent = z.infer<typeof logEvent>;

export const auditQuery = pageQuery.extend({
  entityType: z.string().max(50).optional(),
  entityId: z.string().max(100).optional(),
  actorId: z.string().max(100).optional(),
  type: z.string().max(100).optional(),
  from: z.union([localDate, instant]).optional(),
  to: z.union([localDate, instant]).optional(),
});
