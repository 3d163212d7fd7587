import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../db/client.ts';
import { ADMIN, createTestApp, manualClock, seedSmallOrg, type TestApp } from '../../testing/test-app.ts';
import { systemActor } from '../../events/event-log.ts';
import { createBatcher } from '../../lib/batcher.ts';
import { csvCell } from './timeclock.service.ts';
import * as repo from './timeclock.repository.ts';

// Monday 2026-03-02 09:00 in London (UTC+0 in winter).
const clock = manualClock(new Date('2026-03-02T09:00:00Z'));
let t: TestApp;
let org: Awaited<ReturnType<typeof seedSmallOrg>>;
const api = (url: string) => `/api/v1${url}`;
const punch = (token: string, body: object) => t.call(token, { method: 'POST', url: api('/clock-events'), payload: body });
const count = async (employeeId: string) =>
  (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM punches WHERE employee_id = ${employeeId}`))[0]!.n;

beforeAll(async () => {
  t = await createTestApp({ clock });
  org = await seedSmallOrg(t);
  for (const employeeId of [org.employee.id, org.colleague.id]) {
    await t.call(t.adminToken, {
      method: 'PUT',
      url: api(`/employees/${employeeId}/contracts`),
      payload: { effectiveFrom: '2026-03-01', pattern: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '08:00', end: '16:00', locationId: org.location.id, breakMinutes: 30 })) },
    });
  }
});
afterAll(() => t.close());

/** Access tokens last 15 minutes: after moving the clock on, sign in again. */
async function refreshTokens() {
  t.adminToken = await t.login(ADMIN.email, ADMIN.password);
  org.managerToken = await t.login('manager@test.example', org.password);
  org.employeeToken = await t.login('ada@test.example', org.password);
}

describe('punches', () => {
  it('is idempotent by client id: same body 200 with the original, another body 422, nothing new stored', async () => {
    const body = { id: randomUUID(), employeeId: org.employee.id, kind: 'clock_in', at: '2026-03-02T07:58:00Z' };
    const first = await punch(org.employeeToken, body);
    expect(first.status).toBe(201);
    const again = await punch(org.employeeToken, body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const other = await punch(org.employeeToken, { ...body, at: '2026-03-02T08:01:00Z' });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await count(org.employee.id)).toBe(1);
  });

  it('refuses invalid transitions with a code that says which', async () => {
    // Live punches (no `at`: the server's 09:00) are refused; a late one that does not fit waits as pending (see punch-placement.test.ts).
    const p = (kind: string, at?: string) => punch(org.employeeToken, { id: randomUUID(), employeeId: org.employee.id, kind, at });
    expect((await p('clock_in')).body.error.code).toBe('ALREADY_CLOCKED_IN');
    expect((await p('break_end')).body.error.code).toBe('NOT_ON_BREAK');
    expect((await p('break_start', '2026-03-02T08:30:00Z')).status).toBe(201);
    expect((await p('break_start')).body.error.code).toBe('ALREADY_ON_BREAK');
    expect((await p('break_end', '2026-03-02T08:45:00Z')).status).toBe(201);
    const colleague = await punch(t.adminToken, { id: randomUUID(), employeeId: org.colleague.id, kind: 'clock_out' });
    expect(colleague.status).toBe(409);
    expect(colleague.body.error.code).toBe('NOT_CLOCKED_IN');
  });

  it('refuses punches more than 2 minutes ahead, or older than the offline window', async () => {
    const future = await punch(org.employeeToken, { id: randomUUID(), employeeId: org.employee.id, kind: 'break_start', at: '2026-03-02T09:03:00Z' });
    expect(future.status).toBe(422);
    expect(future.body.error.code).toBe('PUNCH_IN_FUTURE');
    const old = await punch(org.employeeToken, { id: randomUUID(), employeeId: org.employee.id, kind: 'clock_in', at: '2026-02-20T08:00:00Z' });
    expect(old.body.error.code).toBe('PUNCH_TOO_OLD');
  });

  it('who may punch: employees for themselves only, managers in scope, API keys with clock:write', async () => {
    expect((await punch(org.employeeToken, { id: randomUUID(), employeeId: org.colleague.id, kind: 'clock_in' })).status).toBe(404);
    expect((await punch(org.managerToken, { id: randomUUID(), employeeId: org.outsider.id, kind: 'clock_in' })).status).toBe(404);
    const readKey = await t.call(t.adminToken, { method: 'POST', url: api('/api-keys'), payload: { name: 'reader', scopes: ['clock:read'] } });
    const denied = await t.app.inject({ method: 'POST', url: api('/clock-events'), headers: { 'x-api-key': readKey.body.key }, payload: { id: randomUUID(), employeeId: org.outsider.id, kind: 'clock_in' } });
    expect(denied.statusCode).toBe(403);
    const writeKey = await t.call(t.adminToken, { method: 'POST', url: api('/api-keys'), payload: { name: 'terminal', scopes: ['clock:write'] } });
    const ok = await t.app.inject({ method: 'POST', url: api('/clock-events'), headers: { 'x-api-key': writeKey.body.key }, payload: { id: randomUUID(), employeeId: org.outsider.id, kind: 'clock_in' } });
    expect(ok.statusCode).toBe(201);
    expect(JSON.parse(ok.body).source).toBe('api');
  });

  it('20 identical requests at once store one punch; 50 different clock-ins at once: exactly one succeeds', async () => {
    const body = { id: randomUUID(), employeeId: org.colleague.id, kind: 'clock_in', at: '2026-03-02T08:00:00Z' };
    const same = await Promise.all(Array.from({ length: 20 }, () => punch(t.adminToken, body)));
    expect(same.filter((r) => r.status === 201)).toHaveLength(1);
    expect(same.filter((r) => r.status === 200)).toHaveLength(19);
    await punch(t.adminToken, { id: randomUUID(), employeeId: org.colleague.id, kind: 'clock_out', at: '2026-03-02T08:30:00Z' });
    // Live clock-ins (at the server's time): a late one that does not fit would wait as pending instead.
    const racing = await Promise.all(Array.from({ length: 50 }, () => punch(t.adminToken, { id: randomUUID(), employeeId: org.colleague.id, kind: 'clock_in' })));
    expect(racing.filter((r) => r.status === 201)).toHaveLength(1);
    expect(racing.filter((r) => r.status === 409)).toHaveLength(49);
    expect(racing.filter((r) => r.status === 409).every((r) => r.body.error.code === 'ALREADY_CLOCKED_IN')).toBe(true);
    const open = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM work_shifts WHERE employee_id = ${org.colleague.id} AND clock_out_at IS NULL`);
    expect(open[0]!.n).toBe(1);

    // Live clock-outs at once: all read the same open shift, and the clock's version lets one write.
    const outIds = Array.from({ length: 20 }, () => randomUUID());
    const outs = await Promise.all(outIds.map((id) => punch(t.adminToken, { id, employeeId: org.colleague.id, kind: 'clock_out' })));
    expect(outs.filter((r) => r.status === 201)).toHaveLength(1);
    expect(outs.filter((r) => r.status === 409).every((r) => r.body.error.code === 'NOT_CLOCKED_IN')).toBe(true);
    const [stored] = await queryRows<{ outs: number; open: number; closedBy: string }>(t.database.db, sql`
      SELECT (SELECT count(*)::int FROM punches WHERE id = ANY(${`{${outIds.join(',')}}`}::uuid[])) AS outs,
             (SELECT count(*)::int FROM work_shifts WHERE employee_id = ${org.colleague.id} AND clock_out_at IS NULL) AS open,
             (SELECT clock_out_punch_id::text FROM work_shifts WHERE employee_id = ${org.colleague.id} ORDER BY clock_in_at DESC LIMIT 1) AS "closedBy"`);
    expect(stored).toEqual({ outs: 1, open: 0, closedBy: outs.find((r) => r.status === 201)!.body.id });
    // Back on shift, as the tests below expect.
    expect((await punch(t.adminToken, { id: randomUUID(), employeeId: org.colleague.id, kind: 'clock_in' })).status).toBe(201);
  });

  it('a live write whose clock moved since its read (another write for the person committed) writes nothing', async () => {
    const person = await t.call(t.adminToken, { method: 'POST', url: api('/employees'), payload: { name: 'Vera Version', departmentId: org.packing.id, locationId: org.location.id } });
    const at = clock.now();
    const row = (id: string) => ({
      id, employeeId: person.body.id, locationId: org.location.id, kind: 'clock_in' as const, at, source: 'web', requestHash: 'h', recordedAt: at,
      recordedBy: 'Test', correctionOf: null, supersededBy: null, reason: null, state: 'placed' as const,
    });
    const event = (id: string) => ({ type: 'clock_event.recorded', entity: { type: 'clock_event', id }, actor: systemActor, payload: {}, scope: { employeeId: person.body.id } });
    const write = async (id: string, version: number) =>
      (await repo.writeLivePunches(t.wf.events.writeBatch, [{ punch: row(id), shift: { kind: 'open', shiftId: randomUUID() }, version, event: event(id) }]))[0];
    const stored = async (id: string) =>
      (await queryRows<{ n: number }>(t.database.db, sql`SELECT (SELECT count(*) FROM punches WHERE id = ${id}) + (SELECT count(*) FROM events WHERE entity_id = ${id}) AS n`))[0]!.n;

    const first = randomUUID();
    const read = await repo.readLiveClock(t.database.db, { punchId: first, employeeId: person.body.id, locationId: undefined, atMs: at.getTime() });
    // A slow-path writer (a late punch, a correction) takes the clock and commits in between.
    await t.database.db.transaction((tx) => repo.lockEmployeeClock(tx, person.body.id));
    expect(await write(first, read!.version)).toBe('clock-moved');
    expect(Number(await stored(first))).toBe(0);

    const again = await repo.readLiveClock(t.database.db, { punchId: first, employeeId: person.body.id, locationId: undefined, atMs: at.getTime() });
    expect(again!.version).toBe(read!.version + 1);
    expect(await write(first, again!.version)).toBe('written');
    expect(Number(await stored(first))).toBe(2);
  });

  it('a batch of live writes judges each punch on its own: written, clock moved, id taken, a remembered state that no longer holds', async () => {
    const people = await Promise.all(
      ['Bea Batch', 'Cal Batch', 'Dee Batch', 'Eli Batch'].map(
        async (name) => (await t.call(t.adminToken, { method: 'POST', url: api('/employees'), payload: { name, departmentId: org.packing.id, locationId: org.location.id } })).body,
      ),
    );
    const at = clock.now();
    const write = (employeeId: string, id: string, version: number, remembered?: repo.RememberedState): repo.LivePunchWrite => ({
      punch: { id, employeeId, locationId: org.location.id, kind: 'clock_in', at, source: 'web', requestHash: `h-${id}`, recordedAt: at, recordedBy: 'Test', correctionOf: null, supersededBy: null, reason: null, state: 'placed' },
      shift: { kind: 'open', shiftId: randomUUID() },
      version,
      remembered,
      event: { type: 'clock_event.recorded', entity: { type: 'clock_event', id }, actor: systemActor, payload: { n: id }, scope: { employeeId, locationId: org.location.id } },
    });
    const stored = async (id: string) =>
      (await queryRows<{ punches: number; events: number; shifts: number }>(t.database.db, sql`
        SELECT (SELECT count(*)::int FROM punches WHERE id = ${id}) AS punches, (SELECT count(*)::int FROM events WHERE entity_id = ${id}) AS events,
               (SELECT count(*)::int FROM work_shifts WHERE clock_in_punch_id = ${id}) AS shifts`))[0];
    const [bea, cal, dee, eli] = people;
    // Dee's clock moves after it was read; Cal's id is already stored; Eli was remembered under another name.
    const taken = randomUUID();
    expect(await repo.writeLivePunches(t.wf.events.writeBatch, [write(cal.id, taken, 0)])).toEqual(['written']);
    await t.database.db.transaction((tx) => repo.lockEmployeeClock(tx, dee.id));
    const ids = [randomUUID(), taken, randomUUID(), randomUUID()];
    const remembered = { employeeName: 'Someone Else', departmentId: org.packing.id, homeLocationId: org.location.id, timezone: 'Europe/London', localDate: '2026-03-02' };
    const outcomes = await repo.writeLivePunches(t.wf.events.writeBatch, [
      write(bea.id, ids[0]!, 0),
      write(cal.id, ids[1]!, 1),
      write(dee.id, ids[2]!, 0),
      write(eli.id, ids[3]!, 0, remembered),
    ]);
    expect(outcomes).toEqual(['written', 'id-taken', 'clock-moved', 'clock-moved']);
    expect(await stored(ids[0]!)).toEqual({ punches: 1, events: 1, shifts: 1 });
    expect(await stored(taken)).toEqual({ punches: 1, events: 1, shifts: 1 }); // the earlier write only
    expect(await stored(ids[2]!)).toEqual({ punches: 0, events: 0, shifts: 0 });
    expect(await stored(ids[3]!)).toEqual({ punches: 0, events: 0, shifts: 0 });
    // Only the written punch's event, with its payload (the id taken keeps its one earlier event).
    const batchEvents = await queryRows<{ entity_id: string; payload: { n: string } }>(t.database.db, sql`
      SELECT entity_id, payload FROM events WHERE entity_id = ANY(${`{${[ids[0], ids[2], ids[3]].join(',')}}`}::text[]) ORDER BY seq`);
    expect(batchEvents).toEqual([{ entity_id: ids[0], payload: { n: ids[0] } }]);
  });

  it('punches of many people at once all land once, and a punch the database refuses fails alone', async () => {
    const people = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => (await t.call(t.adminToken, { method: 'POST', url: api('/employees'), payload: { name: `Crowd ${i}`, departmentId: org.packing.id, locationId: org.location.id } })).body),
    );
    for (const kind of ['clock_in', 'clock_out', 'clock_in']) {
      const ids = people.map(() => randomUUID());
      const answers = await Promise.all(people.map((p, i) => punch(t.adminToken, { id: ids[i], employeeId: p.id, kind })));
      expect(answers.map((a) => a.status)).toEqual(people.map(() => 201));
      const [row] = await queryRows<{ punches: number; events: number }>(t.database.db, sql`
        SELECT (SELECT count(*)::int FROM punches WHERE id = ANY(${`{${ids.join(',')}}`}::uuid[])) AS punches,
               (SELECT count(*)::int FROM events WHERE entity_id = ANY(${`{${ids.join(',')}}`}::text[])) AS events`);
      expect(row).toEqual({ punches: 12, events: 12 });
    }
    const open = await queryRows<{ n: number }>(t.database.db, sql`
      SELECT count(*)::int AS n FROM work_shifts WHERE clock_out_at IS NULL AND employee_id = ANY(${`{${people.map((p) => p.id).join(',')}}`}::uuid[])`);
    expect(open[0]!.n).toBe(12);

    // Through the batching writer: a write the database refuses (no such employee: the clock's foreign
    // key) sent with good ones fails on its own, and the good ones are written.
    const at = clock.now();
    const live = (employeeId: string, id: string): repo.LivePunchWrite => ({
      punch: { id, employeeId, locationId: org.location.id, kind: 'clock_out', at, source: 'web', requestHash: 'h', recordedAt: at, recordedBy: 'Test', correctionOf: null, supersededBy: null, reason: null, state: 'placed' },
      shift: { kind: 'none' },
      version: 0,
      event: { type: 'clock_event.recorded', entity: { type: 'clock_event', id }, actor: systemActor, payload: {}, scope: { employeeId } },
    });
    const fresh = await Promise.all(
      ['Fay Fresh', 'Gus Fresh'].map(async (name) => (await t.call(t.adminToken, { method: 'POST', url: api('/employees'), payload: { name, departmentId: org.packing.id, locationId: org.location.id } })).body),
    );
    const batches: number[] = [];
    const writer = createBatcher<repo.LivePunchWrite, repo.LivePunchOutcome>({
      run: (writes) => (batches.push(writes.length), repo.writeLivePunches(t.wf.events.writeBatch, writes)),
      keysOf: (w) => [w.punch.employeeId, w.punch.id],
      maxInFlight: 1,
      maxBatch: 10,
    });
    const results = await Promise.allSettled([live(fresh[0].id, randomUUID()), live(randomUUID(), randomUUID()), live(fresh[1].id, randomUUID())].map((w) => writer.submit(w)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<string>).value)).toEqual(['written', 'written']);
    expect(batches[0]).toBe(3);
  });

  it('a punch from the clock this process remembers refuses what a read would: a clock another writer moved, a locked day, a deactivated person', async () => {
    // A site of its own: the day locked below is locked for nobody else.
    const site = await t.call(t.adminToken, { method: 'POST', url: api('/locations'), payload: { name: 'Remembered site', timezone: 'Europe/London' } });
    const person = await t.call(t.adminToken, { method: 'POST', url: api('/employees'), payload: { name: 'Remy Remembered', departmentId: org.packing.id, locationId: site.body.id } });
    const employeeId = person.body.id;
    // Live punches (within two minutes of now, in order), a few seconds apart.
    const secondsAgo = (s: number) => new Date(clock.now().getTime() - s * 1000).toISOString();
    const live = (kind: string, ago: number) => punch(t.adminToken, { id: randomUUID(), employeeId, kind, at: secondsAgo(ago) });
    expect((await live('clock_in', 60)).status).toBe(201); // read, written, remembered
    const retried = { id: randomUUID(), employeeId, kind: 'break_start', at: secondsAgo(50) };
    expect((await punch(t.adminToken, retried)).status).toBe(201); // from memory
    // A retry of that punch answers the original, not a refusal of a second break.
    const replay = await punch(t.adminToken, retried);
    expect(replay.status).toBe(200);
    expect(replay.body.id).toBe(retried.id);
    expect((await live('break_end', 40)).status).toBe(201);

    // A manager adds the clock-out (the slow path): the remembered clock still says "on shift".
    const correction = await t.call(org.managerToken, {
      method: 'POST',
      url: api('/clock-events/corrections'),
      payload: { id: randomUUID(), employeeId, kind: 'clock_out', at: secondsAgo(30), reason: 'left without clocking out' },
    });
    expect(correction.status).toBe(201);
    const out = await live('clock_out', 20);
    expect(out.status).toBe(409);
    expect(out.body.error.code).toBe('NOT_CLOCKED_IN');
    expect((await live('clock_in', 15)).status).toBe(201);
    expect((await live('break_start', 10)).status).toBe(201); // remembered again

    // Today is approved and locked: nothing more may be punched into it.
    const day = clock.now().toISOString().slice(0, 10);
    expect((await t.call(t.adminToken, { method: 'POST', url: api('/timesheets/locks'), payload: { locationId: site.body.id, from: day, to: day } })).status).toBe(201);
    const locked = await live('break_end', 5);
    expect(locked.status).toBe(409);
    expect(locked.body.error.code).toBe('PERIOD_LOCKED');

    // Deactivated (a write the clock's version knows nothing of): refused as when read.
    const other = await t.call(t.adminToken, { method: 'POST', url: api('/employees'), payload: { name: 'Dana Deactivated', departmentId: org.packing.id, locationId: org.location.id } });
    expect((await punch(t.adminToken, { id: randomUUID(), employeeId: other.body.id, kind: 'clock_in' })).status).toBe(201);
    expect((await t.call(t.adminToken, { method: 'DELETE', url: api(`/employees/${other.body.id}`) })).status).toBe(200);
    const gone = await punch(t.adminToken, { id: randomUUID(), employeeId: other.body.id, kind: 'clock_out' });
    expect(gone.status).toBe(422);
    const [rows] = await queryRows<{ punches: number }>(t.database.db, sql`SELECT count(*)::int AS punches FROM punches WHERE employee_id = ${other.body.id}`);
    expect(rows!.punches).toBe(1);
  });

  it('the database itself refuses a second open shift', async () => {
    await expect(
      t.database.db.execute(sql`INSERT INTO work_shifts (employee_id, location_id, clock_in_at, clock_in_punch_id) VALUES (${org.colleague.id}, ${org.location.id}, now(), ${randomUUID()})`),
    ).rejects.toThrow();
  });
});

describe('late and corrected punches', () => {
  it('late punches land in their place in the past, also out of order, and the worked shifts are rebuilt', async () => {
    // Dee's Saturday in Mumbai, sent on Monday by a kiosk that was offline: the shift first, the break last.
    const dee = await t.call(t.adminToken, { method: 'POST', url: api('/employees'), payload: { name: 'Dee Offline', departmentId: org.mumbaiOps.id, locationId: org.otherLocation.id } });
    const p = (kind: string, at: string) => punch(t.adminToken, { id: randomUUID(), employeeId: dee.body.id, kind, at, source: 'kiosk' });
    expect((await p('clock_in', '2026-03-02T03:00:00Z')).status).toBe(201); // Monday, already live
    expect((await p('clock_out', '2026-03-02T03:01:00Z')).status).toBe(201);
    // Saturday's clock-in arrives alone: it cannot fit before Monday's until its clock-out comes. It waits.
    const saturdayIn = await p('clock_in', '2026-02-28T08:00:00Z');
    expect(saturdayIn.status).toBe(202);
    expect(saturdayIn.body.state).toBe('pending');
    const empty = await t.call(t.adminToken, { method: 'GET', url: api(`/timesheets?from=2026-02-28&to=2026-02-28&employeeId=${dee.body.id}`) });
    expect(empty.body.items[0].shifts).toEqual([]);
    const saturdayOut = await p('clock_out', '2026-02-28T16:00:00Z');
    expect(saturdayOut.status).toBe(201);
    const punches = await t.call(t.adminToken, { method: 'GET', url: api(`/clock-events?employeeId=${dee.body.id}&from=2026-02-28&to=2026-02-28`) });
    expect(punches.body.items.map((e: any) => e.state)).toEqual(['placed', 'placed']);
    expect((await p('break_start', '2026-02-28T12:00:00Z')).status).toBe(201);
    expect((await p('break_end', '2026-02-28T12:30:00Z')).status).toBe(201);
    const sheet = await t.call(t.adminToken, { method: 'GET', url: api(`/timesheets?from=2026-02-28&to=2026-02-28&employeeId=${dee.body.id}`) });
    expect(sheet.status).toBe(200);
    const shift = sheet.body.items[0].shifts[0];
    expect(shift.breakMinutes).toBe(30);
    expect(shift.workedMinutes).toBe(450);
    expect(shift.clockIn).toBe('2026-02-28T13:30:00+05:30');
    // A late punch that contradicts its neighbours waits as pending and changes nothing that counts.
    const stray = await p('clock_in', '2026-02-28T10:00:00Z');
    expect(stray.status).toBe(202);
    const again = await t.call(t.adminToken, { method: 'GET', url: api(`/timesheets?from=2026-02-28&to=2026-02-28&employeeId=${dee.body.id}`) });
    expect(again.body.items[0].shifts).toEqual(sheet.body.items[0].shifts);
  });

  it('a manager moves a punch with a reason; the original stays and both are in the audit log', async () => {
    const list = await t.call(org.managerToken, { method: 'GET', url: api(`/clock-events?employeeId=${org.employee.id}&from=2026-03-02&to=2026-03-02`) });
    const clockIn = list.body.items.find((e: any) => e.kind === 'clock_in');
    const noReason = await t.call(org.managerToken, { method: 'POST', url: api('/clock-events/corrections'), payload: { id: randomUUID(), employeeId: org.employee.id, kind: 'clock_in', at: '2026-03-02T07:45:00Z', replaces: clockIn.id } });
    expect(noReason.status).toBe(400);
    const fix = await t.call(org.managerToken, {
      method: 'POST',
      url: api('/clock-events/corrections'),
      payload: { id: randomUUID(), employeeId: org.employee.id, kind: 'clock_in', at: '2026-03-02T07:45:00Z', replaces: clockIn.id, reason: 'badge reader was down' },
    });
    expect(fix.status).toBe(201);
    expect(fix.body.correctionOf).toBe(clockIn.id);
    const after = await t.call(org.managerToken, { method: 'GET', url: api(`/clock-events?employeeId=${org.employee.id}&from=2026-03-02&to=2026-03-02`) });
    expect(after.body.items.find((e: any) => e.id === clockIn.id).supersededBy).toBe(fix.body.id);
    const audit = await t.call(t.adminToken, { method: 'GET', url: api(`/audit?entityType=clock_event&entityId=${clockIn.id}`) });
    expect(audit.body.items.map((e: any) => e.type)).toEqual(['clock_event.recorded']);
    const corrected = await t.call(t.adminToken, { method: 'GET', url: api(`/audit?entityType=clock_event&entityId=${fix.body.id}`) });
    expect(corrected.body.items[0]).toMatchObject({ type: 'clock_event.corrected', payload: { reason: 'badge reader was down', before: { at: '2026-03-02T07:58:00.000Z' }, after: { at: '2026-03-02T07:45:00.000Z' } } });
    expect((await t.call(org.employeeToken, { method: 'POST', url: api('/clock-events/corrections'), payload: { id: randomUUID(), employeeId: org.employee.id, kind: 'clock_out', at: '2026-03-02T08:50:00Z', reason: 'please' } })).status).toBe(403);
  });
});

describe('live floor', () => {
  it('shows on shift, on break, late, absent and unscheduled against today\'s schedule', async () => {
    // Ada is clocked in (on shift), Bo is clocked in from 09:00; add a break for Bo, now.
    expect((await punch(t.adminToken, { id: randomUUID(), employeeId: org.colleague.id, kind: 'break_start' })).status).toBe(201);
    const live = await t.call(org.managerToken, { method: 'GET', url: api(`/live?locationId=${org.location.id}`) });
    expect(live.status).toBe(200);
    const ada = live.body.items.find((i: any) => i.employeeId === org.employee.id);
    expect(ada).toMatchObject({ status: 'on_shift', scheduled: { start: '2026-03-02T08:00:00+00:00', end: '2026-03-02T16:00:00+00:00' }, nextAction: 'clock_out' });
    // The manager only sees Packing; the admin sees Bo on break.
    expect(live.body.items.some((i: any) => i.employeeId === org.colleague.id)).toBe(false);
    const all = await t.call(t.adminToken, { method: 'GET', url: api(`/live?locationId=${org.location.id}`) });
    expect(all.body.items.find((i: any) => i.employeeId === org.colleague.id)).toMatchObject({ status: 'on_break', nextAction: 'break_end' });
    expect(all.body.counts.on_break).toBe(1);
  });

  it('late once the grace period passes, absent once the shift is over', async () => {
    // A third person scheduled today who never comes.
    const eve = await t.call(t.adminToken, { method: 'POST', url: api('/employees'), payload: { name: 'Eve Nocome', departmentId: org.packing.id, locationId: org.location.id } });
    await t.call(t.adminToken, { method: 'PUT', url: api(`/employees/${eve.body.id}/contracts`), payload: { effectiveFrom: '2026-03-01', pattern: [{ weekday: 1, start: '08:00', end: '12:00', locationId: org.location.id }] } });
    const status = async () => (await t.call(t.adminToken, { method: 'GET', url: api(`/live?locationId=${org.location.id}`) })).body.items.find((i: any) => i.employeeId === eve.body.id).status;
    expect(await status()).toBe('late');
    clock.advance(3.5 * 3_600_000); // 12:30
    await refreshTokens();
    expect(await status()).toBe('absent');
  });
});

describe('timesheets', () => {
  it('locks a period: later punches inside it are refused with 409', async () => {
    const lock = await t.call(org.managerToken, { method: 'POST', url: api('/timesheets/locks'), payload: { locationId: org.location.id, from: '2026-02-23', to: '2026-03-01' } });
    expect(lock.status).toBe(403); // a department manager is not the location's manager
    const byAdmin = await t.call(t.adminToken, { method: 'POST', url: api('/timesheets/locks'), payload: { locationId: org.location.id, from: '2026-02-23', to: '2026-03-01' } });
    expect(byAdmin.status).toBe(201);
    const late = await punch(t.adminToken, { id: randomUUID(), employeeId: org.colleague.id, kind: 'clock_in', at: '2026-03-01T08:00:00Z' });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('PERIOD_LOCKED');
  });

  it('exports payroll CSV with offsets and neutralised formula cells', async () => {
    await t.call(t.adminToken, { method: 'PATCH', url: api(`/employees/${org.employee.id}`), payload: { externalIds: { payroll: '=HYPERLINK("http://evil")' } } });
    const res = await t.app.inject({ method: 'GET', url: api('/timesheets.csv?from=2026-03-02&to=2026-03-02'), headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body.trim().split('\r\n');
    expect(lines[0]).toBe('employee_id,payroll_id,name,department,location,date,clock_in,clock_out,break_minutes,worked_minutes,overtime_minutes,scheduled_minutes,difference_minutes,row_type');
    const ada = lines.find((l) => l.startsWith(org.employee.id))!;
    expect(ada).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(ada).toContain('2026-03-02T07:45:00+00:00');
    expect(csvCell('-1+2')).toBe("'-1+2");
    expect(csvCell('plain')).toBe('plain');
  });
});

describe('import and batches', () => {
  it('imports a CSV with a mapping, reports bad lines, and adds nothing on a second import', async () => {
    const file = [
      'Payroll,Action,Time',
      'P-2,Clock Out,2026-03-02T12:08:00+00:00',
      'P-2,Clock In,2026-03-02T12:05:00Z',
      'NOPE,Clock In,2026-03-02T08:00:00Z',
      'P-2,dance,2026-03-02T09:00:00Z',
      'P-2,Clock In,03/02/2026 08:00',
    ].join('\n');
    await t.call(t.adminToken, { method: 'PATCH', url: api(`/employees/${org.colleague.id}`), payload: { externalIds: { payroll: 'P-2' } } });
    const upload = () => t.importPunches(t.adminToken, file, { employee: 'Payroll', match: 'payroll', kind: 'Action', at: 'Time' });
    // Bo is on a break in the live-floor test: end Monday's shift so Tuesday's punches fit.
    await punch(t.adminToken, { id: randomUUID(), employeeId: org.colleague.id, kind: 'clock_out', at: '2026-03-02T12:00:00Z' });
    const first = (await upload()).body;
    expect(first).toMatchObject({ rows: 5, accepted: 2, replayed: 0 });
    expect(first.errors.map((e: any) => e.line)).toEqual([4, 5, 6]);
    expect(first.errors[0].message).toContain('No employee matches "NOPE"');
    const second = (await upload()).body;
    expect(second).toMatchObject({ accepted: 0, replayed: 2 });
  });

  it('accepts batches from integrations with per-item results', async () => {
    const key = await t.call(t.adminToken, { method: 'POST', url: api('/api-keys'), payload: { name: 'connecteam-sync', scopes: ['clock:write'] } });
    const id = randomUUID();
    // Live punches (the server's 12:30): a late break_end that does not fit would wait as pending (202) instead.
    const events = [
      { id, employeeId: org.colleague.id, kind: 'clock_in' },
      { id, employeeId: org.colleague.id, kind: 'clock_in' },
      { id: randomUUID(), employeeId: org.colleague.id, kind: 'break_end' },
    ];
    const res = await t.app.inject({ method: 'POST', url: api('/clock-events/batch'), headers: { 'x-api-key': key.body.key }, payload: { events } });
    expect(JSON.parse(res.body)).toMatchObject({ accepted: 1, replayed: 1, refused: 1, items: [{ status: 201 }, { status: 200 }, { status: 409, code: 'NOT_ON_BREAK' }] });
  });
});

describe('kiosk', () => {
  it('punches with the right PIN only, and locks out after repeated wrong PINs', async () => {
    expect((await t.call(org.employeeToken, { method: 'PUT', url: api(`/employees/${org.employee.id}/pin`), payload: { pin: '12a4' } })).status).toBe(400);
    expect((await t.call(org.employeeToken, { method: 'PUT', url: api(`/employees/${org.employee.id}/pin`), payload: { pin: '2468' } })).status).toBe(204);
    const people = await t.call(org.managerToken, { method: 'GET', url: api(`/kiosk/people?locationId=${org.location.id}&q=ada`) });
    expect(people.body.items).toEqual([{ employeeId: org.employee.id, name: 'Ada Employee', badge: null, nextAction: 'clock_out' }]);
    const attempt = (pin: string) => t.call(org.managerToken, { method: 'POST', url: api('/kiosk/punch'), payload: { id: randomUUID(), employeeId: org.employee.id, kind: 'clock_out', pin } });
    expect((await attempt('1111')).body.error.code).toBe('INVALID_CREDENTIALS');
    const ok = await attempt('2468');
    expect(ok.status).toBe(201);
    expect(ok.body.source).toBe('kiosk');
    for (let i = 0; i < 5; i++) await attempt('0000');
    const locked = await attempt('2468');
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toBeDefined();
  });
});
