import { integer, pgTable, primaryKey, uuid } from 'drizzle-orm/pg-core';

/**
 * Active headcount per location and department, kept by the `org-headcount` log consumer
 * (server/features/org/org-headcount.consumer.ts): the first pre-aggregate fed by the log.
 */
export const orgHeadcount = pgTable(
  'org_headcount',
  {
    locationId: uuid('location_id').notNull(),
    departmentId: uuid('department_id').notNull(),
    active: integer('active').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.locationId, t.departmentId] })],
);
