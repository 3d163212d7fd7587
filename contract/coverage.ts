import { z } from 'zod';
import { instant, localDate } from './common.ts';

export const coverageQuery = z
  .object({ locationId: z.uuid(), from: localDate, to: localDate })
  .refine((q) => q.to >= q.from, { message: 'to must not be before from', path: ['to'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 <= 92, { message: 'at most 93 days', path: ['to'] });

export const coverageHour = z.object({
  hourStart: instant,
  hourEnd: instant,
  localDate,
  localHour: z.number().int(),
  required: z.number().int(),
  /** Average people scheduled over the hour. */
  scheduled: z.number(),
  /** Average people on the floor over the elapsed part of the hour, breaks excluded. */
  staffed: z.number(),
  minStaffed: z.number().int(),
  shortMinutes: z.number().int(),
  status: z.enum(['ok', 'understaffed', 'overstaffed']),
});
export type CoverageHour = z.infer<typeof coverageHour>;
export const coverageResponse = z.object({ locationId: z.uuid(), timezone: z.string(), items: z.array(coverageHour) });

export const alertKinds = ['understaffed', 'overstaffed', 'overtime_risk', 'rest_risk', 'missed_clock_out'] as const;
export const coverageAlert = z.object({
  id: z.string(),
  kind: z.enum(alertKinds),
  severity: z.enum(['high', 'medium', 'low']),
  locationId: z.uuid(),
  from: instant,
  to: instant,
  /**
   * The people involved, as far as the reader may see them: for an understaffed hour so far, those
   * scheduled but not clocked in (late, absent, gone early); for one ahead, those scheduled; for an
   * overstaffed hour, those on the floor (or scheduled); otherwise the person the alert is about.
   */
  employeeIds: z.array(z.uuid()),
  /** The sentence a manager reads. */
  message: z.string(),
});
export type CoverageAlert = z.infer<typeof coverageAlert>;
export const alertsResponse = z.object({ items: z.array(coverageAlert), timezone: z.string() });
