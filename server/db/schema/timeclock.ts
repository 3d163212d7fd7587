import { sql } from 'drizzle-orm';
import { bigint, date, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { employees, locations } from './org.ts';

export const punchKinds = ['clock_in', 'clock_out', 'break_start', 'break_end'] as const;

/**
 * Every accepted punch, keyed by the id its client made (kiosk, phone, integration), so a replay finds
 * the original. A manager's correction adds a punch and marks the one it replaces as superseded: both stay.
 */
export const punches = pgTable(
  'punches',
  {
    id: uuid('id').primaryKey(),
    employeeId: uuid('employee_id').notNull().references(() => employees.id),
    locationId: uuid('location_id').notNull().references(() => locations.id),
    kind: text('kind', { enum: punchKinds }).notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    source: text('source').notNull(),
    /** Hash of the request as sent: the same id with another body is refused. */
    requestHash: text('request_hash').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
    recordedBy: text('recorded_by'),
    correctionOf: uuid('correction_of'),
    supersededBy: uuid('superseded_by'),
    reason: text('reason'),
    /**
     * 'placed' punches form the timeline. A late punch that does not fit yet (its partner has not
     * arrived) waits as 'pending' and is placed when the punches around it make a valid timeline.
     */
    state: text('state', { enum: ['placed', 'pending'] }).notNull().default('placed'),
  },
  (t) => [
    index('punches_employee_at_idx').on(t.employeeId, t.at),
    // The timeline itself: every punch reads its employee's latest placed punch, one backward step here
    // instead of a sort of every punch the employee ever made.
    index('punches_timeline_idx').on(t.employeeId, t.at).where(sql`${t.supersededBy} IS NULL AND ${t.state} = 'placed'`),
  ],
);

export interface WorkBreak {
  start: string;
  end: string | null;
}

/**
 * Worked shifts derived from the punches (rebuilt for an employee when a late punch lands in the past).
 * The partial unique index makes "at most one open shift per employee" a database guarantee.
 */
export const workShifts = pgTable(
  'work_shifts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    employeeId: uuid('employee_id').notNull().references(() => employees.id),
    locationId: uuid('location_id').notNull().references(() => locations.id),
    clockInAt: timestamp('clock_in_at', { withTimezone: true }).notNull(),
    clockOutAt: timestamp('clock_out_at', { withTimezone: true }),
    clockInPunchId: uuid('clock_in_punch_id').notNull(),
    clockOutPunchId: uuid('clock_out_punch_id'),
    breaks: jsonb('breaks').$type<WorkBreak[]>().notNull().default([]),
  },
  (t) => [
    uniqueIndex('work_shifts_one_open_idx').on(t.employeeId).where(sql`${t.clockOutAt} IS NULL`),
    index('work_shifts_employee_idx').on(t.employeeId, t.clockInAt),
    index('work_shifts_location_idx').on(t.locationId, t.clockInAt),
    // Coverage reads the shifts still running at or after an instant: the ones that ended after it and
    // the open ones (NULL), both an index range here, where clock_in_at would range over all history.
    index('work_shifts_location_out_idx').on(t.locationId, t.clockOutAt),
    // The same two ranges for one person's shifts (coverage: where else did this person work lately).
    index('work_shifts_employee_out_idx').on(t.employeeId, t.clockOutAt),
  ],
);

/**
 * One row per employee who has punched: every write to their punches or worked shifts raises
 * `version` in its transaction, and holds the row's lock until it commits. The slow paths (late
 * punches, corrections, imports) take that lock first; the live path reads the version with the
 * clock's state and writes only if it is still the same (`writeLivePunches`), so it needs no
 * transaction of its own.
 */
export const employeeClocks = pgTable('employee_clocks', {
  employeeId: uuid('employee_id').primaryKey().references(() => employees.id),
  version: bigint('version', { mode: 'number' }).notNull(),
});

/** An approved and locked timesheet period for a location: punches inside it are refused. */
export const timesheetLocks = pgTable(
  'timesheet_locks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    locationId: uuid('location_id').notNull().references(() => locations.id),
    from: date('from', { mode: 'string' }).notNull(),
    to: date('to', { mode: 'string' }).notNull(),
    lockedBy: text('locked_by'),
    lockedAt: timestamp('locked_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('timesheet_locks_location_idx').on(t.locationId, t.from)],
);

/** Kiosk PINs (argon2id hashes). */
export const kioskPins = pgTable('kiosk_pins', {
  employeeId: uuid('employee_id').primaryKey().references(() => employees.id),
  pinHash: text('pin_hash').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
