import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { Actor, LogEvent } from '../../contract/audit.ts';
import { compiledQuery, queryRows, type CompiledQueryOptions, type Db, type DbOrTx, type Tx } from '../db/client.ts';
import { events } from '../db/schema.ts';

/** Where a reader stands in the log: the last event it has taken, in (txId, seq) order. */
export interface LogPosition {
  txId: string;
  seq: number;
}
export const logStart: LogPosition = { txId: '0', seq: 0 };
/** Whether `a` comes after `b` in log order. */
export const isAfter = (a: LogPosition, b: LogPosition) => {
  const ta = BigInt(a.txId);
  const tb = BigInt(b.txId);
  return ta > tb || (ta === tb && a.seq > b.seq);
};
/** The advisory lock a consumer's steps try-lock, and whatever else writes its effects waits for. */
export const consumerLockKey = (name: string) => `consumer:${name}`;

/** The part of the organisation an event concerns; drives channel fan-out and scoped reads. */
export interface EventScope {
  locationId?: string | null;
  departmentId?: string | null;
  employeeId?: string | null;
  userId?: string | null;
}

export interface NewEvent {
  /** `<entity>.<past-verb>`, e.g. `employee.updated`. */
  type: string;
  entity: { type: string; id: string };
  actor: Actor;
  payload: Record<string, unknown>;
  scope?: EventScope;
}

/** A stored event with the fields consumers and the fan-out need beyond the public shape. */
export interface StoredEvent extends LogEvent {
  txId: string;
  scope: Required<EventScope>;
}

export const systemActor: Actor = { type: 'system', id: null, name: 'Workfloor' };

export type EventLog = ReturnType<typeof createEventLog>;

/**
 * The append-only log. Every change is written with `write(tx => ...)`: the row and its event
 * commit together or not at all. Readers take events in (tx_id, seq) order, and only from
 * transactions older than the oldest one still running (the snapshot's xmin): a transaction that
 * commits later always has a larger tx_id than anything already read, so nothing is ever skipped.
 * The price: that horizon is the whole PostgreSQL cluster's, so a long transaction in any database
 * of the cluster delays (never loses) what readers see. Give Workfloor a cluster that does not host
 * long-running batch jobs; tests wait for the horizon explicitly (`settle` in testing/test-app.ts).
 */
/** The stored columns of a new event (with a fresh id), for both the single and the bulk insert. */
function columnsOf(event: NewEvent) {
  return {
    id: randomUUID(),
    type: event.type,
    entityType: event.entity.type,
    entityId: event.entity.id,
    actorType: event.actor.type,
    actorId: event.actor.id,
    actorName: event.actor.name,
    locationId: event.scope?.locationId ?? null,
    departmentId: event.scope?.departmentId ?? null,
    employeeId: event.scope?.employeeId ?? null,
    userId: event.scope?.userId ?? null,
    payload: event.payload,
  };
}

/** The statement values of a new event, named `${prefix}<column>` so they can share a statement with a row's. */
function eventValues(event: NewEvent, prefix = ''): Record<string, unknown> {
  const row = columnsOf(event);
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) values[prefix + name] = name === 'payload' ? JSON.stringify(value) : value;
  return values;
}

/** The columns every event INSERT gives, in the order of both inserts' values. */
const EVENT_COLUMNS = sql.raw('(id, type, entity_type, entity_id, actor_type, actor_id, actor_name, location_id, department_id, employee_id, user_id, payload)');

/**
 * INSERT of one event whose values are the placeholders `${prefix}<column>` (see `eventValues`).
 * With `from`, the event is inserted once per row of that relation (a WITH name): none when the write
 * it belongs to turned out to write nothing.
 */
function eventInsert(prefix = '', from?: SQL) {
  const p = (name: string) => sql.placeholder(prefix + name);
  return sql`INSERT INTO events ${EVENT_COLUMNS}
             SELECT ${p('id')}::uuid, ${p('type')}, ${p('entityType')}, ${p('entityId')},
                    ${p('actorType')}, ${p('actorId')}, ${p('actorName')},
                    ${p('locationId')}::uuid, ${p('departmentId')}::uuid, ${p('employeeId')}::uuid,
                    ${p('userId')}::uuid, ${p('payload')}::jsonb${from ? sql` FROM ${from}` : sql``}`;
}

/**
 * The events of a batch statement, one per row of `rows`: a relation (WITH name or FROM list, alias
 * `source`) whose columns `event` holds each row's event as `eventRecord` made it, inserted in the
 * order of `source.ord`. For statements that write many changes in one round trip (the live punch
 * batch), where each change's event must exist exactly when its change does.
 */
export function eventsInsertFrom(rows: SQL) {
  return sql`INSERT INTO events ${EVENT_COLUMNS}
             SELECT (source.event->>'id')::uuid, source.event->>'type', source.event->>'entityType', source.event->>'entityId',
                    source.event->>'actorType', source.event->>'actorId', source.event->>'actorName',
                    (source.event->>'locationId')::uuid, (source.event->>'departmentId')::uuid, (source.event->>'employeeId')::uuid,
                    (source.event->>'userId')::uuid, source.event->'payload'
             FROM ${rows}
             ORDER BY source.ord`;
}

/** A new event as one JSON value for `eventsInsertFrom` (with a fresh id, as every append makes). */
export const eventRecord = (event: NewEvent) => columnsOf(event);

/** The two statements every write and every reader runs, built once (see `compiledQuery`). */
const insertEvent = compiledQuery<Record<string, unknown>, { seq: number | string }>(() => sql`${eventInsert()} RETURNING seq`);
const readAfterQuery = compiledQuery<{ txId: string; seq: number; limit: number }, EventRow>(
  () => sql`
      SELECT seq, tx_id::text AS tx_id, id, type, entity_type, entity_id, actor_type, actor_id, actor_name,
             location_id, department_id, employee_id, user_id, payload, occurred_at
      FROM events
      WHERE (tx_id, seq) > (${sql.placeholder('txId')}::xid8, ${sql.placeholder('seq')}::bigint)
        AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY events.tx_id, events.seq
      LIMIT ${sql.placeholder('limit')}`,
);

const EVENT_PREFIX = 'event_';
/** A compiled statement that writes rows and their event at once (see `withEvent`). */
export type StatementWithEvent<Values, Row> = (executor: DbOrTx, values: Values & Record<string, unknown>) => Promise<Row[]>;

/**
 * A statement that writes a change and its event at once: `build` gets the event's INSERT (a fragment
 * to put in a WITH) and returns the whole statement. PostgreSQL runs every data-modifying WITH exactly
 * once, whether the final SELECT reads it or not, so one round trip does what would otherwise take one
 * per write; on a small machine each round trip costs about 100 µs of Node CPU, most of it the socket
 * write. Give `logAfter` the name of a WITH relation to insert the event only if that relation
 * has a row (for example an INSERT ... ON CONFLICT DO NOTHING that may write nothing). The statement
 * names its own values with `sql.placeholder` (never `event_...`, which are the event's); the event's
 * entity id must be known before it runs (make ids in the service, `randomUUID()`). `fromRaw` turns a
 * raw row into the caller's type: the drivers answer timestamps of raw statements as text or Date.
 */
export function withEvent<Values extends Record<string, unknown>, Row, Raw = Row>(
  build: (logged: SQL) => SQL,
  fromRaw: (raw: Raw) => Row,
  { logAfter, prepareAs }: { logAfter?: string } & CompiledQueryOptions = {},
): StatementWithEvent<Values, Row> {
  const query = compiledQuery<Values & Record<string, unknown>, Raw>(() => build(eventInsert(EVENT_PREFIX, logAfter ? sql.raw(logAfter) : undefined)), { prepareAs });
  return async (executor, values) => (await query(executor, values)).map(fromRaw);
}

/**
 * The common case of `withEvent`: a change that is a single INSERT or UPDATE ... RETURNING (create a
 * location, a department...), written with its event as
 * `WITH written AS (<row statement>), logged AS (INSERT INTO events ...) SELECT * FROM written`.
 * Run it with `writeRow`: outside any transaction the statement is its own, so the row and its event
 * still commit together or not at all, in one round trip where `write` takes four (BEGIN, row, event,
 * COMMIT). `rowStatement` returns the row's columns under the names the caller's row type uses.
 */
export function rowWithEvent<Values extends Record<string, unknown>, Row, Raw = Row>(
  rowStatement: () => SQL,
  fromRaw: (raw: Raw) => Row,
): StatementWithEvent<Values, Row> {
  return withEvent<Values, Row, Raw>((logged) => sql`WITH written AS (${rowStatement()}), logged AS (${logged}) SELECT * FROM written`, fromRaw);
}

/**
 * A consumer step's first read: try-locks the consumer (the key `lockConsumer` in coverage waits
 * for), reads its offset and the next `limit` events after it, in one round trip instead of three.
 * Only events whose type matches one of `types` (LIKE patterns) come back whole, and the last one
 * read always, so the step knows how far it got (`scanned` says how many were read): a consumer that
 * cares about a few types does not have every punch's payload shipped and parsed. No rows when
 * another process holds the lock or nothing is new.
 */
const consumerBatchQuery = compiledQuery<
  { name: string; lockKey: string; limit: number; afterTx: string | null; afterSeq: number | null; types: string },
  EventRow & { wanted: boolean; scanned: number }
>(
  () => sql`
      WITH offset_row AS (
        SELECT o.tx_id, o.seq, (${sql.placeholder('afterTx')}::xid8, ${sql.placeholder('afterSeq')}::bigint) > (o.tx_id, o.seq) AS behind
        FROM (SELECT pg_try_advisory_xact_lock(hashtext(${sql.placeholder('lockKey')})) AS locked) l
        JOIN consumer_offsets o ON o.name = ${sql.placeholder('name')}
        WHERE l.locked),
      claim AS (
        SELECT CASE WHEN behind THEN ${sql.placeholder('afterTx')}::xid8 ELSE tx_id END AS tx_id,
               CASE WHEN behind THEN ${sql.placeholder('afterSeq')}::bigint ELSE seq END AS seq
        FROM offset_row),
      batch AS (
        SELECT e.*, e.type LIKE ANY (${sql.placeholder('types')}::text[]) AS wanted,
               row_number() OVER (ORDER BY e.tx_id DESC, e.seq DESC) = 1 AS last
        FROM claim CROSS JOIN LATERAL (
          -- LATERAL: the claimed position becomes the index condition. As a plain join it is a filter,
          -- and PostgreSQL scans the whole log on every step.
          SELECT * FROM events e
          WHERE (e.tx_id, e.seq) > (claim.tx_id, claim.seq)
            AND e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
          ORDER BY e.tx_id, e.seq
          LIMIT ${sql.placeholder('limit')}) e)
      SELECT e.seq, e.tx_id::text AS tx_id, e.id, e.type, e.entity_type, e.entity_id, e.actor_type, e.actor_id, e.actor_name,
             e.location_id, e.department_id, e.employee_id, e.user_id, e.occurred_at, e.wanted,
             CASE WHEN e.wanted THEN e.payload END AS payload,
             (SELECT count(*) FROM batch)::int AS scanned
      FROM batch e
      WHERE e.wanted OR e.last
      ORDER BY e.tx_id, e.seq`,
);

/** What a consumer step read: the events it asked for, and where in the log the read ended. */
export interface ConsumerBatch {
  events: StoredEvent[];
  /** How many events the read went through, wanted or not (fewer than the limit: the consumer is caught up). */
  scanned: number;
  /** The last event read, wanted or not: where the consumer's offset moves once the batch is applied. */
  last: LogPosition | undefined;
}

export function createEventLog({ db }: { db: Db }) {
  const appendedIn = new WeakMap<object, number>();
  const commitListeners = new Set<(appended: number) => void>();

  async function append(tx: Tx, event: NewEvent): Promise<{ seq: number; id: string }> {
    const values = eventValues(event);
    const [inserted] = await insertEvent(tx, values);
    appendedIn.set(tx, (appendedIn.get(tx) ?? 0) + 1);
    return { seq: Number(inserted!.seq), id: values.id as string };
  }

  /** Appends many events with one statement per 500 (bulk work such as demo history or imports). */
  async function appendMany(tx: Tx, batch: NewEvent[]): Promise<void> {
    for (let i = 0; i < batch.length; i += 500) {
      const chunk = batch.slice(i, i + 500);
      await tx.insert(events).values(chunk.map(columnsOf));
    }
    appendedIn.set(tx, (appendedIn.get(tx) ?? 0) + batch.length);
  }

  /** Runs `fn` in one transaction; after it commits, wakes this process's readers. */
  async function write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    let appended = 0;
    const result = await db.transaction(async (tx) => {
      const value = await fn(tx);
      appended = appendedIn.get(tx) ?? 0;
      return value;
    });
    if (appended > 0) for (const listener of commitListeners) listener(appended);
    return result;
  }

  /**
   * Runs a statement made by `withEvent` inside `write`'s transaction: the change and its event in one
   * round trip. `logged` says whether the statement's event was inserted (its `logAfter` relation had a
   * row), so readers are woken only for events that exist.
   */
  async function appendWith<Values extends Record<string, unknown>, Row>(
    tx: Tx,
    statement: StatementWithEvent<Values, Row>,
    values: Values,
    event: NewEvent,
    logged: (rows: Row[]) => boolean = () => true,
  ): Promise<Row[]> {
    const rows = await statement(tx, { ...values, ...eventValues(event, EVENT_PREFIX) });
    if (logged(rows)) appendedIn.set(tx, (appendedIn.get(tx) ?? 0) + 1);
    return rows;
  }

  /**
   * Runs a statement made by `withEvent` outside any transaction: a single statement is its own
   * transaction, so the change and its event still commit together or not at all. Then wakes this
   * process's readers, as `write` does, if `logged` says the event was inserted.
   */
  async function writeWith<Values extends Record<string, unknown>, Row>(
    statement: StatementWithEvent<Values, Row>,
    values: Values,
    event: NewEvent,
    logged: (rows: Row[]) => boolean = () => true,
  ): Promise<Row[]> {
    const rows = await statement(db, { ...values, ...eventValues(event, EVENT_PREFIX) });
    if (logged(rows)) for (const listener of commitListeners) listener(1);
    return rows;
  }

  /**
   * Runs `statement`, one that writes events through `eventsInsertFrom`, in `tx` (its readers are woken
   * when `write` commits it) or on its own (woken now); `logged` counts the events it wrote.
   */
  async function writeBatch<Row>(statement: (executor: DbOrTx) => Promise<Row[]>, logged: (rows: Row[]) => number, tx?: Tx): Promise<Row[]> {
    const rows = await statement(tx ?? db);
    const appended = logged(rows);
    if (tx) appendedIn.set(tx, (appendedIn.get(tx) ?? 0) + appended);
    else if (appended > 0) for (const listener of commitListeners) listener(appended);
    return rows;
  }

  /** `writeWith` for a statement made by `rowWithEvent`: answers the row written. */
  async function writeRow<Values extends Record<string, unknown>, Row>(statement: StatementWithEvent<Values, Row>, values: Values, event: NewEvent): Promise<Row> {
    const [row] = await writeWith(statement, values, event);
    return row!;
  }

  /**
   * Events after `position`, in log order, only from transactions that can no longer commit.
   * ORDER BY names `events.tx_id`: a bare `tx_id` would mean the text output column and sort
   * '1000' before '999'.
   */
  async function readAfter(
    position: LogPosition,
    limit: number,
    executor: Db | Tx = db,
  ): Promise<StoredEvent[]> {
    const rows = await readAfterQuery(executor, { txId: position.txId, seq: position.seq, limit });
    return rows.map(toStoredEvent);
  }

  /**
   * A consumer's next batch, under its lock (see `consumerBatchQuery`): after its durable offset, or
   * after `passed` when that is further (events this process read and had nothing to do for). Empty
   * when another process holds the lock or nothing is new.
   */
  /** `types`: LIKE patterns of the event types the consumer handles (default: every type). */
  async function readForConsumer(tx: Tx, name: string, limit: number, passed?: LogPosition, types: string[] = ['%']): Promise<ConsumerBatch> {
    const rows = await consumerBatchQuery(tx, {
      name,
      lockKey: consumerLockKey(name),
      limit,
      afterTx: passed?.txId ?? null,
      afterSeq: passed?.seq ?? null,
      types: `{${types.map((t) => JSON.stringify(t)).join(',')}}`,
    });
    const lastRow = rows.at(-1);
    return {
      events: rows.filter((r) => r.wanted).map(toStoredEvent),
      scanned: lastRow ? Number(lastRow.scanned) : 0,
      last: lastRow ? { txId: lastRow.tx_id, seq: Number(lastRow.seq) } : undefined,
    };
  }

  /** The position of the newest event a reader may take now. */
  async function head(): Promise<LogPosition> {
    const [row] = await queryRows<{ tx_id: string; seq: number | string }>(db, sql`
      SELECT tx_id::text AS tx_id, seq FROM events
      WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY events.tx_id DESC, events.seq DESC LIMIT 1`);
    return row ? { txId: row.tx_id, seq: Number(row.seq) } : logStart;
  }

  /** The position of the event with this seq, so a client's `sinceSeq` can resume from it. */
  async function positionOf(seq: number): Promise<LogPosition | undefined> {
    const [row] = await queryRows<{ tx_id: string; seq: number | string }>(
      db,
      sql`SELECT tx_id::text AS tx_id, seq FROM events WHERE seq = ${seq}`,
    );
    return row ? { txId: row.tx_id, seq: Number(row.seq) } : undefined;
  }

  function onCommit(listener: (appended: number) => void): () => void {
    commitListeners.add(listener);
    return () => commitListeners.delete(listener);
  }

  return { append, appendMany, appendWith, write, writeWith, writeBatch, writeRow, readAfter, readForConsumer, head, positionOf, onCommit };
}

export interface EventRow {
  seq: number | string;
  tx_id: string;
  id: string;
  type: string;
  entity_type: string;
  entity_id: string;
  actor_type: Actor['type'];
  actor_id: string | null;
  actor_name: string | null;
  location_id: string | null;
  department_id: string | null;
  employee_id: string | null;
  user_id: string | null;
  payload: Record<string, unknown> | string;
  occurred_at: Date | string;
}

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    seq: Number(row.seq),
    txId: row.tx_id,
    id: row.id,
    type: row.type,
    entity: { type: row.entity_type, id: row.entity_id },
    actor: { type: row.actor_type, id: row.actor_id, name: row.actor_name },
    payload: typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload,
    occurredAt: new Date(row.occurred_at).toISOString(),
    scope: {
      locationId: row.location_id,
      departmentId: row.department_id,
      employeeId: row.employee_id,
      userId: row.user_id,
    },
  };
}

/** The public shape of an event (what the API and sockets send). */
export function toLogEvent(event: StoredEvent): LogEvent {
  const { txId: _txId, scope: _scope, ...rest } = event;
  return rest;
}
