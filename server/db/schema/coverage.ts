import { date, doublePrecision, index, integer, pgTable, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { locations } from './org.ts';

/**
 * Coverage per location and local hour, kept by the `coverage` log consumer: required (demand),
 * scheduled (unified schedule) and staffed (from punches, minute precision, breaks excluded).
 * Buckets follow the location's wall clock: a DST day has 23 or 25 of them.
 */
export const coverageHourly = pgTable(
  'coverage_hourly',
  {
    locationId: uuid('location_id').notNull().references(() => locations.id),
    hourStart: timestamp('hour_start', { withTimezone: true }).notNull(),
    hourEnd: timestamp('hour_end', { withTimezone: true }).notNull(),
    localDate: date('local_date', { mode: 'string' }).notNull(),
    localHour: smallint('local_hour').notNull(),
    required: integer('required').notNull(),
    scheduled: doublePrecision('scheduled').notNull(),
    staffed: doublePrecision('staffed').notNull(),
    minStaffed: integer('min_staffed').notNull(),
    /** Minutes of the hour (elapsed, or scheduled for the future) with fewer people than required. */
    shortMinutes: integer('short_minutes').notNull(),
    status: text('status', { enum: ['ok', 'understaffed', 'overstaffed'] }).notNull(),
    computedAt: timestamp('computed_at', { withTimezone: true }).notNull(),
    /**
     * Headcount in each whole minute of the hour that had passed at `computed_at` (index 0 is the
     * hour's first minute). A past minute changes only with an event dated at or before it, so the
     * consumer reuses these and reads worked shifts only from the earliest minute its batch touches
     * (see `recompute`). Null: not known (rows written before the column existed).
     */
    staffedMinutes: integer('staffed_minutes').array(),
  },
  (t) => [primaryKey({ columns: [t.locationId, t.hourStart] }), index('coverage_hourly_date_idx').on(t.locationId, t.localDate)],
);
