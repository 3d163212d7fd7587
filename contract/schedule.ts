import { z } from 'zod';
import { instant, localDate, pageQuery } from './common.ts';

export const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:MM');

export const patternShift = z.strictObject({
  weekday: z.number().int().min(1).max(7),
  start: localTime,
  end: localTime,
  locationId: z.uuid(),
  breakMinutes: z.number().int().min(0).max(240).optional(),
});

export const contractPut = z
  .strictObject({
    effectiveFrom: localDate,
    effectiveTo: localDate.nullable().optional(),
    pattern: z.array(patternShift).max(21),
  })
  .refine((c) => !c.effectiveTo || c.effectiveTo >= c.effectiveFrom, { message: 'effectiveTo must not be before effectiveFrom', path: ['effectiveTo'] });

export const contract = z.object({
  id: z.uuid(),
  employeeId: z.uuid(),
  effectiveFrom: localDate,
  effectiveTo: localDate.nullable(),
  pattern: z.array(patternShift),
  createdAt: instant,
});
export type Contract = z.infer<typeof contract>;

export const holidayCreate = z.strictObject({ locationId: z.uuid(), date: localDate, name: z.string().trim().min(1).max(120) });
export const holiday = z.object({ id: z.uuid(), locationId: z.uuid(), date: localDate, name: z.string() });
export const holidayQuery = z.object({ locationId: z.uuid().optional(), from: localDate.optional(), to: localDate.optional() });

export const adjustmentKinds = ['time_off', 'extra_shift', 'change_shift', 'swap'] as const;
export const adjustmentStatuses = ['pending', 'approved', 'rejected', 'cancelled', 'revoked'] as const;

export const adjustmentCreate = z
  .strictObject({
    employeeId: z.uuid(),
    kind: z.enum(adjustmentKinds),
    start: instant,
    end: instant,
    locationId: z.uuid().optional(),
    /** For a swap: the colleague whose shifts in [start, end) are exchanged; they accept before a manager decides. */
    counterpartEmployeeId: z.uuid().optional(),
    reason: z.string().trim().min(1).max(500),
  })
  .refine((a) => new Date(a.end) > new Date(a.start), { message: 'end must be after start', path: ['end'] })
  .refine((a) => new Date(a.end).getTime() - new Date(a.start).getTime() <= 31 * 86_400_000, {
    message: 'an adjustment spans at most 31 days',
    path: ['end'],
  })
  .refine((a) => (a.kind === 'swap') === (a.counterpartEmployeeId !== undefined), {
    message: 'counterpartEmployeeId is required for a swap and only for a swap',
    path: ['counterpartEmployeeId'],
  });

/**
 * A colleague one may ask to swap shifts with: active, in the same department or at the same
 * location. Only what the picker shows, never contact details.
 */
export const swapCandidate = z.object({
  id: z.uuid(),
  name: z.string(),
  departmentId: z.uuid(),
  departmentName: z.string(),
});
export type SwapCandidate = z.infer<typeof swapCandidate>;
export const swapCandidates = z.object({ items: z.array(swapCandidate) });

export const adjustment = z.object({
  id: z.uuid(),
  number: z.number().int(),
  employeeId: z.uuid(),
  employeeName: z.string(),
  departmentId: z.uuid(),
  kind: z.enum(adjustmentKinds),
  start: instant,
  end: instant,
  locationId: z.uuid().nullable(),
  counterpartEmployeeId: z.uuid().nullable(),
  counterpartAcceptedAt: instant.nullable(),
  reason: z.string(),
  status: z.enum(adjustmentStatuses),
  requestedBy: z.uuid().nullable(),
  requestedByName: z.string().nullable(),
  requestedAt: instant,
  decidedBy: z.uuid().nullable(),
  decidedByName: z.string().nullable(),
  decidedAt: instant.nullable(),
  decisionNote: z.string().nullable(),
});
export type Adjustment = z.infer<typeof adjustment>;

export const adjustmentListQuery = pageQuery.extend({
  status: z.enum(adjustmentStatuses).optional(),
  employeeId: z.uuid().optional(),
  departmentId: z.uuid().optional(),
  locationId: z.uuid().optional(),
});
export const decision = z.strictObject({ note: z.string().trim().max(500).optional() });

export const provenanceNote = z.object({
  kind: z.enum(['removed', 'replaced', 'swapped_in', 'swapped_out', 'holiday']),
  adjustmentId: z.uuid().nullable(),
  number: z.number().int().nullable(),
  adjustmentKind: z.enum(adjustmentKinds).nullable(),
  from: instant,
  to: instant,
  by: z.string().nullable(),
});

export const scheduleItem = z.object({
  employeeId: z.uuid(),
  locationId: z.uuid(),
  /** The local date the shift starts on, at its location. */
  date: localDate,
  start: instant,
  end: instant,
  minutes: z.number().int(),
  breakMinutes: z.number().int(),
  source: z.object({ layer: z.enum(['contract', 'adjustment']), id: z.uuid() }),
  /** One sentence saying where this shift came from and what changed it. */
  provenance: z.string(),
  notes: z.array(provenanceNote),
});
export type ScheduleItem = z.infer<typeof scheduleItem>;

export const violation = z.object({
  rule: z.enum(['no_overlap', 'max_daily', 'max_weekly', 'min_rest']),
  employeeId: z.uuid(),
  start: instant,
  end: instant,
  minutes: z.number().int(),
  limitMinutes: z.number().int().nullable(),
  date: localDate.nullable(),
  message: z.string(),
});
export type Violation = z.infer<typeof violation>;

export const scheduleQuery = z
  .object({
    from: localDate,
    to: localDate,
    locationId: z.uuid().optional(),
    departmentId: z.uuid().optional(),
    employeeId: z.uuid().optional(),
  })
  .refine((q) => q.to >= q.from, { message: 'to must not be before from', path: ['to'] })
  .refine((q) => (new Date(q.to).getTime() - new Date(q.from).getTime()) / 86_400_000 <= 92, {
    message: 'a schedule query spans at most 93 days',
    path: ['to'],
  });

export const scheduleResponse = z.object({ items: z.array(scheduleItem), violations: z.array(violation) });

export const adjustmentPreview = z.object({
  adjustment,
  before: scheduleResponse,
  after: scheduleResponse,
  /** Overlaps the approval would create: approving is refused while this is not empty. */
  conflicts: z.array(violation),
});

export const labourRules = z.strictObject({
  maxDailyMinutes: z.number().int().min(60).max(24 * 60),
  maxWeeklyMinutes: z.number().int().min(60).max(7 * 24 * 60),
  minRestMinutes: z.number().int().min(0).max(24 * 60),
});

export const demandPut = z.strictObject({
  weekly: z
    .array(z.strictObject({ weekday: z.number().int().min(1).max(7), hour: z.number().int().min(0).max(23), required: z.number().int().min(0).max(10_000) }))
    .max(168),
  overrides: z
    .array(z.strictObject({ date: localDate, hour: z.number().int().min(0).max(23), required: z.number().int().min(0).max(10_000) }))
    .max(24 * 366)
    .optional(),
});
export const demand = z.object({
  locationId: z.uuid(),
  weekly: z.array(z.object({ weekday: z.number().int(), hour: z.number().int(), required: z.number().int() })),
  overrides: z.array(z.object({ date: localDate, hour: z.number().int(), required: z.number().int() })),
});

export const calendarToken = z.object({ token: z.string(), url: z.string() });
