import { z } from 'zod';
import { instant, localDate } from './common.ts';

export const punchKinds = ['clock_in', 'clock_out', 'break_start', 'break_end'] as const;
export type PunchKind = (typeof punchKinds)[number];

export const clockEventCreate = z.strictObject({
  /** Made by the client; sending the same id again returns the original result. */
  id: z.uuid(),
  employeeId: z.uuid(),
  kind: z.enum(punchKinds),
  at: instant.optional(),
  locationId: z.uuid().optional(),
  source: z.string().trim().min(1).max(40).optional(),
});
export type ClockEventCreate = z.infer<typeof clockEventCreate>;

export const clockEvent = z.object({
  id: z.uuid(),
  employeeId: z.uuid(),
  locationId: z.uuid(),
  kind: z.enum(punchKinds),
  at: instant,
  source: z.string(),
  recordedAt: instant,
  correctionOf: z.uuid().nullable(),
  supersededBy: z.uuid().nullable(),
  reason: z.string().nullable(),
  /** 'pending': a late punch waiting for the punches around it to arrive before it counts. */
  state: z.enum(['placed', 'pending']),
});
export type ClockEvent = z.infer<typeof clockEvent>;

/** A manager adds a missed punch or moves one; the original stays, superseded. */
export const clockCorrection = z.strictObject({
  id: z.uuid(),
  employeeId: z.uuid(),
  kind: z.enum(punchKinds),
  at: instant,
  locationId: z.uuid().optional(),
  /** The punch this one replaces; absent when adding a missed punch. */
  replaces: z.uuid().optional(),
  reason: z.string().trim().min(3).max(500),
});

export const clockBatch = z.strictObject({ events: z.array(clockEventCreate).min(1).max(1000) });
export const punchStates = ['placed', 'pending'] as const;
export const batchResult = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      status: z.number().int(),
      code: z.string().optional(),
      message: z.string().optional(),
    }),
  ),
  accepted: z.number().int(),
  replayed: z.number().int(),
  refused: z.number().int(),
});

export const liveStatuses = ['scheduled', 'on_shift', 'on_break', 'late', 'absent', 'clocked_out', 'unscheduled', 'overtime', 'missed_clock_out'] as const;
export type LiveStatus = (typeof liveStatuses)[number];

export const livePerson = z.object({
  employeeId: z.uuid(),
  name: z.string(),
  departmentId: z.uuid(),
  locationId: z.uuid(),
  status: z.enum(liveStatuses),
  since: instant.nullable(),
  scheduled: z.object({ start: instant, end: instant }).nullable(),
  actual: z.object({ clockIn: instant, clockOut: instant.nullable(), onBreakSince: instant.nullable() }).nullable(),
  /** The next punch this person can make, for the kiosk and quick actions. */
  nextAction: z.enum(punchKinds),
});
export type LivePerson = z.infer<typeof livePerson>;
export const liveQuery = z.object({ locationId: z.uuid().optional(), departmentId: z.uuid().optional() });
export const liveResponse = z.object({
  at: instant,
  /** The last log position this answer includes; socket events after it are newer. */
  seq: z.number().int(),
  items: z.array(livePerson),
  counts: z.record(z.string(), z.number().int()),
});

export const timesheetQuery = z
  .object({
    from: localDate,
    to: localDate,
    employeeId: z.uuid().optional(),
    departmentId: z.uuid().optional(),
    locationId: z.uuid().optional(),
  })
  .refine((q) => q.to >= q.from, { message: 'to must not be before from', path: ['to'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 <= 62, { message: 'a timesheet spans at most 63 days', path: ['to'] });

export const workedShift = z.object({
  id: z.uuid(),
  date: localDate,
  locationId: z.uuid(),
  clockIn: instant,
  clockOut: instant.nullable(),
  breaks: z.array(z.object({ start: instant, end: instant.nullable() })),
  breakMinutes: z.number().int(),
  workedMinutes: z.number().int(),
});
export const timesheetRow = z.object({
  employeeId: z.uuid(),
  name: z.string(),
  departmentId: z.uuid(),
  locationId: z.uuid(),
  shifts: z.array(workedShift),
  workedMinutes: z.number().int(),
  overtimeMinutes: z.number().int(),
  scheduledMinutes: z.number().int(),
  differenceMinutes: z.number().int(),
  openShifts: z.number().int(),
});
export const timesheetResponse = z.object({
  from: localDate,
  to: localDate,
  items: z.array(timesheetRow),
  departments: z.array(z.object({ departmentId: z.uuid(), workedMinutes: z.number().int(), overtimeMinutes: z.number().int(), scheduledMinutes: z.number().int() })),
  locks: z.array(z.object({ id: z.uuid(), locationId: z.uuid(), from: localDate, to: localDate, lockedBy: z.string().nullable(), lockedAt: instant })),
});

export const timesheetLockCreate = z
  .strictObject({ locationId: z.uuid(), from: localDate, to: localDate })
  .refine((q) => q.to >= q.from, { message: 'to must not be before from', path: ['to'] });

/** How the columns of an uploaded punch file map to punches. */
export const importMapping = z.strictObject({
  employee: z.string().min(1).max(100),
  /** What the employee column holds. */
  match: z.enum(['id', 'email', 'payroll', 'badge']),
  kind: z.string().min(1).max(100),
  at: z.string().min(1).max(100),
  location: z.string().min(1).max(100).optional(),
});
export const importResult = z.object({
  rows: z.number().int(),
  accepted: z.number().int(),
  replayed: z.number().int(),
  errors: z.array(z.object({ line: z.number().int(), message: z.string(), code: z.string().optional() })),
});
export const pinSet = z.strictObject({ pin: z.string().regex(/^\d{4,8}$/, 'a PIN is 4 to 8 digits') });
export const kioskPunch = clockEventCreate.extend({ pin: z.string().regex(/^\d{4,8}$/, 'a PIN is 4 to 8 digits') });
export const kioskPeopleQuery = z.object({ locationId: z.uuid(), q: z.string().trim().max(100).optional() });
export const kioskPeople = z.object({
  items: z.array(z.object({ employeeId: z.uuid(), name: z.string(), badge: z.string().nullable(), nextAction: z.enum(punchKinds) })),
});
