import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pino from 'pino';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../../db/client.ts';
import { createEventLog } from '../../events/event-log.ts';
import { ADMIN, createTestApp, manualClock, seedSmallOrg, usingPostgres, type TestApp } from '../../testing/test-app.ts';
import { bucketsOfDate, computeHours, stepsOf, workedIntervals } from './coverage-engine.ts';

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
    const staffed = stepsOf(workedIntervals(
      [
        { clockInMs: start - H, clockOutMs: null, breaks: [{ startMs: start + 30 * 60_000, endMs: start + 45 * 60_000 }] },
        { clockInMs: start + 20 * 60_000, clockOutMs: start + 2 * H, breaks: [] },
      ],
      start + 2 * H,
    ));
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
    sql`SELECT location_id, hour_start, hour_end, required, scheduled, staffed, min_staffed, short_minutes, status, staffed_minutes FROM coverage_hourly ORDER BY location_id, hour_start`,
  );
/** The admin's token, renewed once the injected clock has moved on by 10 minutes (it lasts 15). */
let adminSession = { token: '', at: -Infinity };
async function admin() {
  const now = clock.now().getTime();
  if (now - adminSession.at >= 10 * 60_000) adminSession = { token: await t.login(ADMIN.email, ADMIN.password), at: now };
  return adminSession.token;
}
const hourly = async (date: string) =>
  (await t.call(await admin(), { method: 'GET', url: api(`/coverage/hourly?locationId=${org.location.id}&from=${date}&to=${date}`) })).body.items;

beforeAll(async () => {
  t = await createTestApp({ clock });
  adminSession = { token: t.adminToken, at: clock.now().getTime() };
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
    // The Packing manager is not told about Bo, who is in Picking; an admin is told who is missing.
    expect(hour9.employeeIds).toEqual([]);
    const byAdmin = await t.call(t.adminToken, { method: 'GET', url: api(`/coverage/alerts?locationId=${org.location.id}`) });
    const hour9ForAdmin = byAdmin.body.items.find((a: any) => a.id === hour9.id);
    expect(hour9ForAdmin.message).toBe('Leeds DC, Mon 09:00-10:00: 1 of 2 required on the floor, 1 short for 1 h; scheduled but not clocked in: Bo Picker');
    expect(hour9ForAdmin.employeeIds).toEqual([org.colleague.id]);
    // Time off for Bo at 14:00-16:00 makes the future hours short by the schedule.
    const off = await t.call(t.adminToken, { method: 'POST', url: api('/adjustments'), payload: { employeeId: org.colleague.id, kind: 'time_off', start: '2026-03-02T14:00:00Z', end: '2026-03-02T16:00:00Z', reason: 'appointment' } });
    expect(off.body.status).toBe('approved');
    await drain();
    const later = await t.call(t.adminToken, { method: 'GET', url: api(`/coverage/alerts?locationId=${org.location.id}`) });
    const hour14 = later.body.items.find((a: any) => a.id === `understaffed:${org.location.id}:2026-03-02T14:00:00.000Z`);
    expect(hour14.message).toBe('Leeds DC, Mon 14:00-15:00: 1 of 2 required scheduled, 1 short for 1 h');
    expect(hour14.employeeIds).toEqual([org.employee.id]); // ahead: who the schedule has there
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

  it('warns of overtime this week with the projected figure (weekly labour rule)', async () => {
    // Ada: 3 h 30 min worked since 08:30, 4 h left today and 4 x 7 h 30 min Tuesday to Friday: 37 h 30 min.
    const rules = (maxWeeklyMinutes: number) => t.call(t.adminToken, { method: 'PUT', url: api(`/locations/${org.location.id}/labour-rules`), payload: { maxDailyMinutes: 600, maxWeeklyMinutes, minRestMinutes: 660 } });
    expect((await rules(36 * 60)).status).toBe(200);
    const alerts = await t.call(t.adminToken, { method: 'GET', url: api(`/coverage/alerts?locationId=${org.location.id}`) });
    const weekly = alerts.body.items.find((a: any) => a.id === `overtime_risk:${org.employee.id}:week-2026-03-02`);
    expect(weekly).toMatchObject({
      kind: 'overtime_risk',
      severity: 'high',
      employeeIds: [org.employee.id],
      from: '2026-03-02T12:00:00+00:00',
      to: '2026-03-06T16:00:00+00:00',
      message: 'Ada Employee will reach 37 h 30 min this week, 1 h 30 min over the 36 h weekly limit: 3 h 30 min worked, 34 h still scheduled.',
    });
    // Within the daily limit (7 h 30 min of 10 h): no daily alert for her.
    expect(alerts.body.items.some((a: any) => a.id === `overtime_risk:${org.employee.id}:2026-03-02`)).toBe(false);
    await rules(2400);
    const later = await t.call(t.adminToken, { method: 'GET', url: api(`/coverage/alerts?locationId=${org.location.id}`) });
    expect(later.body.items.some((a: any) => a.id === weekly.id)).toBe(false);
  });

  it('a clock-out punched at another site closes the shift where it began', async () => {
    // Ada clocked in at Leeds at 08:30 and clocks out at 11:00 on the Mumbai kiosk (reported at 12:00).
    await drain(); // nothing else pending for Leeds: only the clock-out can change its hours
    expect((await hourly('2026-03-02'))[11]).toMatchObject({ staffed: 1 });
    const out = await t.call(t.adminToken, { method: 'POST', url: api('/clock-events'), payload: { id: randomUUID(), employeeId: org.employee.id, kind: 'clock_out', at: '2026-03-02T11:00:00Z', locationId: org.otherLocation.id } });
    expect(out.status).toBe(201);
    await drain();
    const leeds = await hourly('2026-03-02');
    expect(leeds[10]).toMatchObject({ staffed: 1 });
    expect(leeds[11]).toMatchObject({ staffed: 0, minStaffed: 0 });
    const incremental = await snapshot();
    await t.wf.coverage.rebuild();
    expect(await snapshot()).toEqual(incremental);
  });

  it('overstaffed hours say for how long and who; a new time zone moves every hour of the location', async () => {
    const post = async (url: string, payload: object) => (await t.call(t.adminToken, { method: 'POST', url: api(url), payload })).body;
    const site = await post('/locations', { name: 'Overflow', timezone: 'Europe/London' });
    const dept = await post('/departments', { name: 'Overflow crew', locationId: site.id });
    const crew = [];
    for (const name of ['Dee One', 'Eli Two', 'Fay Three', 'Gus Four']) crew.push(await post('/employees', { name, departmentId: dept.id, locationId: site.id }));
    for (const person of crew.slice(0, 3)) {
      await t.call(t.adminToken, { method: 'PUT', url: api(`/employees/${person.id}/contracts`), payload: { effectiveFrom: '2026-02-01', pattern: [{ weekday: 1, start: '17:00', end: '18:00', locationId: site.id }] } });
    }
    // Four on the floor from 10:00 to 10:45 with nobody required.
    for (const person of crew) {
      for (const [kind, at] of [['clock_in', '2026-03-02T10:00:00Z'], ['clock_out', '2026-03-02T10:45:00Z']]) {
        const r = await t.call(t.adminToken, { method: 'POST', url: api('/clock-events'), payload: { id: randomUUID(), employeeId: person.id, kind, at } });
        expect(r.status).toBe(201);
      }
    }
    await drain();
    const alerts = (await t.call(t.adminToken, { method: 'GET', url: api(`/coverage/alerts?locationId=${site.id}`) })).body.items;
    const past = alerts.find((a: any) => a.id === `overstaffed:${site.id}:2026-03-02T10:00:00.000Z`);
    expect(past.message).toBe('Overflow, Mon 10:00-11:00: 3 on the floor for 0 required, 3 more than needed for 45 min');
    expect([...past.employeeIds].sort()).toEqual(crew.map((p) => p.id).sort());
    const ahead = alerts.find((a: any) => a.id === `overstaffed:${site.id}:2026-03-02T17:00:00.000Z`);
    expect(ahead.message).toBe('Overflow, Mon 17:00-18:00: 3 scheduled for 0 required, 3 more than needed for 1 h');
    expect([...ahead.employeeIds].sort()).toEqual(crew.slice(0, 3).map((p) => p.id).sort());

    // The site was in the wrong zone: every hour moves by 5 h 30 min, and no London hour is left behind.
    expect((await t.call(t.adminToken, { method: 'PATCH', url: api(`/locations/${site.id}`), payload: { timezone: 'Asia/Kolkata' } })).status).toBe(200);
    await drain();
    const [counts] = await queryRows<{ n: number; london: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n, count(*) FILTER (WHERE extract(minute FROM hour_start) = 0)::int AS london FROM coverage_hourly WHERE location_id = ${site.id}`,
    );
    expect(counts!.n).toBeGreaterThan(24 * 40);
    expect(counts!.london).toBe(0);
    const day = (await t.call(t.adminToken, { method: 'GET', url: api(`/coverage/hourly?locationId=${site.id}&from=2026-03-02&to=2026-03-02`) })).body;
    expect(day.items.map((h: any) => h.localHour)).toEqual([...Array(24).keys()]);
    expect(day.items[15]).toMatchObject({ hourStart: '2026-03-02T15:00:00+05:30', staffed: 2 }); // 09:30-10:30 UTC: four people for half of it
    const incremental = await snapshot();
    await t.wf.coverage.rebuild();
    expect(await snapshot()).toEqual(incremental);
    // Out of the way of the property test below, whose rebuilds then cover two locations.
    expect((await t.call(t.adminToken, { method: 'DELETE', url: api(`/locations/${site.id}`) })).status).toBeLessThan(300);
  });

  it('rebuilding is for admins and for API keys with coverage:write only', async () => {
    const key = async (scopes: string[]) => (await t.call(t.adminToken, { method: 'POST', url: api('/api-keys'), payload: { name: scopes.join(' '), scopes } })).body.key as string;
    const withKey = async (scopes: string[]) => (await t.call(undefined, { method: 'POST', url: api('/coverage/rebuild'), headers: { 'x-api-key': await key(scopes) } })).status;
    expect((await t.call(org.managerToken, { method: 'POST', url: api('/coverage/rebuild') })).status).toBe(403);
    expect(await withKey(['coverage:read'])).toBe(403);
    expect(await withKey(['clock:write'])).toBe(403);
    expect(await withKey(['coverage:write'])).toBe(200);
    expect((await t.call(t.adminToken, { method: 'POST', url: api('/coverage/rebuild') })).status).toBe(200);
  });

  it("a rebuild waits for the consumer's batch in progress and keeps its fresher rows", async () => {
    // Meaningful on PostgreSQL, where the two run on two connections (PGlite has one, so it serialises
    // them anyway). Wednesday 10:00 needs 5 by a change whose event is still to come, then 7 by the
    // batch in progress. Without the consumer's lock the rebuild reads 5, waits for the batch's row,
    // and then writes its 5 over the batch's 7.
    const hourStart = Date.parse('2026-03-04T10:00:00Z');
    await t.database.db.execute(sql`INSERT INTO demand_overrides (location_id, date, hour, required) VALUES (${org.location.id}, '2026-03-04', 10, 5)`);
    let rebuilt: Promise<unknown> | undefined;
    await t.database.db.transaction(async (tx) => {
      // As the consumer does for each batch: its lock, then the change and its rows.
      const [lock] = await queryRows<{ locked: boolean }>(tx, sql`SELECT pg_try_advisory_xact_lock(hashtext('consumer:coverage')) AS locked`);
      expect(lock!.locked).toBe(true);
      await tx.execute(sql`UPDATE demand_overrides SET required = 7 WHERE location_id = ${org.location.id} AND date = '2026-03-04' AND hour = 10`);
      await t.wf.coverage.recompute(tx, [{ locationId: org.location.id, fromMs: hourStart, toMs: hourStart + H }], clock.now().getTime());
      rebuilt = t.wf.coverage.rebuild();
      // The batch commits only once the rebuild waits for it: for the lock, or (without it) for the row.
      for (let waited = 0; usingPostgres(); waited += 20) {
        const [waiting] = await queryRows<{ n: number }>(
          tx,
          sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
        );
        if (waiting!.n > 0) break;
        if (waited > 20_000) throw new Error('the rebuild never waited for the batch');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    await rebuilt;
    expect((await hourly('2026-03-04'))[10]).toMatchObject({ required: 7 });
    await t.database.db.execute(sql`DELETE FROM demand_overrides WHERE location_id = ${org.location.id} AND date = '2026-03-04'`);
    await t.wf.coverage.rebuild();
    expect((await hourly('2026-03-04'))[10]).toMatchObject({ required: 2 });
  });

  it('the window moves with the clock: days come into reach, elapsed hours are judged on who came, also after a restart', async () => {
    // Rows reach two weeks ahead of the clock, to the hour.
    const reach = async () => {
      const far = clock.now().getTime() + 14 * 24 * H;
      const items = await hourly(new Date(far).toISOString().slice(0, 10));
      return Date.parse(items.at(-1).hourEnd) - far;
    };
    expect(await reach()).toBeGreaterThanOrEqual(0);
    // Tuesday 09:00 was ahead (2 scheduled for 2 required: fine) when the table was built on Monday.
    expect((await hourly('2026-03-03'))[9]).toMatchObject({ scheduled: 2, staffed: 0, status: 'ok' });
    // Three days of uptime later, ticks have brought new days in and judged Tuesday on the punches: nobody came.
    for (let i = 0; i < 3; i++) {
      clock.advance(24 * H);
      await t.wf.coverage.tick();
    }
    expect(await reach()).toBeGreaterThanOrEqual(0);
    expect((await hourly('2026-03-03'))[9]).toMatchObject({ scheduled: 2, staffed: 0, shortMinutes: 60, status: 'understaffed' });
    let incremental = await snapshot();
    await t.wf.coverage.rebuild();
    expect(await snapshot()).toEqual(incremental);

    // Then two days with no process running: a start-up catches up before the consumers start.
    clock.advance(2 * 24 * H + 5 * H);
    const restarted = await createTestApp({ clock, database: t.database });
    try {
      await restarted.wf.startBackground();
      await Promise.all(restarted.wf.consumers.map((c) => c.stop()));
    } finally {
      await restarted.close();
    }
    expect(await reach()).toBeGreaterThanOrEqual(0);
    expect((await hourly('2026-03-06'))[9]).toMatchObject({ scheduled: 2, staffed: 0, shortMinutes: 60, status: 'understaffed' });
    incremental = await snapshot();
    await t.wf.coverage.rebuild();
    expect(await snapshot()).toEqual(incremental);
  });

  it('incremental equals rebuild after random punches (late, out of order, corrected, at either site), adjustments, contracts, holidays and demand at two locations, with the clock moving', async () => {
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const minute = fc.integer({ min: 0, max: 59 });
    const op = fc.oneof(
      fc.record({ kind: fc.constant('punch' as const), who: fc.integer({ min: 0, max: 2 }), minutesAgo: fc.integer({ min: 0, max: 60 * 70 }), site: fc.integer({ min: 0, max: 1 }) }),
      fc.record({ kind: fc.constant('timeoff' as const), who: fc.integer({ min: 0, max: 2 }), startH: fc.integer({ min: -60, max: 48 }), lengthH: fc.integer({ min: 1, max: 10 }) }),
      fc.record({ kind: fc.constant('demand' as const), site: fc.integer({ min: 0, max: 1 }), hour: fc.integer({ min: 0, max: 23 }), required: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ kind: fc.constant('correct' as const), who: fc.integer({ min: 0, max: 2 }), minutesAgo: fc.integer({ min: 1, max: 60 * 48 }) }),
      fc.record({
        kind: fc.constant('contract' as const),
        who: fc.integer({ min: 0, max: 2 }),
        fromDays: fc.integer({ min: -3, max: 6 }),
        weekdays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
        startHour: fc.integer({ min: 0, max: 14 }),
        startMinute: minute,
        lengthH: fc.integer({ min: 1, max: 9 }),
        site: fc.integer({ min: 0, max: 1 }),
      }),
      fc.record({ kind: fc.constant('holiday' as const), site: fc.integer({ min: 0, max: 1 }), inDays: fc.integer({ min: -3, max: 7 }), remove: fc.boolean() }),
      fc.record({ kind: fc.constant('advance' as const), minutes: fc.integer({ min: 1, max: 30 * 60 }) }),
      fc.record({ kind: fc.constant('tick' as const) }),
    );
    const sites = [org.location.id, org.otherLocation.id];
    // Chandra works in Mumbai (a +05:30 zone, so its hours start at :30 UTC).
    const people = [org.employee.id, org.colleague.id, org.outsider.id];
    await t.call(await admin(), {
      method: 'PUT',
      url: api(`/employees/${org.outsider.id}/contracts`),
      payload: { effectiveFrom: '2026-02-01', pattern: [1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '09:00', end: '17:30', locationId: org.otherLocation.id, breakMinutes: 30 })) },
    });
    await t.call(await admin(), {
      method: 'PUT',
      url: api(`/locations/${org.otherLocation.id}/demand`),
      payload: { weekly: [1, 2, 3, 4, 5, 6].flatMap((weekday) => [9, 10, 11, 12, 13, 14, 15, 16].map((hour) => ({ weekday, hour, required: 1 }))) },
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 3, maxLength: 10 }), fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }), async (ops, drains) => {
        for (const [i, o] of ops.entries()) {
          const now = clock.now().getTime();
          if (o.kind === 'punch') {
            // The next valid kind for this person is found by trying: an invalid one is refused and changes nothing.
            const at = new Date(now - o.minutesAgo * 60_000).toISOString();
            for (const kind of ['clock_in', 'break_start', 'break_end', 'clock_out']) {
              const r = await t.call(await admin(), { method: 'POST', url: api('/clock-events'), payload: { id: randomUUID(), employeeId: people[o.who], kind, at, locationId: sites[o.site] } });
              if (r.status < 300) break;
            }
          } else if (o.kind === 'correct') {
            const list = await t.call(await admin(), { method: 'GET', url: api(`/clock-events?employeeId=${people[o.who]}&from=${day(now - 4 * 24 * H)}&to=${day(now + 24 * H)}`) });
            const target = list.body.items.filter((e: any) => !e.supersededBy && e.state === 'placed').at(-1);
            if (target) {
              await t.call(await admin(), {
                method: 'POST',
                url: api('/clock-events/corrections'),
                payload: { id: randomUUID(), employeeId: people[o.who], kind: target.kind, at: new Date(Date.parse(target.at) - o.minutesAgo * 1000).toISOString(), replaces: target.id, reason: 'property test' },
              });
            }
          } else if (o.kind === 'timeoff') {
            const start = now + o.startH * H;
            await t.call(await admin(), { method: 'POST', url: api('/adjustments'), payload: { employeeId: people[o.who], kind: 'time_off', start: new Date(start).toISOString(), end: new Date(start + o.lengthH * H).toISOString(), reason: 'property test' } });
          } else if (o.kind === 'demand') {
            const current = (await t.call(await admin(), { method: 'GET', url: api(`/locations/${sites[o.site]}/demand`) })).body;
            const weekly = current.weekly.filter((w: any) => w.hour !== o.hour).concat([1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, hour: o.hour, required: o.required })));
            await t.call(await admin(), { method: 'PUT', url: api(`/locations/${sites[o.site]}/demand`), payload: { weekly, overrides: current.overrides } });
          } else if (o.kind === 'contract') {
            const hhmm = (h: number, m: number) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
            const pattern = o.weekdays.map((weekday) => ({ weekday, start: hhmm(o.startHour, o.startMinute), end: hhmm(o.startHour + o.lengthH, o.startMinute), locationId: sites[o.site] }));
            const r = await t.call(await admin(), { method: 'PUT', url: api(`/employees/${people[o.who]}/contracts`), payload: { effectiveFrom: day(now + o.fromDays * 24 * H), pattern } });
            expect(r.status).toBe(200);
          } else if (o.kind === 'holiday') {
            const date = day(now + o.inDays * 24 * H);
            const existing = (await t.call(await admin(), { method: 'GET', url: api(`/holidays?locationId=${sites[o.site]}`) })).body.items;
            const there = existing.find((h: any) => h.date === date) ?? (o.remove ? existing[0] : undefined);
            if (there) await t.call(await admin(), { method: 'DELETE', url: api(`/holidays/${there.id}`) });
            else await t.call(await admin(), { method: 'POST', url: api('/holidays'), payload: { locationId: sites[o.site], date, name: 'Property day' } });
          } else if (o.kind === 'advance') {
            clock.advance(o.minutes * 60_000);
          } else {
            await t.wf.coverage.tick();
          }
          if (drains[i]) await drain(); // the consumer sees events in batches of varying size
        }
        await drain();
        await t.wf.coverage.tick(); // what the ticker does within the minute
        const incremental = await snapshot();
        await t.wf.coverage.rebuild();
        const rebuilt = await snapshot();
        expect(rebuilt).toEqual(incremental);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 12) },
    );
  }, 240_000);
});

describe('npm run coverage:rebuild', () => {
  it('rebuilds coverage in the configured database (PGlite in DATA_DIR), moves the consumer to the log head, and exits', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workfloor-coverage-rebuild-'));
    const pgliteDir = path.join(dir, 'pglite');
    const log = pino({ level: 'silent' });
    try {
      let database = await openDatabase({ pgliteDir, log });
      const app = await createTestApp({ database });
      const site = (await app.call(app.adminToken, { method: 'POST', url: api('/locations'), payload: { name: 'Script site', timezone: 'Asia/Kolkata' } })).body;
      await app.call(app.adminToken, { method: 'PUT', url: api(`/locations/${site.id}/demand`), payload: { weekly: [{ weekday: 1, hour: 9, required: 3 }] } });
      await app.close();
      await database.close();

      const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
      const run = await promisify(execFile)('npm', ['run', '-s', 'coverage:rebuild'], {
        cwd: root,
        env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '', LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '9' },
        timeout: 90_000,
      });
      expect(run.stdout).toMatch(/^Coverage rebuilt on pglite: \d+ hours changed at 1 locations in [\d.]+ s$/m);

      database = await openDatabase({ pgliteDir, log });
      try {
        const [rows] = await queryRows<{ n: number; required: number }>(
          database.db,
          sql`SELECT count(*)::int AS n, coalesce(max(required), 0)::int AS required FROM coverage_hourly WHERE location_id = ${site.id}`,
        );
        expect(rows!.n).toBeGreaterThan(24 * 48); // five weeks back, two ahead
        expect(rows!.required).toBe(3);
        const [offset] = await queryRows<{ tx_id: string; seq: number }>(database.db, sql`SELECT tx_id::text AS tx_id, seq::int AS seq FROM consumer_offsets WHERE name = 'coverage'`);
        // Everything the rebuild covered is behind the offset; after it come only the rebuild's own
        // coverage.updated events, which the consumer has nothing to do for.
        const after = await createEventLog({ db: database.db }).readAfter({ txId: offset!.tx_id, seq: Number(offset!.seq) }, 1_000);
        expect(after.length).toBeGreaterThan(0);
        expect(new Set(after.map((e) => e.type))).toEqual(new Set(['coverage.updated']));
      } finally {
        await database.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
