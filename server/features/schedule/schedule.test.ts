import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallOrg, type TestApp } from '../../testing/test-app.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof seedSmallOrg>>;
const api = (url: string) => `/api/v1${url}`;

beforeAll(async () => {
  t = await createTestApp();
  org = await seedSmallOrg(t);
  // Ada (employee, Packing, Leeds): weekdays 08:00-16:00. Bo (Picking): 14:00-22:00.
  for (const [employeeId, start, end] of [
    [org.employee.id, '08:00', '16:00'],
    [org.colleague.id, '14:00', '22:00'],
  ] as const) {
    const res = await t.call(t.adminToken, {
      method: 'PUT',
      url: api(`/employees/${employeeId}/contracts`),
      payload: { effectiveFrom: '2026-03-01', pattern: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start, end, locationId: org.location.id, breakMinutes: 30 })) },
    });
    expect(res.status).toBe(200);
  }
});
afterAll(() => t.close());

const schedule = (token: string, query: string) => t.call(token, { method: 'GET', url: api(`/schedule?${query}`) });

describe('schedule', () => {
  it('expands contracts into shifts with provenance, in the location zone', async () => {
    const res = await schedule(t.adminToken, `from=2026-03-02&to=2026-03-08&employeeId=${org.employee.id}`);
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(5);
    expect(res.body.items[0]).toMatchObject({
      date: '2026-03-02',
      start: '2026-03-02T08:00:00+00:00',
      end: '2026-03-02T16:00:00+00:00',
      minutes: 480,
      breakMinutes: 30,
      source: { layer: 'contract' },
    });
    expect(res.body.items[0].provenance).toMatch(/^Contract from 2026-03-01, Mon 08:00-16:00 at Leeds DC/);
    // Summer time in London: the same wall clock, a +01:00 offset.
    const summer = await schedule(t.adminToken, `from=2026-04-06&to=2026-04-06&employeeId=${org.employee.id}`);
    expect(summer.body.items[0].start).toBe('2026-04-06T08:00:00+01:00');
  });

  it('a new contract closes the previous one the day before it starts', async () => {
    const res = await t.call(t.adminToken, {
      method: 'PUT',
      url: api(`/employees/${org.colleague.id}/contracts`),
      payload: { effectiveFrom: '2026-06-01', pattern: [{ weekday: 6, start: '09:00', end: '17:00', locationId: org.location.id }] },
    });
    expect(res.status).toBe(200);
    const list = await t.call(t.adminToken, { method: 'GET', url: api(`/employees/${org.colleague.id}/contracts`) });
    expect(list.body.items.map((k: any) => [k.effectiveFrom, k.effectiveTo])).toEqual([
      ['2026-03-01', '2026-05-31'],
      ['2026-06-01', null],
    ]);
    const june = await schedule(t.adminToken, `from=2026-06-01&to=2026-06-07&employeeId=${org.colleague.id}`);
    expect(june.body.items.map((i: any) => i.date)).toEqual(['2026-06-06']);
  });

  it('employees see only themselves; managers their scope; outsiders get 404', async () => {
    const own = await schedule(org.employeeToken, 'from=2026-03-02&to=2026-03-02');
    expect(new Set(own.body.items.map((i: any) => i.employeeId))).toEqual(new Set([org.employee.id]));
    expect((await schedule(org.employeeToken, `from=2026-03-02&to=2026-03-02&employeeId=${org.colleague.id}`)).status).toBe(404);
    const managed = await schedule(org.managerToken, 'from=2026-03-02&to=2026-03-02');
    expect(new Set(managed.body.items.map((i: any) => i.employeeId))).toEqual(new Set([org.employee.id]));
    expect((await schedule(org.managerToken, `from=2026-03-02&to=2026-03-02&employeeId=${org.outsider.id}`)).status).toBe(404);
  });

  it('rejects bad ranges with 400', async () => {
    expect((await schedule(t.adminToken, 'from=2026-03-08&to=2026-03-01')).status).toBe(400);
    expect((await schedule(t.adminToken, 'from=2026-01-01&to=2026-12-31')).status).toBe(400);
    expect((await schedule(t.adminToken, 'from=yesterday&to=2026-03-01')).body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('adjustment lifecycle', () => {
  const timeOff = (over: object = {}) => ({
    employeeId: org.employee.id,
    kind: 'time_off',
    start: '2026-03-03T11:00:00Z',
    end: '2026-03-03T12:00:00Z',
    reason: 'dentist',
    ...over,
  });

  it('employee requests, manager approves, the schedule changes with provenance; everyone sees the events', async () => {
    const created = await t.call(org.employeeToken, { method: 'POST', url: api('/adjustments'), payload: timeOff() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'pending', kind: 'time_off', employeeName: 'Ada Employee' });
    const id = created.body.id;

    // Before approval the schedule is unchanged; the preview shows the effect.
    const preview = await t.call(org.managerToken, { method: 'GET', url: api(`/adjustments/${id}/preview`) });
    expect(preview.status).toBe(200);
    const minutes = (items: any[]) => items.filter((i) => i.date === '2026-03-03').reduce((n, i) => n + i.minutes, 0);
    expect(minutes(preview.body.before.items)).toBe(480);
    expect(minutes(preview.body.after.items)).toBe(420);

    // The employee cannot approve; nor can a manager out of scope (404), nor an API key.
    expect((await t.call(org.employeeToken, { method: 'POST', url: api(`/adjustments/${id}/approve`) })).status).toBe(403);
    const approved = await t.call(org.managerToken, { method: 'POST', url: api(`/adjustments/${id}/approve`), payload: { note: 'ok' } });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decidedByName: 'Mia Manager', decisionNote: 'ok' });
    // Deciding twice is a conflict of state.
    expect((await t.call(org.managerToken, { method: 'POST', url: api(`/adjustments/${id}/approve`) })).body.error.code).toBe('INVALID_STATE');

    const day = await schedule(org.employeeToken, 'from=2026-03-03&to=2026-03-03');
    expect(day.body.items.map((i: any) => [i.start, i.end])).toEqual([
      ['2026-03-03T08:00:00+00:00', '2026-03-03T11:00:00+00:00'],
      ['2026-03-03T12:00:00+00:00', '2026-03-03T16:00:00+00:00'],
    ]);
    expect(day.body.items[0].provenance).toContain(`11:00-12:00 removed by time off #${created.body.number} approved by Mia Manager`);

    const audit = await t.call(t.adminToken, { method: 'GET', url: api(`/audit?entityType=adjustment&entityId=${id}`) });
    expect(audit.body.items.map((e: any) => e.type)).toEqual(['adjustment.approved', 'adjustment.requested']);

    // Revoking restores the contract shift.
    expect((await t.call(org.managerToken, { method: 'POST', url: api(`/adjustments/${id}/revoke`) })).body.status).toBe('revoked');
    const restored = await schedule(org.employeeToken, 'from=2026-03-03&to=2026-03-03');
    expect(restored.body.items).toHaveLength(1);
  });

  it('requester cancels while pending; cannot cancel after a decision; others cannot cancel', async () => {
    const created = await t.call(org.employeeToken, { method: 'POST', url: api('/adjustments'), payload: timeOff({ start: '2026-03-04T09:00:00Z', end: '2026-03-04T10:00:00Z' }) });
    expect((await t.call(org.managerToken, { method: 'POST', url: api(`/adjustments/${created.body.id}/cancel`) })).status).toBe(403);
    expect((await t.call(org.employeeToken, { method: 'POST', url: api(`/adjustments/${created.body.id}/cancel`) })).body.status).toBe('cancelled');
    expect((await t.call(org.employeeToken, { method: 'POST', url: api(`/adjustments/${created.body.id}/cancel`) })).body.error.code).toBe('INVALID_STATE');
  });

  it('employees cannot request for others; nobody approves their own request', async () => {
    expect((await t.call(org.employeeToken, { method: 'POST', url: api('/adjustments'), payload: timeOff({ employeeId: org.colleague.id }) })).status).toBe(404);
    // The admin asks for time off for... the employee via a pending agent-style request made by an API key.
    const key = await t.call(t.adminToken, { method: 'POST', url: api('/api-keys'), payload: { name: 'planner-bot', scopes: ['schedule:write'] } });
    const byAgent = await t.app.inject({ method: 'POST', url: api('/adjustments'), headers: { 'x-api-key': key.body.key }, payload: timeOff({ start: '2026-03-05T09:00:00Z', end: '2026-03-05T10:00:00Z' }) });
    expect(byAgent.statusCode).toBe(201);
    expect(JSON.parse(byAgent.body).status).toBe('pending');
    const agentApprove = await t.app.inject({ method: 'POST', url: api(`/adjustments/${JSON.parse(byAgent.body).id}/approve`), headers: { 'x-api-key': key.body.key } });
    expect(agentApprove.statusCode).toBe(403);
  });

  it('a manager setting an extra shift for someone in scope applies it at once; an overlapping one is refused with 409', async () => {
    const extra = await t.call(org.managerToken, {
      method: 'POST',
      url: api('/adjustments'),
      payload: { employeeId: org.employee.id, kind: 'extra_shift', start: '2026-03-07T09:00:00Z', end: '2026-03-07T13:00:00Z', locationId: org.location.id, reason: 'stock take' },
    });
    expect(extra.status).toBe(201);
    expect(extra.body.status).toBe('approved');
    const sat = await schedule(org.managerToken, `from=2026-03-07&to=2026-03-07&employeeId=${org.employee.id}`);
    expect(sat.body.items).toHaveLength(1);
    expect(sat.body.items[0].source).toEqual({ layer: 'adjustment', id: extra.body.id });

    const overlapping = await t.call(org.managerToken, {
      method: 'POST',
      url: api('/adjustments'),
      payload: { employeeId: org.employee.id, kind: 'extra_shift', start: '2026-03-09T15:00:00Z', end: '2026-03-09T19:00:00Z', locationId: org.location.id, reason: 'late cover' },
    });
    expect(overlapping.status).toBe(409);
    expect(overlapping.body.error.code).toBe('SCHEDULE_CONFLICT');
    expect(overlapping.body.error.details.conflicts[0].rule).toBe('no_overlap');
    // Refused means nothing stored: no adjustment for that day.
    const list = await t.call(t.adminToken, { method: 'GET', url: api(`/adjustments?employeeId=${org.employee.id}`) });
    expect(list.body.items.some((a: any) => a.reason === 'late cover')).toBe(false);
  });

  it('a swap needs the other person to accept before a manager approves', async () => {
    // Ada (Packing) asks Bo (Picking) to swap Tuesday's shifts. The admin decides (Bo is outside the manager's scope).
    const bo = await t.call(t.adminToken, { method: 'POST', url: api('/users'), payload: { email: 'bo@test.example', password: 'user-password-1', role: 'employee', employeeId: org.colleague.id } });
    expect(bo.status).toBe(201);
    const boToken = await t.login('bo@test.example', 'user-password-1');
    const swap = await t.call(org.employeeToken, {
      method: 'POST',
      url: api('/adjustments'),
      payload: { employeeId: org.employee.id, kind: 'swap', counterpartEmployeeId: org.colleague.id, start: '2026-03-10T00:00:00Z', end: '2026-03-11T00:00:00Z', reason: 'school run' },
    });
    expect(swap.status).toBe(201);
    const id = swap.body.id;
    expect((await t.call(t.adminToken, { method: 'POST', url: api(`/adjustments/${id}/approve`) })).body.error.code).toBe('INVALID_STATE');
    expect((await t.call(org.employeeToken, { method: 'POST', url: api(`/adjustments/${id}/accept`) })).status).toBe(403);
    expect((await t.call(boToken, { method: 'POST', url: api(`/adjustments/${id}/accept`) })).status).toBe(200);
    // The manager of Packing cannot decide: Bo is outside their scope.
    expect((await t.call(org.managerToken, { method: 'POST', url: api(`/adjustments/${id}/approve`) })).status).toBe(403);
    expect((await t.call(t.adminToken, { method: 'POST', url: api(`/adjustments/${id}/approve`) })).status).toBe(200);
    const tue = await schedule(t.adminToken, 'from=2026-03-10&to=2026-03-10');
    const startOf = (employeeId: string) => tue.body.items.filter((i: any) => i.employeeId === employeeId).map((i: any) => i.start);
    expect(startOf(org.employee.id)).toEqual(['2026-03-10T14:00:00+00:00']);
    expect(startOf(org.colleague.id)).toEqual(['2026-03-10T08:00:00+00:00']);
    expect(tue.body.items.find((i: any) => i.employeeId === org.employee.id).provenance).toContain("Bo Picker's contract");
  });

  it('validates kinds and windows', async () => {
    const bad = await t.call(org.employeeToken, { method: 'POST', url: api('/adjustments'), payload: timeOff({ end: '2026-03-03T10:00:00Z' }) });
    expect(bad.status).toBe(400);
    const swapWithout = await t.call(org.employeeToken, { method: 'POST', url: api('/adjustments'), payload: timeOff({ kind: 'swap' }) });
    expect(swapWithout.status).toBe(400);
  });
});

describe('labour rules, holidays, demand', () => {
  it('reports violations with a sentence, and follows the location rules', async () => {
    const tight = await t.call(t.adminToken, { method: 'PUT', url: api(`/locations/${org.location.id}/labour-rules`), payload: { maxDailyMinutes: 420, maxWeeklyMinutes: 2400, minRestMinutes: 660 } });
    expect(tight.status).toBe(200);
    const res = await schedule(t.adminToken, `from=2026-03-16&to=2026-03-16&employeeId=${org.employee.id}`);
    const daily = res.body.violations.find((v: any) => v.rule === 'max_daily');
    expect(daily.message).toBe('Ada Employee is scheduled 7 h 30 min on Mon 2026-03-16, over the 7 h daily limit.');
    await t.call(t.adminToken, { method: 'PUT', url: api(`/locations/${org.location.id}/labour-rules`), payload: { maxDailyMinutes: 480, maxWeeklyMinutes: 2400, minRestMinutes: 660 } });
  });

  it('a holiday removes contract shifts that start that day', async () => {
    const h = await t.call(t.adminToken, { method: 'POST', url: api('/holidays'), payload: { locationId: org.location.id, date: '2026-03-17', name: "St Patrick's Day" } });
    expect(h.status).toBe(201);
    expect((await t.call(t.adminToken, { method: 'POST', url: api('/holidays'), payload: { locationId: org.location.id, date: '2026-03-17', name: 'again' } })).status).toBe(409);
    const res = await schedule(t.adminToken, `from=2026-03-17&to=2026-03-17&employeeId=${org.employee.id}`);
    expect(res.body.items).toEqual([]);
    expect((await t.call(org.employeeToken, { method: 'POST', url: api('/holidays'), payload: { locationId: org.location.id, date: '2026-03-18', name: 'x' } })).status).toBe(403);
  });

  it('stores demand per weekday and hour with overrides', async () => {
    const put = await t.call(t.adminToken, {
      method: 'PUT',
      url: api(`/locations/${org.location.id}/demand`),
      payload: { weekly: [{ weekday: 1, hour: 9, required: 4 }, { weekday: 1, hour: 10, required: 5 }], overrides: [{ date: '2026-12-24', hour: 9, required: 1 }] },
    });
    expect(put.status).toBe(200);
    const get = await t.call(org.managerToken, { method: 'GET', url: api(`/locations/${org.location.id}/demand`) });
    expect(get.body.weekly).toEqual([{ weekday: 1, hour: 9, required: 4 }, { weekday: 1, hour: 10, required: 5 }]);
    expect(get.body.overrides).toEqual([{ date: '2026-12-24', hour: 9, required: 1 }]);
    expect((await t.call(t.adminToken, { method: 'PUT', url: api(`/locations/${org.location.id}/demand`), payload: { weekly: [{ weekday: 8, hour: 9, required: 1 }] } })).status).toBe(400);
  });
});

describe('calendar feed', () => {
  it('serves valid iCalendar that a parser reads back to the same instants; rotating the token revokes the old link', async () => {
    const link = await t.call(org.employeeToken, { method: 'GET', url: api(`/employees/${org.employee.id}/calendar-token`) });
    expect(link.status).toBe(200);
    const feed = await t.app.inject({ method: 'GET', url: link.body.url });
    expect(feed.statusCode).toBe(200);
    expect(feed.headers['content-type']).toContain('text/calendar');
    const today = new Date().toISOString().slice(0, 10);
    const plus = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
    const expected = await schedule(org.employeeToken, `from=${plus(today, -30)}&to=${plus(today, 60)}`);
    const vevents = new ICAL.Component(ICAL.parse(feed.body)).getAllSubcomponents('vevent');
    const parsed = vevents.map((v) => {
      const e = new ICAL.Event(v);
      return [e.startDate.toJSDate().getTime(), e.endDate.toJSDate().getTime()];
    });
    const fromApi = expected.body.items.map((i: any) => [Date.parse(i.start), Date.parse(i.end)]);
    expect(parsed.length).toBeGreaterThan(0);
    for (const pair of fromApi) expect(parsed).toContainEqual(pair);

    const rotated = await t.call(org.employeeToken, { method: 'POST', url: api(`/employees/${org.employee.id}/calendar-token`) });
    expect(rotated.body.token).not.toBe(link.body.token);
    expect((await t.app.inject({ method: 'GET', url: link.body.url })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: rotated.body.url })).statusCode).toBe(200);
    // Another employee's token never opens this feed.
    expect((await t.call(org.employeeToken, { method: 'GET', url: api(`/employees/${org.colleague.id}/calendar-token`) })).status).toBe(404);
  });
});
