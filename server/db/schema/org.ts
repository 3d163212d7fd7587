import { boolean, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

export const locations = pgTable(
  'locations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    timezone: text('timezone').notNull(),
    active: boolean('active').notNull().default(true),
    ...timestamps,
  },
  (t) => [index('locations_name_idx').on(t.name, t.id)],
);

export const departments = pgTable(
  'departments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    locationId: uuid('location_id')
      .notNull()
      .references(() => locations.id),
    active: boolean('active').notNull().default(true),
    ...timestamps,
  },
  (t) => [index('departments_name_idx').on(t.name, t.id), index('departments_location_idx').on(t.locationId)],
);

export const employees = pgTable(
  'employees',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    email: text('email'),
    departmentId: uuid('department_id')
      .notNull()
      .references(() => departments.id),
    locationId: uuid('location_id')
      .notNull()
      .references(() => locations.id),
    externalIds: jsonb('external_ids').$type<Record<string, string>>().notNull().default({}),
    active: boolean('active').notNull().default(true),
    ...timestamps,
  },
  (t) => [
    index('employees_name_idx').on(t.name, t.id),
    index('employees_department_idx').on(t.departmentId),
    index('employees_location_idx').on(t.locationId),
  ],
);
