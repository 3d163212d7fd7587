import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Db, type Tx } from '../db/client.ts';
import * as schema from '../db/schema.ts';
import { orgHeadcountConsumer } from '../features/org/org-headcount.consumer.ts';
import type { UserPrincipal } from '../lib/principal.ts';
import { createTestApp, openTestDatabase, usingPostgres, type TestApp } from '../testing/test-app.ts';
import { createConsumer, type Consumer, type ConsumerDefinition } from './consumer.ts';
import { createEventLog, systemActor, type EventLog, type LogPosition, type StoredEvent } from './event-log.ts';

const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let t: TestApp;
let databaseUrl: string | undefined;
beforeAll(async () => {
  const database = await openTestDatabase();
  databaseUrl = database.url;
  t = await createTestApp({ database });
  // What a recording consumer applied, one row per (consumer, event): written in the consumer's own
  // transaction, so a row here is an effect that committed together with the offset.
  await t.database.db.execute(sql`CREATE TABLE consumer_test_seen (consumer text NOT NULL, seq bigint NOT NULL, event_id uuid NOT NULL)`);
});
afterAll(async () => {
  await t?.close();
  await t?.database.close();
});

const compare = (a: LogPosition, b: LogPosition) => {
  const ta = BigInt(a.txId);
  const tb = BigInt(b.txId);
  return ta === tb ? a.seq - b.seq : ta < tb ? -1 : 1;
};

/** A consumer that records every test event of its run into consumer_test_seen (and, in order, in memory). */
function recordingConsumer(runId: string, options: { batchSize?: number } = {}) {
  const name = `test-recorder-${runId}`;
  const delivered: StoredEvent[] = [];
  const definition: ConsumerDefinition = {
    name,
    batchSize: options.batchSize ?? 7,
    async handle(tx: Tx, batch: StoredEvent[]) {
      const mine = batch.filter((e) => e.entity.type === 'test' && e.entity.id.startsWith(runId));
      for (const e of mine) {
        await tx.execute(sql`INSERT INTO consumer_test_seen (consumer, seq, event_id) VALUES (${name}, ${e.seq}, ${e.id})`);
      }
      delivered.push(...mine);
    },
  };
  const consumer = createConsumer(definition, { db: t.database.db, events: t.wf.events, log });
  async function seen() {
    return queryRows<{ seq: number; event_id: string; n: number }>(
      t.database.db,
      sql`SELECT seq::int AS seq, event_id, count(*)::int AS n FROM consumer_test_seen WHERE consumer = ${name} GROUP BY seq, event_id ORDER BY seq`,
    );
  }
  return { consumer, delivered, seen, name };
}

/** The newest event in (tx_id, seq) order, committed or not yet visible to readers. */
async function lastEventPosition(): Promise<LogPosition> {
  const [row] = await queryRows<{ tx_id: string; seq: number }>(
    t.database.db,
    sql`SELECT tx_id::text AS tx_id, seq::int AS seq FROM events ORDER BY events.tx_id DESC, events.seq DESC LIMIT 1`,
  );
  return { txId: row!.tx_id, seq: row!.seq };
}

/**
 * Drains until the consumer stands on the newest committed event. On PostgreSQL the read horizon is the
 * oldest transaction running anywhere in the cluster (other test files included), so catching up can take
 * a few polls; it is bounded.
 */
async function drainUntilCaughtUp(consumer: Consumer, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  const target = await lastEventPosition();
  for (;;) {
    await consumer.drain();
    if (compare(await consumer.position(), target) >= 0) return;
    if (Date.now() > deadline) throw new Error(`consumer ${consumer.name} did not catch up with ${JSON.stringify(target)}`);
    await sleep(25);
  }
}

function testEvent(runId: string, label: string) {
  return { type: 'test.happened', entity: { type: 'test', id: `${runId}:${label}` }, actor: systemActor, payload: { label } };
}

describe('consumers never skip an event that commits late', () => {
  it.runIf(usingPostgres())('holds back a committed later transaction until an earlier open one ends (PostgreSQL, two clients)', async () => {
    const pg = await import('pg');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const runId = randomUUID();
    const recorder = recordingConsumer(runId, { batchSize: 1 });
    await recorder.consumer.drain();

    const c1 = new pg.default.Client({ connectionString: databaseUrl });
    const c2 = new pg.default.Client({ connectionString: databaseUrl });
    await c1.connect();
    await c2.connect();
    try {
      const log1 = createEventLog({ db: drizzle({ client: c1, schema }) as unknown as Db });
      const log2 = createEventLog({ db: drizzle({ client: c2, schema }) as unknown as Db });

      // T1 appends first (the lower seq) and stays open.
      let appended1!: () => void;
      const t1Appended = new Promise<void>((r) => (appended1 = r));
      let releaseT1!: () => void;
      const t1Released = new Promise<void>((r) => (releaseT1 = r));
      let first!: { seq: number; id: string };
      const t1 = log1.write(async (tx) => {
        first = await log1.append(tx, testEvent(runId, 'late'));
        appended1();
        await t1Released;
      });
      await t1Appended;

      // T2 appends (a higher seq) and commits while T1 is still open.
      const second = await log2.write((tx) => log2.append(tx, testEvent(runId, 'early')));
      expect(second.seq).toBeGreaterThan(first.seq);

      // A seq-ordered reader would take T2's event now and later never look back at T1's.
      // The consumer must not move past T1's position while T1 can still commit.
      for (let i = 0; i < 5; i++) await recorder.consumer.step();
      expect((await recorder.seen()).map((r) => r.seq)).toEqual([]);
      const heldAt = await recorder.consumer.position();
      const [t1Row] = await queryRows<{ tx_id: string }>(t.database.db, sql`SELECT tx_id::text AS tx_id FROM events WHERE seq = ${second.seq}`);
      expect(compare(heldAt, { txId: t1Row!.tx_id, seq: second.seq })).toBeLessThan(0);

      releaseT1();
      await t1;
      await drainUntilCaughtUp(recorder.consumer);

      const seen = await recorder.seen();
      expect(seen.map((r) => [r.seq, r.n])).toEqual(
        [first.seq, second.seq].sort((a, b) => a - b).map((seq) => [seq, 1]),
      );
      // Delivery order is commit-safe (tx_id, seq): T1 took its transaction id first, so its event comes first.
      expect(recorder.delivered.map((e) => e.seq)).toEqual([first.seq, second.seq]);
    } finally {
      await c1.end();
      await c2.end();
    }
  });

  it.runIf(usingPostgres())('delivers the later transaction, and nothing of the earlier one, when the earlier one rolls back', async () => {
    const pg = await import('pg');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const runId = randomUUID();
    const recorder = recordingConsumer(runId, { batchSize: 1 });
    await recorder.consumer.drain();
    const c1 = new pg.default.Client({ connectionString: databaseUrl });
    await c1.connect();
    try {
      const log1 = createEventLog({ db: drizzle({ client: c1, schema }) as unknown as Db });
      let appended1!: () => void;
      const t1Appended = new Promise<void>((r) => (appended1 = r));
      let abortT1!: () => void;
      const t1Aborted = new Promise<void>((r) => (abortT1 = r));
      const t1 = log1.write(async (tx) => {
        await log1.append(tx, testEvent(runId, 'doomed'));
        appended1();
        await t1Aborted;
        throw new Error('roll back');
      });
      await t1Appended;
      const kept = await t.wf.events.write((tx) => t.wf.events.append(tx, testEvent(runId, 'kept')));
      for (let i = 0; i < 3; i++) await recorder.consumer.step();
      expect(await recorder.seen()).toEqual([]);
      abortT1();
      await expect(t1).rejects.toThrow('roll back');
      await drainUntilCaughtUp(recorder.consumer);
      expect((await recorder.seen()).map((r) => [r.seq, r.n])).toEqual([[kept.seq, 1]]);
    } finally {
      await c1.end();
    }
  });

  it('concurrent writers (some rolling back) while the consumer runs: every committed event exactly once, in (tx_id, seq) order', async () => {
    const runId = randomUUID();
    const recorder = recordingConsumer(runId);
    await recorder.consumer.drain();
    recorder.consumer.start();

    const events: EventLog = t.wf.events;
    const WRITERS = 8;
    const TRANSACTIONS = usingPostgres() ? 50 : 25;
    const committed: { seq: number; id: string }[] = [];
    const rolledBack: { seq: number; id: string }[] = [];
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let i = 0; i < TRANSACTIONS; i++) {
          const rollback = random() < 0.2;
          const count = 1 + Math.floor(random() * 3);
          const pause = Math.floor(random() * 4);
          const appended: { seq: number; id: string }[] = [];
          try {
            await events.write(async (tx) => {
              for (let k = 0; k < count; k++) {
                appended.push(await events.append(tx, testEvent(runId, `${w}-${i}-${k}`)));
                if (pause) await sleep(pause);
              }
              if (rollback) throw new Error('rollback on purpose');
            });
            committed.push(...appended);
          } catch (err) {
            if ((err as Error).message !== 'rollback on purpose') throw err;
            rolledBack.push(...appended);
          }
        }
      }),
    );
    expect(rolledBack.length).toBeGreaterThan(0);

    const deadline = Date.now() + 20_000;
    while (recorder.delivered.length < committed.length && Date.now() < deadline) await sleep(50);
    await recorder.consumer.stop();
    await drainUntilCaughtUp(recorder.consumer);

    const seen = await recorder.seen();
    expect(seen.filter((r) => r.n !== 1)).toEqual([]);
    expect(seen.map((r) => r.event_id).sort()).toEqual(committed.map((e) => e.id).sort());
    const rolledBackIds = new Set(rolledBack.map((e) => e.id));
    expect(seen.filter((r) => rolledBackIds.has(r.event_id))).toEqual([]);

    // In memory too: no duplicates, strictly increasing (tx_id, seq), one transaction's events together.
    expect(recorder.delivered.length).toBe(committed.length);
    for (let i = 1; i < recorder.delivered.length; i++) {
      expect(compare(recorder.delivered[i - 1]!, recorder.delivered[i]!)).toBeLessThan(0);
    }
    const txOrder = recorder.delivered.map((e) => e.txId).filter((tx, i, all) => i === 0 || all[i - 1] !== tx);
    expect(new Set(txOrder).size).toBe(txOrder.length);
    expect(await recorder.consumer.drain()).toBe(0);
  });
});

describe('batches that change nothing', () => {
  it('write no offset (no transaction id); the position is kept in memory, written with the next change and at stop', async () => {
    const runId = randomUUID();
    const name = `test-idle-${runId}`;
    let effects = 0;
    const definition: ConsumerDefinition = {
      name,
      batchSize: 1000,
      async handle(tx: Tx, batch: StoredEvent[]) {
        const mine = batch.filter((e) => e.entity.type === 'test' && e.entity.id === `${runId}:effect`);
        for (const _ of mine) {
          await tx.execute(sql`INSERT INTO consumer_test_seen (consumer, seq, event_id) VALUES (${name}, ${mine[0]!.seq}, ${mine[0]!.id})`);
          effects++;
        }
        return mine.length > 0;
      },
    };
    const durable = async (): Promise<LogPosition> => {
      const [row] = await queryRows<{ tx_id: string; seq: number }>(t.database.db, sql`SELECT tx_id::text AS tx_id, seq::int AS seq FROM consumer_offsets WHERE name = ${name}`);
      return { txId: row!.tx_id, seq: row!.seq };
    };
    const consumer = createConsumer(definition, { db: t.database.db, events: t.wf.events, log });
    await drainUntilCaughtUp(consumer);
    const start = await durable();

    // Nothing for this consumer: it passes the events without writing its offset.
    for (let i = 0; i < 3; i++) await t.wf.events.write((tx) => t.wf.events.append(tx, testEvent(runId, `noise-${i}`)).then(() => undefined));
    await drainUntilCaughtUp(consumer);
    expect(await durable()).toEqual(start);
    const passed = await consumer.position();
    expect(compare(passed, start)).toBeGreaterThan(0);
    // The next drain starts after the passed events, not at the durable offset: nothing is read twice.
    expect(await consumer.drain()).toBe(0);

    // An event it acts on: effect and offset together, and the offset is the newest again.
    await t.wf.events.write((tx) => t.wf.events.append(tx, testEvent(runId, 'effect')).then(() => undefined));
    await drainUntilCaughtUp(consumer);
    expect(effects).toBe(1);
    expect(compare(await durable(), passed)).toBeGreaterThan(0);

    // More noise, then stop: the position is written on the way out.
    await t.wf.events.write((tx) => t.wf.events.append(tx, testEvent(runId, 'noise-after')).then(() => undefined));
    await drainUntilCaughtUp(consumer);
    const before = await consumer.position();
    consumer.start();
    await consumer.stop();
    expect(await durable()).toEqual(before);
    expect(effects).toBe(1);
  });
});

describe('consumers that name their event types', () => {
  it('are handed only those, whole and in order, and move past the rest without being called for them', async () => {
    const runId = randomUUID();
    const handed: StoredEvent[][] = [];
    const definition: ConsumerDefinition = {
      name: `test-typed-${runId}`,
      batchSize: 3,
      types: ['test.wanted', 'test.also.%'],
      async handle(_tx: Tx, batch: StoredEvent[]) {
        handed.push(batch.filter((e) => e.entity.id.startsWith(runId)));
        return false;
      },
    };
    const consumer = createConsumer(definition, { db: t.database.db, events: t.wf.events, log });
    await drainUntilCaughtUp(consumer);
    handed.length = 0;

    const types = ['test.ignored', 'test.wanted', 'test.ignored', 'test.ignored', 'test.ignored', 'test.also.this', 'test.wanted', 'test.ignored'];
    for (const [i, type] of types.entries()) {
      await t.wf.events.write((tx) => t.wf.events.append(tx, { ...testEvent(runId, `${i}`), type }).then(() => undefined));
    }
    await drainUntilCaughtUp(consumer);

    // Batches of three read: [ignored, wanted, ignored], [ignored, ignored, also.this], [wanted, ignored].
    expect(handed.flat().map((e) => [e.type, e.payload.label])).toEqual([
      ['test.wanted', '1'],
      ['test.also.this', '5'],
      ['test.wanted', '6'],
    ]);
    expect(handed.every((batch) => batch.length > 0)).toBe(true);
    // The position is the last event read, which it was not handed.
    expect(compare(await consumer.position(), await lastEventPosition())).toBe(0);
    expect(await consumer.drain()).toBe(0);
  });
});

describe('org-headcount consumer', () => {
  let admin: UserPrincipal;
  let locations: { id: string }[];
  let departments: { id: string; locationId: string }[];

  beforeAll(async () => {
    admin = await t.wf.auth.authenticateAccessToken(t.adminToken);
    locations = [];
    departments = [];
    for (const name of ['North', 'South']) {
      const location = await t.wf.org.createLocation(admin, { name, timezone: 'Europe/London' });
      locations.push(location);
      for (const dept of ['Packing', 'Picking']) {
        departments.push(await t.wf.org.createDepartment(admin, { name: `${name} ${dept}`, locationId: location.id }));
      }
    }
  });

  const truth = () =>
    queryRows<{ location_id: string; department_id: string; n: number }>(t.database.db, sql`
      SELECT location_id, department_id, count(*)::int AS n FROM employees WHERE active GROUP BY 1, 2 ORDER BY 1, 2`);
  const headcount = () =>
    queryRows<{ location_id: string; department_id: string; n: number }>(t.database.db, sql`
      SELECT location_id, department_id, active AS n FROM org_headcount WHERE active <> 0 ORDER BY 1, 2`);

  it('matches the employees table after concurrent creates, moves and deactivations, with two instances draining at once', async () => {
    // Two instances of the same consumer, as two server processes would run it.
    const one = createConsumer(orgHeadcountConsumer, { db: t.database.db, events: t.wf.events, log });
    const two = createConsumer(orgHeadcountConsumer, { db: t.database.db, events: t.wf.events, log });
    let writing = true;
    const drainers = [one, two].map(async (c) => {
      while (writing) {
        await c.drain();
        await sleep(1);
      }
    });

    const place = (i: number) => departments[i % departments.length]!;
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.wf.org.createEmployee(admin, { name: `Person ${i}`, departmentId: place(i).id, locationId: place(i).locationId, externalIds: {} }),
      ),
    );
    // Each person gets at most one kind of concurrent change; some get a move and then a deactivation.
    await Promise.all(
      created.map(async (e, i) => {
        const target = place(i + 1 + (i % 3));
        if (i % 4 === 0) await t.wf.org.updateEmployee(admin, e.id, { departmentId: target.id, locationId: target.locationId });
        else if (i % 4 === 1) await t.wf.org.deactivateEmployee(admin, e.id);
        else if (i % 4 === 2) {
          await t.wf.org.updateEmployee(admin, e.id, { departmentId: target.id, locationId: target.locationId });
          await t.wf.org.deactivateEmployee(admin, e.id);
        } else await t.wf.org.updateEmployee(admin, e.id, { name: `Renamed ${i}` });
      }),
    );
    // More creates racing with moves of the first ones.
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) =>
        t.wf.org.createEmployee(admin, { name: `Late ${i}`, departmentId: place(i).id, locationId: place(i).locationId, externalIds: {} }),
      ),
      ...created.filter((_, i) => i % 4 === 3).map((e, i) => t.wf.org.updateEmployee(admin, e.id, { departmentId: place(i + 2).id, locationId: place(i + 2).locationId })),
    ]);
    writing = false;
    await Promise.all(drainers);
    await drainUntilCaughtUp(one);

    const expected = await truth();
    expect(expected.reduce((n, r) => n + r.n, 0)).toBe(40 - 20 + 10);
    expect(await headcount()).toEqual(expected);

    // The offset committed with the effect: draining again (either instance) applies nothing twice.
    expect(await one.drain()).toBe(0);
    expect(await two.drain()).toBe(0);
    expect(await headcount()).toEqual(expected);

    // And the offset is shared: a fresh instance (a restarted process) starts where they stopped.
    const three = createConsumer(orgHeadcountConsumer, { db: t.database.db, events: t.wf.events, log });
    expect(await three.drain()).toBe(0);
    expect(await headcount()).toEqual(expected);
  });

  // The org service refuses changes to an inactive person, so the log never says an inactive person moved.
  it('moving a deactivated employee leaves headcount unchanged', async () => {
    const consumer = createConsumer(orgHeadcountConsumer, { db: t.database.db, events: t.wf.events, log });
    const [from, to] = [departments[0]!, departments[3]!];
    const person = await t.wf.org.createEmployee(admin, { name: 'Gone Soon', departmentId: from.id, locationId: from.locationId, externalIds: {} });
    await t.wf.org.deactivateEmployee(admin, person.id);
    await expect(t.wf.org.updateEmployee(admin, person.id, { departmentId: to.id, locationId: to.locationId })).rejects.toMatchObject({ code: 'ALREADY_INACTIVE' });
    await drainUntilCaughtUp(consumer);
    expect(await headcount()).toEqual(await truth());
  });
});
