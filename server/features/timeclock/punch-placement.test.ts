import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../db/client.ts';
import { createTestApp, manualClock, seedSmallOrg, usingPostgres, type TestApp } from '../../testing/test-app.ts';

/**
 * How punches are placed when they do not arrive in order (offline devices), how corrections fit in,
 * who shows on a location's floor, import line numbers, and timesheets for people who have left.
 */

// Monday 2026-03-02 09:00 in London (UTC+0 in winter); Mumbai is UTC+05:30.
const clock = manualClock(new Date('2026-03-02T09:00:00Z'));
let t: TestApp;
let org: Awaited<ReturnType<typeof seedSmallOrg>>;
const api = (url: string) => `/api/v1${url}`;
const punch = (body: object) => t.call(t.adminToken, { method: 'POST', url: api('/clock-events'), payload: body });
const correct = (body: object) => t.call(t.adminToken, { method: 'POST', url: api('/clock-events/corrections'), payload: body });
const person = async (name: string, extra: object = {}) =>
  (await t.call(t.adminToken, { method: 'POST', url: api('/employees'), payload: { name, departmentId: org.packing.id, locationId: org.location.id, ...extra } })).body.id as string;
const punchesOf = async (employeeId: string) =>
  (await t.call(t.adminToken, { method: 'GET', url: api(`/clock-events?employeeId=${employeeId}&from=2026-02-27&to=2026-03-02`) })).body.items as any[];
const eventsOf = (entityId: string) =>
  queryRows<{ type: string; payload: any }>(t.database.db, sql`SELECT type, payload FROM events WHERE entity_id = ${entityId} ORDER BY seq`);
const shiftsOf = (employeeId: string) =>
  queryRows<{ clock_in_at: Date | string; clock_out_at: Date | string | null }>(t.database.db, sql`SELECT clock_in_at, clock_out_at FROM work_shifts WHERE employee_id = ${employeeId} ORDER BY clock_in_at`);
const instant = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

beforeAll(async () => {
  t = await createTestApp({ clock });
  org = await seedSmallOrg(t);
});
afterAll(() => t.close());

describe('out-of-order arrival', () => {
  it('a late clock-out that arrives before its clock-in waits as pending, and both count once the clock-in comes', async () => {
    const eli = await person('Eli Offline');
    const out = await punch({ id: randomUUID(), employeeId: eli, kind: 'clock_out', at: '2026-03-02T08:30:00Z', source: 'kiosk' });
    expect(out.status).toBe(202);
    expect(out.body.state).toBe('pending');
    expect(await shiftsOf(eli)).toEqual([]);
    const clockIn = await punch({ id: randomUUID(), employeeId: eli, kind: 'clock_in', at: '2026-03-02T07:00:00Z', source: 'kiosk' });
    expect(clockIn.status).toBe(201);
    expect((await punchesOf(eli)).map((p) => [p.kind, p.state])).toEqual([
      ['clock_in', 'placed'],
      ['clock_out', 'placed'],
    ]);
    expect((await shiftsOf(eli)).map((s) => [instant(s.clock_in_at), instant(s.clock_out_at)])).toEqual([['2026-03-02T07:00:00.000Z', '2026-03-02T08:30:00.000Z']]);
    // Coverage and the floor learn that the clock-out now counts.
    expect((await eventsOf(out.body.id)).map((e) => [e.type, e.payload.placedBy ?? null])).toEqual([
      ['clock_event.recorded', null],
      ['clock_event.placed', clockIn.body.id],
    ]);
  });

  it('a live punch (at about now) that does not fit is still refused with its code', async () => {
    const fin = await person('Fin Live');
    const res = await punch({ id: randomUUID(), employeeId: fin, kind: 'clock_out' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('NOT_CLOCKED_IN');
    const justNow = await punch({ id: randomUUID(), employeeId: fin, kind: 'break_start', at: '2026-03-02T08:59:00Z' });
    expect(justNow.body.error.code).toBe('NOT_CLOCKED_IN');
    expect(await punchesOf(fin)).toEqual([]);
  });
});

describe('corrections', () => {
  it('a missed punch that does not fit the timeline is refused with 409, and nothing is stored', async () => {
    const cy = await person('Cy Corrected');
    expect((await punch({ id: randomUUID(), employeeId: cy, kind: 'clock_in', at: '2026-03-02T07:00:00Z' })).status).toBe(201);
    const clockOut = await punch({ id: randomUUID(), employeeId: cy, kind: 'clock_out', at: '2026-03-02T08:00:00Z' });
    expect(clockOut.status).toBe(201);
    const id = randomUUID();
    const res = await correct({ id, employeeId: cy, kind: 'clock_out', at: '2026-03-02T07:30:00Z', reason: 'left early' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'PUNCH_CONFLICT', details: { conflictsWith: clockOut.body.id } });
    const inside = await correct({ id: randomUUID(), employeeId: cy, kind: 'clock_in', at: '2026-03-02T07:30:00Z', reason: 'second badge' });
    expect(inside.status).toBe(409);
    expect(inside.body.error.code).toBe('ALREADY_CLOCKED_IN');
    expect((await punchesOf(cy)).map((p) => p.kind)).toEqual(['clock_in', 'clock_out']);
    expect(await eventsOf(id)).toEqual([]);
  });

  it('a missed clock-in places the pending clock-out it completes, with its event; a retry answers the original', async () => {
    const dana = await person('Dana Forgot');
    const pendingOut = await punch({ id: randomUUID(), employeeId: dana, kind: 'clock_out', at: '2026-03-02T08:30:00Z' });
    expect(pendingOut.status).toBe(202);
    const body = { id: randomUUID(), employeeId: dana, kind: 'clock_in', at: '2026-03-02T06:55:00Z', reason: 'badge reader was down' };
    const first = await correct(body);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ state: 'placed', source: 'correction', correctionOf: null, reason: 'badge reader was down' });
    expect((await punchesOf(dana)).map((p) => [p.kind, p.state])).toEqual([
      ['clock_in', 'placed'],
      ['clock_out', 'placed'],
    ]);
    expect((await shiftsOf(dana)).map((s) => [instant(s.clock_in_at), instant(s.clock_out_at)])).toEqual([['2026-03-02T06:55:00.000Z', '2026-03-02T08:30:00.000Z']]);
    expect((await eventsOf(pendingOut.body.id)).map((e) => e.type)).toEqual(['clock_event.recorded', 'clock_event.placed']);

    const again = await correct(body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await eventsOf(body.id)).map((e) => e.type)).toEqual(['clock_event.corrected']);
    expect(await punchesOf(dana)).toHaveLength(2);
    const other = await correct({ ...body, at: '2026-03-02T06:50:00Z' });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it("the lock on the punch being moved is judged in that punch's location's zone", async () => {
    // Saturday 20:00 UTC is Saturday in London but already Sunday 01:30 in Mumbai.
    const gil = await person('Gil Travels');
    const clockIn = await punch({ id: randomUUID(), employeeId: gil, kind: 'clock_in', at: '2026-02-28T20:00:00Z', locationId: org.otherLocation.id });
    expect(clockIn.status).toBe(201);
    expect((await punch({ id: randomUUID(), employeeId: gil, kind: 'clock_out', at: '2026-02-28T22:00:00Z', locationId: org.otherLocation.id })).status).toBe(201);
    const lock = await t.call(t.adminToken, { method: 'POST', url: api('/timesheets/locks'), payload: { locationId: org.otherLocation.id, from: '2026-03-01', to: '2026-03-01' } });
    expect(lock.status).toBe(201);
    // Moved to London on Saturday (not locked there): the original's Sunday in Mumbai is locked.
    const res = await correct({ id: randomUUID(), employeeId: gil, kind: 'clock_in', at: '2026-02-28T19:00:00Z', locationId: org.location.id, replaces: clockIn.body.id, reason: 'started earlier' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('PERIOD_LOCKED');
    expect((await punchesOf(gil)).find((p) => p.id === clockIn.body.id).supersededBy).toBeNull();
  });
});

describe('a punch id reused for another employee at the same moment', () => {
  it('the second insert finds the id taken: 422, and no shift or event is written for it', async () => {
    const first = await person('Hana First');
    const second = await person('Ian Second');
    const id = randomUUID();
    let request: ReturnType<typeof punch> | undefined;
    // The first punch is written but not committed yet when the second (another employee, so another
    // clock lock) checks the id: on PostgreSQL the second's insert then waits on the first's row.
    await t.database.db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO punches (id, employee_id, location_id, kind, at, source, request_hash, recorded_at, state)
        VALUES (${id}, ${first}, ${org.location.id}, 'clock_in', ${clock.now().toISOString()}, 'test', 'x', now(), 'placed')`);
      request = punch({ id, employeeId: second, kind: 'clock_in' });
      if (usingPostgres()) {
        const deadline = Date.now() + 10_000;
        for (;;) {
          const [row] = await queryRows<{ n: number }>(
            t.database.db,
            sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE 'insert into "punches"%'`,
          );
          if (row!.n > 0 || Date.now() > deadline) break;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    });
    const res = await request!;
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await shiftsOf(second)).toEqual([]);
    expect(await eventsOf(id)).toEqual([]);
    const [row] = await queryRows<{ employee_id: string }>(t.database.db, sql`SELECT employee_id FROM punches WHERE id = ${id}`);
    expect(row!.employee_id).toBe(first);
  });
});

describe('live floor', () => {
  it('lists people scheduled or clocked in at the location whatever their home location', async () => {
    // Two people of Mumbai lent to Leeds today: one clocked in there, one late.
    const lent = await person('Kai Lent', { departmentId: org.mumbaiOps.id, locationId: org.otherLocation.id });
    const late = await person('Lou Lent', { departmentId: org.mumbaiOps.id, locationId: org.otherLocation.id });
    for (const id of [lent, late]) {
      const contract = await t.call(t.adminToken, {
        method: 'PUT',
        url: api(`/employees/${id}/contracts`),
        payload: { effectiveFrom: '2026-03-01', pattern: [{ weekday: 1, start: '08:00', end: '16:00', locationId: org.location.id, breakMinutes: 30 }] },
      });
      expect(contract.status).toBeLessThan(300);
    }
    expect((await punch({ id: randomUUID(), employeeId: lent, kind: 'clock_in', locationId: org.location.id })).status).toBe(201);
    const floor = await t.call(t.adminToken, { method: 'GET', url: api(`/live?locationId=${org.location.id}`) });
    expect(floor.status).toBe(200);
    expect(floor.body.items.find((i: any) => i.employeeId === lent)).toMatchObject({
      status: 'on_shift',
      locationId: org.location.id,
      scheduled: { start: '2026-03-02T08:00:00+00:00', end: '2026-03-02T16:00:00+00:00' },
    });
    expect(floor.body.items.find((i: any) => i.employeeId === late)).toMatchObject({ status: 'late', locationId: org.location.id });
    // Not on their home location's floor, where they are neither scheduled nor clocked in.
    const home = await t.call(t.adminToken, { method: 'GET', url: api(`/live?locationId=${org.otherLocation.id}`) });
    expect(home.body.items.some((i: any) => i.employeeId === lent || i.employeeId === late)).toBe(false);
    // A manager of Packing at Leeds manages neither their department nor the location as a whole.
    const manager = await t.call(org.managerToken, { method: 'GET', url: api(`/live?locationId=${org.location.id}`) });
    expect(manager.body.items.some((i: any) => i.employeeId === lent)).toBe(false);
  });
});

describe('import line numbers', () => {
  it('reports the line a bad row starts on, past blank lines and multi-line quoted cells (LF and CRLF)', async () => {
    const mo = await person('Mo Imported');
    await t.call(t.adminToken, { method: 'PATCH', url: api(`/employees/${mo}`), payload: { externalIds: { payroll: 'P-9' } } });
    const lines = [
      'Payroll,Action,Time,Note', // 1
      'P-9,Clock In,2026-03-02T05:00:00Z,ok', // 2
      '', // 3
      'P-9,Clock Out,2026-03-02T05:30:00Z,"two', // 4
      'lines"', // 5
      'NOPE,Clock In,2026-03-02T07:00:00Z,x', // 6
      'P-9,dance,2026-03-02T07:10:00Z,"a', // 7
      'b"', // 8
    ];
    const upload = async (file: string) => (await t.importPunches(t.adminToken, file, { employee: 'Payroll', match: 'payroll', kind: 'Action', at: 'Time' })).body;
    const lf = await upload(lines.join('\n'));
    expect(lf).toMatchObject({ rows: 4, accepted: 2 });
    expect(lf.errors.map((e: any) => e.line)).toEqual([6, 7]);
    const crlf = await upload(lines.join('\r\n'));
    expect(crlf).toMatchObject({ rows: 4, accepted: 0, replayed: 2 });
    expect(crlf.errors.map((e: any) => e.line)).toEqual([6, 7]);
  });
});

describe('timesheets for payroll', () => {
  it('keeps people deactivated since for the periods they worked, and exports overtime and the difference from the schedule', async () => {
    const department = (await t.call(t.adminToken, { method: 'POST', url: api('/departments'), payload: { name: 'Payroll check', locationId: org.location.id } })).body.id as string;
    const jo = await person('Jo Scheduled', { departmentId: department });
    const ivy = await person('Ivy Left', { departmentId: department });
    await t.call(t.adminToken, {
      method: 'PUT',
      url: api(`/employees/${jo}/contracts`),
      payload: { effectiveFrom: '2026-02-23', pattern: [{ weekday: 6, start: '06:00', end: '14:00', locationId: org.location.id, breakMinutes: 0 }] },
    });
    for (const id of [jo, ivy]) {
      expect((await punch({ id: randomUUID(), employeeId: id, kind: 'clock_in', at: '2026-02-28T06:00:00Z' })).status).toBe(201);
      expect((await punch({ id: randomUUID(), employeeId: id, kind: 'clock_out', at: '2026-02-28T15:30:00Z' })).status).toBe(201);
    }
    expect((await t.call(t.adminToken, { method: 'DELETE', url: api(`/employees/${ivy}`) })).status).toBe(200);

    const sheet = await t.call(t.adminToken, { method: 'GET', url: api(`/timesheets?from=2026-02-28&to=2026-02-28&departmentId=${department}`) });
    expect(sheet.status).toBe(200);
    const row = (id: string) => sheet.body.items.find((i: any) => i.employeeId === id);
    expect(row(ivy)).toMatchObject({ workedMinutes: 570, overtimeMinutes: 90 });
    expect(row(jo)).toMatchObject({ workedMinutes: 570, overtimeMinutes: 90, scheduledMinutes: 480, differenceMinutes: 90 });
    const alone = await t.call(t.adminToken, { method: 'GET', url: api(`/timesheets?from=2026-02-28&to=2026-02-28&employeeId=${ivy}`) });
    expect(alone.status).toBe(200);
    expect(alone.body.items.map((i: any) => i.workedMinutes)).toEqual([570]);
    // A period the deactivated person did not work in does not list them.
    const before = await t.call(t.adminToken, { method: 'GET', url: api(`/timesheets?from=2026-02-23&to=2026-02-27&departmentId=${department}`) });
    expect(before.body.items.map((i: any) => i.employeeId)).toEqual([jo]);

    const csv = await t.app.inject({ method: 'GET', url: api(`/timesheets.csv?from=2026-02-28&to=2026-02-28&departmentId=${department}`), headers: { authorization: `Bearer ${t.adminToken}` } });
    const [header, ...rows] = csv.body.trim().split('\r\n').map((l) => l.split(','));
    const col = (name: string) => header!.indexOf(name);
    const of = (id: string, type: string) => rows.find((r) => r[0] === id && r[col('row_type')] === type)!;
    expect(of(jo, 'shift')[col('worked_minutes')]).toBe('570');
    expect([of(jo, 'total')[col('overtime_minutes')], of(jo, 'total')[col('scheduled_minutes')], of(jo, 'total')[col('difference_minutes')]]).toEqual(['90', '480', '90']);
    expect(of(ivy, 'shift')[col('clock_in')]).toBe('2026-02-28T06:00:00+00:00');
    expect([of(ivy, 'total')[col('worked_minutes')], of(ivy, 'total')[col('overtime_minutes')], of(ivy, 'total')[col('difference_minutes')]]).toEqual(['570', '90', '570']);
  });
});
