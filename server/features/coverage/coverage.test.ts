import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../db/client.ts';
import { createTestApp, manualClock, seedSmallOrg, type TestApp } from '../../testing/test-app.ts';
import { bucketsOfDate, computeHours, workedIntervals } from './coverage-engine.ts';

const H = 3_600_000;

describe('hour buckets follow the wall clock', () => {
  it('a spring-forward day has 23 hours and a fall-back day 25 (Europe/Berlin)', () => {
    expect(bucketsOfDate('Europe/Berlin', '2026-03-29')).toHaveLength(23);
    const fall = bucketsOfDate('Europe/Berlin', '2026-10-25');
    expect(fall).toHaveLength(25);
    expect(fall.filter((b) => b.localHour === 2)).toHaveLength(2);
    expect(fall.every((b) => b.endMs - b.startMs === H)).toBe(true);
  });
  it('half-hour zones stay aligned to local hours (Asia/Kolkata)', () => {
    const day = bucketsOfDate('Asia/Kolkata', '2026-03-02');
    expect(day).toHaveLength(24);
    expect(new Date(day[9]!.startMs).toISOString()).toBe('2026-03-02T03:30:00.000Z'); // 09:00 IST
  });
  it('a 30-minute DST change gives a 30-minute hour (Australia/Lord_Howe)', () => {
    const day = bucketsOfDate('Australia/Lord_Howe', '2026-10-04');
    const two = day.find((b) => b.localHour === 2)!;
    expect((two.endMs - two.startMs) / 60_000).toBe(30);
    expect(day.reduce((t, b) => t + (b.endMs - b.startMs), 0)).toBe(23.5 * H);
  });
});

describe('headcount arithmetic', () => {
  it('staffed is the minute-weighted average over the elapsed hour, breaks excluded; short minutes count below required', () => {
    const start = Date.UTC(2026, 2, 2, 9);
    const staffed = workedIntervals(
      [
        { clockInMs: start - H, clockOutMs: null, breaks: [{ startMs: start + 30 * 60_000, endMs: start + 45 * 60_000 }] },
        { clockInMs: start + 20 * 60_000, clockOutMs: start + 2 * H, breaks: [] },
      ],
      start + 2 * H,
    );
    const [hour] = computeHours({
      buckets: [{ startMs: start, endMs: start + H, localDate: '2026-03-02', localHour: 9, weekday: 1 }],
      demand: { weekly: new Map([['1|9', 2]]), overrides: new Map() },
      scheduled: [{ startMs: start, endMs: start + H }],
      staffed,
      nowMs: start + 2 * H,
    });
    // Person A: 45 of 60 minutes; person B: 40 of 60 minutes.
    expect(hour).toMatchObject({ required: 2, scheduled: 1, staffed: Math.round((85 / 60) * 100) / 100, minStaffed: 1, status: 'understaffed' });
    // Below 2 people: minutes 0-20 (only A), 30-45 (A on break, only B).
    expect(hour!.shortMinutes).toBe(35);
  });
});

// Monday 2026-03-02 12:00 in London: enough history and future for late punches and adjustments.
const clock = manualClock(new Date('2026-03-02T12:00:00Z'));
let t: TestApp;
let org: Awaited<ReturnType<typeof seedSmallOrg>>;
const api = (url: string) => `/api/v1${url}`;
const drain = () => t.settle('coverage');
const snapshot = async () =>
  queryRows<Record<string, unknown>>(
    t.database.db,
    sql`SELECT location_id, hour_start, hour_end, required, scheduled, staffed, min_staffed, short_minutes, status FROM coverage_hourly ORDER BY location_id, hour_start`,
  );
const hourly = async (date: string) =>
  (await t.call(t.adminToken, { method: 'GET', url: api(`/coverage/hourly?locationId=${org.location.id}&from=${date}&to=${date}`) })).body.items;

beforeAll(async () => {
  t = await createTestApp({ clock });
  org = await seedSmallOrg(t);
  await t.call(t.adminToken, {
    method: 'PUT',
    url: api(`/locations/${org.location.id}/demand`),
    payload: { weekly: [1, 2, 3, 4, 5].flatMap((weekday) => [8, 9, 10, 11, 12, 13, 14, 15].map((hour) => ({ weekday, hour, required: 2 }))) },
  });
  for (const employeeId of [org.employee.id, org.colleague.id]) {
    await t.call(t.adminToken, {
      method: 'PUT',
      url: api(`/employees/${employeeId}/contracts`),
      payload: { effectiveFrom: '2026-02-01', pattern: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '08:00', end: '16:00', locationId: org.location.id, breakMinutes: 30 })) },
    });
  }
  await t.wf.startBackground(); // first start: rebuilds, then consumes from the head
  await t.wf.consumers.find((c) => c.name === 'coverage')!.stop();
  await drain();
});
afterAll(() => t.close());

describe('coverage pipeline', () => {
  it('required from demand, scheduled from the unified schedule, staffed from punches, per local hour', async () => {
    const before = await hourly('2026-03-02');
    expect(before).toHaveLength(24);
    expect(before[9]).toMatchObject({ hourStart: '2026-03-02T09:00:00+00:00', required: 2, scheduled: 2, staffed: 0, status: 'understaffed' });
    // Ada punches in at 08:30 (arriving late, at 11:00, from an offline kiosk): hours 08-11 change.
    await t.call(t.adminToken, { method: 'POST', url: api('/clock-events'), payload: { id: randomUUID(), employeeId: org.employee.id, kind: 'clock_in', at: '2026-03-02T08:30:00Z' } });
    await drain();
    const after = await hourly('2026-03-02');
    expect(after[8]).toMatchObject({ staffed: 0.5, minStaffed: 0 });
    expect(after[9]).toMatchObject({ staffed: 1, minStaffed: 1, shortMinutes: 60 });
    expect(after[13]).toMatchObject({ staffed: 0, scheduled: 2 }); // the future is judged on the schedule
    // The change was pushed as a coverage.updated event on the location's floor.
    const pushed = await t.call(t.adminToken, { method: 'GET', url: api('/audit?type=coverage.updated&limit=1') });
    expect(pushed.body.items[0].payload).toMatchObject({ locationId: org.location.id });
  });

  it('alerts say what is wrong in a sentence, and resolve when the cause goes away', async () => {
    const alerts = await t.call(org.managerToken, { method: 'GET', url: api(`/coverage/alerts?locationId=${org.location.id}`) });
    expect(alerts.status).toBe(200);
    const hour9 = alerts.body.items.find((a: any) => a.id === `understaffed:${org.location.id}:2026-03-02T09:00:00.000Z`);
    expect(hour9.message).toBe('Leeds DC, Mon 09:00-10:00: 1 of 2 required on the floor, 1 short for 1 h');
    // Time off for Bo at 14:00-16:00 makes the future hours short by the schedule.
    const off = await t.call(t.adminToken, { method: 'POST', url: api('/adjustments'), payload: { employeeId: org.colleague.id, kind: 'time_off', start: '2026-03-02T14:00:00Z', end: '2026-03-02T16:00:00Z', reason: 'appointment' } });
    expect(off.body.status).toBe('approved');
    await drain();
    const later = await t.call(t.adminToken, { method: 'GET', url: api(`/coverage/alerts?locationId=${org.location.id}`) });
    expect(later.body.items.find((a: any) => a.id === `understaffed:${org.location.id}:2026-03-02T14:00:00.000Z`).message).toBe(
      'Leeds DC, Mon 14:00-15:00: 1 of 2 required scheduled, 1 short',
    );
    await t.call(t.adminToken, { method: 'POST', url: api(`/adjustments/${off.body.id}/revoke`) });
    await drain();
    const resolved = await t.call(t.adminToken, { method: 'GET', url: api(`/coverage/alerts?locationId=${org.location.id}`) });
    expect(resolved.body.items.some((a: any) => a.id === `understaffed:${org.location.id}:2026-03-02T14:00:00.000Z`)).toBe(false);
  });

  it('flags a missed clock-out after 16 hours', async () => {
    await t.call(t.adminToken, { method: 'POST', url: api('/clock-events'), payload: { id: randomUUID(), employeeId: org.colleague.id, kind: 'clock_in', at: '2026-03-01T18:00:00Z' } });
    const alerts = await t.call(t.adminToken, { method: 'GET', url: api(`/coverage/alerts?locationId=${org.location.id}`) });
    const missed = alerts.body.items.find((a: any) => a.kind === 'missed_clock_out');
    expect(missed.message).toBe('Bo Picker has been clocked in for 18 h since Sun 18:00: probably a missed clock-out.');
    expect(missed.employeeIds).toEqual([org.colleague.id]);
  });

  it('incremental equals rebuild after random punches (late, out of order, corrected), adjustments and demand changes', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('punch' as const), who: fc.integer({ min: 0, max: 1 }), minutesAgo: fc.integer({ min: 0, max: 60 * 70 }) }),
      fc.record({ kind: fc.constant('timeoff' as const), who: fc.integer({ min: 0, max: 1 }), startH: fc.integer({ min: -60, max: 48 }), lengthH: fc.integer({ min: 1, max: 10 }) }),
      fc.record({ kind: fc.constant('demand' as const), hour: fc.integer({ min: 0, max: 23 }), required: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ kind: fc.constant('correct' as const), who: fc.integer({ min: 0, max: 1 }), minutesAgo: fc.integer({ min: 1, max: 60 * 48 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 3, maxLength: 10 }), fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }), async (ops, drains) => {
        const people = [org.employee.id, org.colleague.id];
        for (const [i, o] of ops.entries()) {
          if (o.kind === 'punch') {
            // The next valid kind for this person is found by trying: an invalid one is refused and changes nothing.
            const at = new Date(clock.now().getTime() - o.minutesAgo * 60_000).toISOString();
            for (const kind of ['clock_in', 'break_start', 'break_end', 'clock_out']) {
              const r = await t.call(t.adminToken, { method: 'POST', url: api('/clock-events'), payload: { id: randomUUID(), employeeId: people[o.who], kind, at } });
              if (r.status < 300) break;
            }
          } else if (o.kind === 'correct') {
            const list = await t.call(t.adminToken, { method: 'GET', url: api(`/clock-events?employeeId=${people[o.who]}&from=2026-02-26&to=2026-03-02`) });
            const target = list.body.items.filter((e: any) => !e.supersededBy && e.state === 'placed').at(-1);
            if (target) {
              await t.call(t.adminToken, {
                method: 'POST',
                url: api('/clock-events/corrections'),
                payload: { id: randomUUID(), employeeId: people[o.who], kind: target.kind, at: new Date(Date.parse(target.at) - o.minutesAgo * 1000).toISOString(), replaces: target.id, reason: 'property test' },
              });
            }
          } else if (o.kind === 'timeoff') {
            const start = clock.now().getTime() + o.startH * H;
            await t.call(t.adminToken, { method: 'POST', url: api('/adjustments'), payload: { employeeId: people[o.who], kind: 'time_off', start: new Date(start).toISOString(), end: new Date(start + o.lengthH * H).toISOString(), reason: 'property test' } });
          } else {
            const current = (await t.call(t.adminToken, { method: 'GET', url: api(`/locations/${org.location.id}/demand`) })).body;
            const weekly = current.weekly.filter((w: any) => w.hour !== o.hour).concat([1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, hour: o.hour, required: o.required })));
            await t.call(t.adminToken, { method: 'PUT', url: api(`/locations/${org.location.id}/demand`), payload: { weekly } });
          }
          if (drains[i]) await drain(); // the consumer sees events in batches of varying size
        }
        await drain();
        const incremental = await snapshot();
        await t.wf.coverage.rebuild();
        const rebuilt = await snapshot();
        expect(rebuilt).toEqual(incremental);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 12) },
    );
  }, 240_000);
});
