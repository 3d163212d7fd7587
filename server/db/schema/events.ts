import { sql } from 'drizzle-orm';
import { bigint, customType, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** PostgreSQL's 64-bit transaction id; kept as a decimal string in JS (it exceeds 2^53). */
export const xid8 = customType<{ data: string; driverData: string }>({
  dataType: () => 'xid8',
});

/**
 * The append-only event log. `seq` identifies an event; delivery order is (tx_id, seq):
 * ordering by the writing transaction's id lets a reader take only transactions older than
 * every transaction still running, so an event whose sequence number commits late is never
 * skipped (see server/events/README.md). A trigger refuses UPDATE, DELETE and TRUNCATE.
 */
export const events = pgTable(
  'events',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    txId: xid8('tx_id').notNull().default(sql`pg_current_xact_id()`),
    id: uuid('id').notNull().unique(),
    type: text('type').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    actorName: text('actor_name'),
    // Which part of the organisation the event concerns: drives channel fan-out and scoped reads.
    locationId: uuid('location_id'),
    departmentId: uuid('department_id'),
    employeeId: uuid('employee_id'),
    userId: uuid('user_id'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('events_position_idx').on(t.txId, t.seq),
    index('events_entity_idx').on(t.entityType, t.entityId, t.seq),
    index('events_actor_idx').on(t.actorId, t.seq),
    index('events_occurred_idx').on(t.occurredAt),
  ],
);

/** Durable position of each log consumer, advanced in the same transaction as its effect. */
export const consumerOffsets = pgTable('consumer_offsets', {
  name: text('name').primaryKey(),
  txId: xid8('tx_id').notNull().default(sql`'0'::xid8`),
  seq: bigint('seq', { mode: 'number' }).notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
