import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../db/client.ts';
import { insertLocationWithEvent } from '../features/org/org.repository.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';
import { logStart, systemActor, type LogPosition, type StoredEvent } from './event-log.ts';

/**
 * Readers only take transactions older than the oldest one running. On PostgreSQL that horizon is
 * cluster-wide, so a transaction of a test file running in parallel (another database) can hold an
 * event back for a moment: read until `count` events of `type` are there, within a bound.
 */
async function readAfterEventually(position: LogPosition, count: number, type: string): Promise<StoredEvent[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const events = (await t.wf.events.readAfter(position, 1000)).filter((e) => e.type === type);
    if (events.length >= count || Date.now() > deadline) return events;
    await new Promise((r) => setTimeout(r, 20));
  }
}

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('event log', () => {
  it('writes the row and its event in one transaction: a rollback leaves neither', async () => {
    const { events } = t.wf;
    const before = await events.head();
    const rows = async (id: string) =>
      (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM events WHERE entity_type = 'test' AND entity_id = ${id}`))[0]!.n;
    await expect(
      events.write(async (tx) => {
        await events.append(tx, { type: 'test.happened', entity: { type: 'test', id: '1' }, actor: systemActor, payload: {} });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await rows('1')).toBe(0);

    await events.write(async (tx) => {
      await events.append(tx, { type: 'test.happened', entity: { type: 'test', id: '2' }, actor: systemActor, payload: { n: 2 } });
    });
    const after = await readAfterEventually(before, 1, 'test.happened');
    expect(after.map((e) => [e.type, e.entity.id, e.payload])).toEqual([['test.happened', '2', { n: 2 }]]);
  });

  it('writes a row and its event as one statement: either failing stores neither', async () => {
    const { events } = t.wf;
    const before = await events.head();
    const locationsNamed = async (name: string) =>
      (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM locations WHERE name = ${name}`))[0]!.n;
    const eventsFor = async (id: string) =>
      (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM events WHERE entity_id = ${id}`))[0]!.n;
    const event = (id: string, locationId: string) => ({
      type: 'location.created',
      entity: { type: 'location', id },
      actor: systemActor,
      payload: { n: 1 },
      scope: { locationId },
    });

    // The event fails (its scope is not a uuid): the location is not stored either.
    const first = randomUUID();
    await expect(
      events.writeRow(insertLocationWithEvent, { id: first, name: 'One statement A', timezone: 'UTC' }, event(first, 'not-a-uuid')),
    ).rejects.toThrow();
    expect(await locationsNamed('One statement A')).toBe(0);

    // The row fails (its id is taken): no event.
    const second = randomUUID();
    const row = await events.writeRow(insertLocationWithEvent, { id: second, name: 'One statement B', timezone: 'UTC' }, event(second, second));
    expect(row).toMatchObject({ id: second, name: 'One statement B', active: true });
    expect(row.createdAt).toBeInstanceOf(Date);
    await expect(
      events.writeRow(insertLocationWithEvent, { id: second, name: 'One statement C', timezone: 'UTC' }, event(randomUUID(), second)),
    ).rejects.toThrow();
    expect(await locationsNamed('One statement C')).toBe(0);
    expect(await eventsFor(second)).toBe(1);
    const read = (await readAfterEventually(before, 1, 'location.created')).filter((e) => e.entity.id === second);
    expect(read.map((e) => e.payload)).toEqual([{ n: 1 }]);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of events at the database', async () => {
    const db = t.database.db;
    await expect(db.execute(sql`UPDATE events SET type = 'x'`)).rejects.toThrow();
    await expect(db.execute(sql`DELETE FROM events`)).rejects.toThrow();
    await expect(db.execute(sql`TRUNCATE events`)).rejects.toThrow();
    const [row] = await queryRows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM events WHERE type = 'x'`);
    expect(row!.n).toBe(0);
  });

  it('reads in log order from any position and resolves a seq to its position', async () => {
    const { events } = t.wf;
    for (let i = 0; i < 5; i++) {
      await events.write(async (tx) => {
        await events.append(tx, { type: 'test.ordered', entity: { type: 'test', id: String(i) }, actor: systemActor, payload: {} });
      });
    }
    const all = await readAfterEventually(logStart, 5, 'test.ordered');
    const seqs = all.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const third = all.at(-3)!;
    expect(await events.positionOf(third.seq)).toEqual({ txId: third.txId, seq: third.seq });
    expect((await events.readAfter(third, 10)).map((e) => e.entity.id)).toEqual(['3', '4']);
  });
});
