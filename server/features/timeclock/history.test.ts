import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../db/client.ts';
import { AppError } from '../../lib/app-error.ts';
import type { UserPrincipal } from '../../lib/principal.ts';
import { createTestApp, manualClock, seedSmallOrg, type TestApp } from '../../testing/test-app.ts';
import type { HistoryInput } from './timeclock.service.ts';

// Friday 2026-03-06 12:00 in London (UTC+0): the history is the week before.
const clock = manualClock(new Date('2026-03-06T12:00:00Z'));
let t: TestApp;
let org: Awaited<ReturnType<typeof seedSmallOrg>>;

const principal = (role: UserPrincipal['role'], extra: Partial<UserPrincipal> = {}): UserPrincipal => ({
  kind: 'user',
  userId: randomUUID(),
  sessionId: 'test',
  email: `${role}@history.test`,
  name: `History ${role}`,
  role,
  employeeId: null,
  departmentIds: [],
  locationIds: [],
  scope: { locationIds: new Set(), departmentIds: new Set() },
  ...extra,
});
const admin = principal('admin');

/** A day shift with a lunch break, in UTC on a March date (London is UTC+0 then). */
const day = (date: string, inAt = '08:00', outAt = '16:30') => [
  { kind: 'clock_in' as const, at: `${date}T${inAt}:00Z` },
  { kind: 'break_start' as const, at: `${date}T12:00:00Z` },
  { kind: 'break_end' as const, at: `${date}T12:30:00Z` },
  { kind: 'clock_out' as const, at: `${date}T${outAt}:00Z` },
];

const rows = async (employeeId: string) => ({
  punches: (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM punches WHERE employee_id = ${employeeId}`))[0]!.n,
  shifts: (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM work_shifts WHERE employee_id = ${employeeId}`))[0]!.n,
  events: (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM events WHERE type = 'clock_event.recorded' AND employee_id = ${employeeId}`))[0]!.n,
});

async function refused(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

beforeAll(async () => {
  t = await createTestApp({ clock });
  org = await seedSmallOrg(t);
});
afterAll(() => t.close());

describe('recordHistory', () => {
  it('writes complete timelines for a batch: punches, worked shifts and one event per punch', async () => {
    const history: HistoryInput[] = [
      { employeeId: org.employee.id, punches: ['2026-02-23', '2026-02-24', '2026-02-25'].flatMap((d) => day(d)) },
      // The colleague's last shift is still open (a forgotten clock-out): allowed as the newest shift.
      { employeeId: org.colleague.id, punches: [...day('2026-02-23', '07:55', '16:40'), { kind: 'clock_in', at: '2026-03-05T14:02:00Z' }] },
    ];
    const result = await t.wf.timeclock.recordHistory(admin, history, { source: 'kiosk' });
    expect(result).toEqual({ employees: 2, punches: 17, shifts: 5 });
    expect(await rows(org.employee.id)).toEqual({ punches: 12, shifts: 3, events: 12 });
    expect(await rows(org.colleague.id)).toEqual({ punches: 5, shifts: 2, events: 5 });

    const sheet = await t.call(t.adminToken, { method: 'GET', url: `/api/v1/timesheets?from=2026-02-23&to=2026-02-27&employeeId=${org.employee.id}` });
    expect(sheet.status).toBe(200);
    expect(sheet.body.items[0].workedMinutes).toBe(3 * 480);
    expect(sheet.body.items[0].shifts[0].breaks).toHaveLength(1);

    // The live clock carries on from the history: the colleague's next valid action is to clock out.
    const out = await t.wf.timeclock.recordPunch(admin, { id: randomUUID(), employeeId: org.colleague.id, kind: 'clock_out', at: '2026-03-05T22:05:00Z' }, 'web');
    expect(out.created).toBe(true);
    const again = await refused(t.wf.timeclock.recordPunch(admin, { id: randomUUID(), employeeId: org.employee.id, kind: 'clock_out' }, 'web'));
    expect(again.code).toBe('NOT_CLOCKED_IN');
  });

  it('refuses a timeline the state machine would refuse, and writes nothing of the batch', async () => {
    const before = [await rows(org.employee.id), await rows(org.outsider.id)];
    const err = await refused(
      t.wf.timeclock.recordHistory(admin, [
        { employeeId: org.outsider.id, punches: day('2026-02-16') },
        { employeeId: org.employee.id, punches: [{ kind: 'clock_in', at: '2026-02-17T08:00:00Z' }, { kind: 'break_end', at: '2026-02-17T09:00:00Z' }] },
      ]),
    );
    expect(err.code).toBe('NOT_ON_BREAK');
    expect([await rows(org.employee.id), await rows(org.outsider.id)]).toEqual(before);
  });

  it('refuses a range where the employee already has punches, and a history starting inside an open shift', async () => {
    const overlap = await refused(t.wf.timeclock.recordHistory(admin, [{ employeeId: org.employee.id, punches: [{ kind: 'clock_in', at: '2026-02-24T17:00:00Z' }, { kind: 'clock_out', at: '2026-02-25T20:00:00Z' }] }]));
    expect(overlap.code).toBe('PUNCH_CONFLICT');

    await t.wf.timeclock.recordPunch(admin, { id: randomUUID(), employeeId: org.outsider.id, kind: 'clock_in', at: '2026-03-06T11:00:00Z' }, 'web');
    const inside = await refused(t.wf.timeclock.recordHistory(admin, [{ employeeId: org.outsider.id, punches: day('2026-03-06', '11:10', '11:50').filter((p) => p.kind === 'clock_in' || p.kind === 'clock_out') }]));
    expect(inside.code).toBe('PUNCH_CONFLICT');

    // Before the open shift is fine, as long as the history ends clocked out.
    expect((await t.wf.timeclock.recordHistory(admin, [{ employeeId: org.outsider.id, punches: day('2026-03-02') }])).punches).toBe(4);
    const endsOpen = await refused(t.wf.timeclock.recordHistory(admin, [{ employeeId: org.outsider.id, punches: [{ kind: 'clock_in', at: '2026-03-03T08:00:00Z' }] }]));
    expect(endsOpen.code).toBe('PUNCH_CONFLICT');
  });

  it('refuses future punches, reused ids, employees out of scope, and employees recording history', async () => {
    expect((await refused(t.wf.timeclock.recordHistory(admin, [{ employeeId: org.employee.id, punches: day('2026-03-09') }]))).code).toBe('PUNCH_IN_FUTURE');

    const id = randomUUID();
    await t.wf.timeclock.recordHistory(admin, [{ employeeId: org.employee.id, punches: [{ id, kind: 'clock_in', at: '2026-02-10T08:00:00Z' }, { kind: 'clock_out', at: '2026-02-10T16:00:00Z' }] }]);
    const reused = await refused(t.wf.timeclock.recordHistory(admin, [{ employeeId: org.colleague.id, punches: [{ id, kind: 'clock_in', at: '2026-02-10T08:00:00Z' }, { kind: 'clock_out', at: '2026-02-10T16:00:00Z' }] }]));
    expect(reused.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const manager = principal('manager', { departmentIds: [org.packing.id], scope: { departmentIds: new Set([org.packing.id]), locationIds: new Set([org.location.id]) } });
    expect((await refused(t.wf.timeclock.recordHistory(manager, [{ employeeId: org.colleague.id, punches: day('2026-02-11') }]))).code).toBe('NOT_FOUND');
    expect((await t.wf.timeclock.recordHistory(manager, [{ employeeId: org.employee.id, punches: day('2026-02-11') }])).punches).toBe(4);

    const employee = principal('employee', { employeeId: org.employee.id });
    expect((await refused(t.wf.timeclock.recordHistory(employee, [{ employeeId: org.employee.id, punches: day('2026-02-12') }]))).code).toBe('FORBIDDEN');
  });

  it('refuses punches inside a locked timesheet period', async () => {
    const lock = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/timesheets/locks', payload: { locationId: org.location.id, from: '2026-02-02', to: '2026-02-08' } });
    expect(lock.status).toBe(201);
    expect((await refused(t.wf.timeclock.recordHistory(admin, [{ employeeId: org.colleague.id, punches: day('2026-02-04') }]))).code).toBe('PERIOD_LOCKED');
  });
});
