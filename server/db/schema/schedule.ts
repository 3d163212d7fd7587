import { date, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { employees, locations } from './org.ts';
import { users } from './auth.ts';

/** One weekly pattern entry, in the location's wall-clock time; end <= start means it ends the next day. */
export interface PatternShift {
  weekday: number;
  start: string;
  end: string;
  locationId: string;
  breakMinutes?: number;
}

export const holidays = pgTable(
  'holidays',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    locationId: uuid('location_id').notNull().references(() => locations.id),
    date: date('date', { mode: 'string' }).notNull(),
    name: text('name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('holidays_location_date_idx').on(t.locationId, t.date)],
);

/** The contract layer: per employee, consecutive non-overlapping periods with a weekly pattern. */
export const contracts = pgTable(
  'contracts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    employeeId: uuid('employee_id').notNull().references(() => employees.id),
    effectiveFrom: date('effective_from', { mode: 'string' }).notNull(),
    effectiveTo: date('effective_to', { mode: 'string' }),
    pattern: jsonb('pattern').$type<PatternShift[]>().notNull(),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('contracts_employee_idx').on(t.employeeId, t.effectiveFrom)],
);

export const adjustmentKinds = ['time_off', 'extra_shift', 'change_shift', 'swap'] as const;
export const adjustmentStatuses = ['pending', 'approved', 'rejected', 'cancelled', 'revoked'] as const;

/** The adjustment layer: requests that change the contract schedule once approved. */
export const adjustments = pgTable(
  'adjustments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Short human number for the inbox and provenance ("time off #123"). */
    number: integer('number').generatedAlwaysAsIdentity().notNull(),
    employeeId: uuid('employee_id').notNull().references(() => employees.id),
    kind: text('kind', { enum: adjustmentKinds }).notNull(),
    start: timestamp('start', { withTimezone: true }).notNull(),
    end: timestamp('end', { withTimezone: true }).notNull(),
    locationId: uuid('location_id').references(() => locations.id),
    counterpartEmployeeId: uuid('counterpart_employee_id').references(() => employees.id),
    counterpartAcceptedAt: timestamp('counterpart_accepted_at', { withTimezone: true }),
    reason: text('reason').notNull(),
    status: text('status', { enum: adjustmentStatuses }).notNull().default('pending'),
    requestedBy: uuid('requested_by').references(() => users.id),
    requestedByName: text('requested_by_name'),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
    decidedBy: uuid('decided_by').references(() => users.id),
    decidedByName: text('decided_by_name'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decisionNote: text('decision_note'),
  },
  (t) => [
    index('adjustments_employee_idx').on(t.employeeId, t.start),
    index('adjustments_counterpart_idx').on(t.counterpartEmployeeId),
    index('adjustments_status_idx').on(t.status, t.requestedAt),
  ],
);

/** Labour rules per location; absent row means the defaults (8 h a day, 40 h a week, 11 h rest). */
export const labourRules = pgTable('labour_rules', {
  locationId: uuid('location_id').primaryKey().references(() => locations.id),
  maxDailyMinutes: integer('max_daily_minutes').notNull().default(480),
  maxWeeklyMinutes: integer('max_weekly_minutes').notNull().default(2400),
  minRestMinutes: integer('min_rest_minutes').notNull().default(660),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Required headcount per location, weekday (1 = Monday) and local hour. */
export const demandWeekly = pgTable(
  'demand_weekly',
  {
    locationId: uuid('location_id').notNull().references(() => locations.id),
    weekday: smallint('weekday').notNull(),
    hour: smallint('hour').notNull(),
    required: integer('required').notNull(),
  },
  (t) => [primaryKey({ columns: [t.locationId, t.weekday, t.hour] })],
);

export const demandOverrides = pgTable(
  'demand_overrides',
  {
    locationId: uuid('location_id').notNull().references(() => locations.id),
    date: date('date', { mode: 'string' }).notNull(),
    hour: smallint('hour').notNull(),
    required: integer('required').notNull(),
  },
  (t) => [primaryKey({ columns: [t.locationId, t.date, t.hour] })],
);

/** Secret token of each employee's calendar feed; rotating it invalidates old subscriptions. */
export const calendarTokens = pgTable('calendar_tokens', {
  employeeId: uuid('employee_id').primaryKey().references(() => employees.id),
  token: text('token').notNull(),
  rotatedAt: timestamp('rotated_at', { withTimezone: true }).notNull().defaultNow(),
});
