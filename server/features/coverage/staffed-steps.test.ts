import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallOrg, type TestApp } from '../../testing/test-app.ts';
import { OPEN_SHIFT_LIMIT_MS, stepsOf, workedIntervals, type Step } from './coverage-engine.ts';
import { findStaffedSteps } from './coverage.repository.ts';

/**
 * PostgreSQL sums worked shifts into steps of headcount for coverage (`findStaffedSteps`); the
 * reference is the same shifts through `workedIntervals` and `stepsOf` in TypeScript. Random shifts
 * with breaks (closed, open, past the missed clock-out limit, breaks left open, instants with seconds),
 * compared over a span that starts inside some of them.
 */
const MIN = 60_000;
const H = 60 * MIN;
const nowMs = Date.UTC(2026, 2, 2, 12, 0, 27, 350);
/**
 * The span read: starting on a minute (bucket starts, and the minute in progress a consumer step reads
 * from) or anywhere, with shifts that end just after its start (which `findStaffedSteps` leaves out).
 */
const spanOf = fc
  .record({
    minutesAgo: fc.integer({ min: 1, max: 20 * 60 }),
    offsetMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: MIN - 1 })),
    length: fc.integer({ min: MIN, max: 16 * H }),
    edgeEndMs: fc.integer({ min: -90_000, max: 90_000 }),
    edgeLength: fc.integer({ min: 1, max: 2 * H }),
  })
  .map(({ minutesAgo, offsetMs, length, edgeEndMs, edgeLength }) => {
    const fromMs = Math.floor(nowMs / MIN) * MIN - minutesAgo * MIN + offsetMs;
    // One more person, whose shift ends within a minute and a half of the span's start.
    const edge: GeneratedShift = { clockInMs: fromMs + edgeEndMs - edgeLength, clockOutMs: fromMs + edgeEndMs, breaks: [] };
    return { fromMs, toMs: fromMs + length, edge: edge.clockOutMs! < nowMs ? [edge] : [] };
  });

let t: TestApp;
let locationId: string;
const employeeIds: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  const org = await seedSmallOrg(t);
  locationId = org.location.id;
  for (let i = 0; i < 6; i++) {
    const res = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/employees', payload: { name: `Step Person ${i}`, departmentId: org.packing.id, locationId } });
    employeeIds.push(res.body.id);
  }
});
afterAll(() => t.close());

interface GeneratedShift {
  clockInMs: number;
  clockOutMs: number | null;
  breaks: { startMs: number; endMs: number | null }[];
}

/** One person's shifts in time order, none overlapping; only the last may be open. */
const personShifts = fc
  .record({
    firstStart: fc.integer({ min: -30 * H, max: -2 * H }),
    shifts: fc.array(
      fc.record({
        gap: fc.integer({ min: 0, max: 3 * H }),
        length: fc.integer({ min: 0, max: 10 * H }),
        breaks: fc.array(fc.record({ offset: fc.integer({ min: 0, max: 2 * H }), length: fc.integer({ min: 0, max: H }), open: fc.boolean() }), { maxLength: 2 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    lastOpen: fc.boolean(),
  })
  .map(({ firstStart, shifts, lastOpen }) => {
    const out: GeneratedShift[] = [];
    let at = nowMs + firstStart;
    shifts.forEach((s, i) => {
      const clockInMs = at + s.gap;
      const open = lastOpen && i === shifts.length - 1;
      const clockOutMs = open ? null : clockInMs + s.length;
      let cursor = clockInMs;
      const breaks: GeneratedShift['breaks'] = [];
      for (const b of s.breaks) {
        const startMs = cursor + b.offset;
        if (startMs >= nowMs) break;
        const leftOpen = b.open && b === s.breaks.at(-1);
        // A break that has not ended by now is still open.
        const stillOpen = leftOpen || startMs + b.length >= nowMs;
        breaks.push({ startMs, endMs: stillOpen ? null : startMs + b.length });
        if (stillOpen) break;
        cursor = startMs + b.length;
      }
      out.push({ clockInMs, clockOutMs, breaks });
      at = (clockOutMs ?? nowMs) + 1;
    });
    return out.filter((s) => s.clockInMs < nowMs && (s.clockOutMs === null || s.clockOutMs < nowMs));
  });

/** The reference: intervals in TypeScript, truncated to minutes, the steps before the span folded into its start. */
function expectedSteps(shifts: GeneratedShift[], span: { fromMs: number; toMs: number }): Step[] {
  const byMinute = new Map<number, number>();
  // What runs until now has no step there (nothing after now is counted): its end is no step at all.
  const intervals = workedIntervals(shifts, nowMs, OPEN_SHIFT_LIMIT_MS).map((i) => (i.endMs === nowMs ? { ...i, endMs: Infinity } : i));
  for (const step of stepsOf(intervals)) {
    if (step.atMs >= span.toMs) continue;
    const at = Math.max(step.atMs, span.fromMs);
    byMinute.set(at, (byMinute.get(at) ?? 0) + step.delta);
  }
  return [...byMinute].filter(([, d]) => d !== 0).map(([atMs, delta]) => ({ atMs, delta })).sort((a, b) => a.atMs - b.atMs);
}

describe('staffed steps from PostgreSQL', () => {
  it('equal the TypeScript reference for random shifts, breaks and open shifts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(personShifts, { minLength: 1, maxLength: employeeIds.length - 1 }), spanOf, async (generated, span) => {
        const people = [...generated, span.edge];
        await t.database.db.execute(sql`DELETE FROM work_shifts`);
        for (const [i, shifts] of people.entries()) {
          for (const s of shifts) {
            const breaks = JSON.stringify(s.breaks.map((b) => ({ start: new Date(b.startMs).toISOString(), end: b.endMs === null ? null : new Date(b.endMs).toISOString() })));
            await t.database.db.execute(sql`
              INSERT INTO work_shifts (employee_id, location_id, clock_in_at, clock_out_at, clock_in_punch_id, breaks)
              VALUES (${employeeIds[i]}, ${locationId}, ${new Date(s.clockInMs).toISOString()}, ${s.clockOutMs === null ? null : new Date(s.clockOutMs).toISOString()}, ${randomUUID()}, ${breaks}::jsonb)`);
          }
        }
        const steps = await findStaffedSteps(t.database.db, [{ locationId, from: new Date(span.fromMs), to: new Date(span.toMs) }], nowMs, OPEN_SHIFT_LIMIT_MS);
        expect(steps.map(({ atMs, delta }) => ({ atMs, delta }))).toEqual(expectedSteps(people.flat(), span));
      }),
      { numRuns: 60 },
    );
  });
});
