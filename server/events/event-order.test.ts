import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../db/client.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';
import { createConsumer } from './consumer.ts';
import { logStart, systemActor, type StoredEvent } from './event-log.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/**
 * Log order is numeric (tx_id, seq). Transaction ids grow past a power of ten in every long-lived
 * database (999 -> 1000, 99999 -> 100000); an ordering by their text form would deliver the log out of
 * order there and make readers skip or repeat events. Writing two events as if from old transactions
 * 99 and 100 (both long finished, below any real id) puts such a boundary into this database now.
 */
describe('log order across a decimal-digit boundary of transaction ids', () => {
  let early: string;
  let late: string;
  let newest: StoredEvent;

  beforeAll(async () => {
    // A real event first, so that the newest event has a large transaction id.
    await t.wf.events.write((tx) =>
      t.wf.events.append(tx, { type: 'test.real', entity: { type: 'test', id: 'real' }, actor: systemActor, payload: {} }),
    );
    early = randomUUID();
    late = randomUUID();
    for (const [id, txId] of [[late, 100], [early, 99]] as const) {
      await t.database.db.execute(sql`
        INSERT INTO events (tx_id, id, type, entity_type, entity_id, actor_type, payload)
        VALUES (${String(txId)}::xid8, ${id}, 'test.backdated', 'test', ${String(txId)}, 'system', '{}'::jsonb)`);
    }
    const deadline = Date.now() + 10_000;
    for (;;) {
      const all = await t.wf.events.readAfter(logStart, 10_000);
      const real = all.find((e) => e.type === 'test.real');
      if (real) {
        newest = all.at(-1)!;
        break;
      }
      if (Date.now() > deadline) throw new Error('real event never became readable');
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  it('readAfter pages through transaction 99 before 100, and both before every newer one', async () => {
    const first = await t.wf.events.readAfter(logStart, 1);
    expect(first.map((e) => e.id)).toEqual([early]);
    const second = await t.wf.events.readAfter(first[0]!, 1);
    expect(second.map((e) => e.id)).toEqual([late]);
    const rest = await t.wf.events.readAfter(second[0]!, 10_000);
    expect(rest.map((e) => e.id)).not.toContain(early);
    expect(rest.length).toBeGreaterThan(0);
    for (const e of rest) expect(BigInt(e.txId)).toBeGreaterThan(100n);
  });

  it('head is the newest event in numeric order', async () => {
    expect(newest.txId).not.toBe('99');
    await t.waitForHorizon();
    expect(await t.wf.events.head()).toEqual({ txId: newest.txId, seq: newest.seq });
  });

  it('a consumer with a batch of one takes every event once, in numeric order', async () => {
    const seen: StoredEvent[] = [];
    const consumer = createConsumer(
      { name: `order-${randomUUID()}`, batchSize: 1, handle: async (_tx: Tx, batch) => void seen.push(...batch) },
      { db: t.database.db, events: t.wf.events, log: pino({ level: 'silent' }) },
    );
    await t.waitForHorizon();
    await consumer.drain();
    const all = await t.wf.events.readAfter(logStart, 10_000);
    expect(seen.map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(seen.slice(0, 2).map((e) => e.id)).toEqual([early, late]);
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
  });
});
