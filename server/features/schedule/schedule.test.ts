import type { AddressInfo } from 'node:net';
import ICAL from 'ical.js';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../../../contract/audit.ts';
import type { Channel, ClientToServerEvents, ServerToClientEvents, SubscribeAck } from '../../../contract/events.ts';
import { createTestApp, seedSmallOrg, type TestApp } from '../../testing/test-app.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof seedSmallOrg>>;
let socketUrl: string;
const sockets: Socket[] = [];
const api = (url: string) => `/api/v1${url}`;

beforeAll(async () => {
  t = await createTestApp();
  // Listening too, for the socket client tests; everything else goes through app.inject().
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  socketUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
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
afterAll(async () => {
  for (const socket of sockets.splice(0)) socket.disconnect();
  await t?.close();
});

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

// ---------- helpers for the tests below ----------

const post = (token: string, url: string, payload?: object) => t.call(token, { method: 'POST', url: api(url), ...(payload ? { payload } : {}) });
async function created(token: string, url: string, payload: object) {
  const res = await post(token, url, payload);
  if (res.status !== 201) throw new Error(`POST ${url}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
const weekdays = (start: string, end: string, locationId: string) => [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start, end, locationId }));
async function putContract(token: string, employeeId: string, body: object) {
  return t.call(token, { method: 'PUT', url: api(`/employees/${employeeId}/contracts`), payload: body });
}
/** A new person at Leeds with a log-in of their own. */
async function person(name: string, departmentId: string) {
  const employee = await created(t.adminToken, '/employees', { name, departmentId, locationId: org.location.id });
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}@test.example`;
  await created(t.adminToken, '/users', { email, password: org.password, role: 'employee', employeeId: employee.id });
  return { ...employee, token: await t.login(email, org.password) };
}
const contractsOf = async (employeeId: string) =>
  (await t.call(t.adminToken, { method: 'GET', url: api(`/employees/${employeeId}/contracts`) })).body.items.map((k: any) => [k.effectiveFrom, k.effectiveTo, k.pattern[0]?.start]);

describe('adjustment lifecycle: decisions and refusals', () => {
  const timeOff = (start: string, end: string, reason = 'lifecycle') => ({ employeeId: org.employee.id, kind: 'time_off', start, end, reason });
  const get = async (id: string) => (await t.call(t.adminToken, { method: 'GET', url: api(`/adjustments/${id}`) })).body;

  it('a manager rejects a pending request with a note; the schedule does not change and a rejected request stays rejected', async () => {
    const req = await created(org.employeeToken, '/adjustments', timeOff('2026-04-06T09:00:00Z', '2026-04-06T10:00:00Z'));
    const rejected = await post(org.managerToken, `/adjustments/${req.id}/reject`, { note: 'we are short that morning' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', decidedByName: 'Mia Manager', decisionNote: 'we are short that morning', decidedAt: expect.any(String) });
    const day = await schedule(org.employeeToken, 'from=2026-04-06&to=2026-04-06');
    expect(day.body.items.map((i: any) => [i.start, i.end, i.source.layer])).toEqual([['2026-04-06T08:00:00+01:00', '2026-04-06T16:00:00+01:00', 'contract']]);
    for (const [token, verb] of [[org.managerToken, 'approve'], [org.managerToken, 'reject'], [org.employeeToken, 'cancel']] as const) {
      const again = await post(token, `/adjustments/${req.id}/${verb}`);
      expect(again.status, verb).toBe(409);
      expect(again.body.error.code, verb).toBe('INVALID_STATE');
    }
    expect((await get(req.id)).status).toBe('rejected');
    const audit = await t.call(t.adminToken, { method: 'GET', url: api(`/audit?entityType=adjustment&entityId=${req.id}`) });
    expect(audit.body.items.map((e: any) => e.type)).toEqual(['adjustment.rejected', 'adjustment.requested']);
  });

  it('the requester cannot cancel a request once it is approved, and an employee cannot revoke it', async () => {
    const req = await created(org.employeeToken, '/adjustments', timeOff('2026-04-07T09:00:00Z', '2026-04-07T10:00:00Z'));
    // Revoking is for approved adjustments only.
    expect((await post(org.managerToken, `/adjustments/${req.id}/revoke`)).body.error.code).toBe('INVALID_STATE');
    expect((await post(org.managerToken, `/adjustments/${req.id}/approve`)).status).toBe(200);
    const cancel = await post(org.employeeToken, `/adjustments/${req.id}/cancel`);
    expect(cancel.status).toBe(409);
    expect(cancel.body.error).toMatchObject({ code: 'INVALID_STATE', message: expect.stringContaining('approved') });
    const revoke = await post(org.employeeToken, `/adjustments/${req.id}/revoke`);
    expect(revoke.status).toBe(403);
    expect(revoke.body.error.code).toBe('FORBIDDEN');
    expect((await get(req.id)).status).toBe('approved');
    const day = await schedule(org.employeeToken, 'from=2026-04-07&to=2026-04-07');
    expect(day.body.items.map((i: any) => i.minutes)).toEqual([120, 300]); // 10:00-11:00 BST off
  });

  it('approving a pending request that would make shifts overlap is refused with 409 SCHEDULE_CONFLICT and the conflict; the request stays pending', async () => {
    // Ada offers 15:00-19:00 on a day her contract shift runs to 16:00.
    const req = await created(org.employeeToken, '/adjustments', {
      employeeId: org.employee.id, kind: 'extra_shift', start: '2026-04-08T14:00:00Z', end: '2026-04-08T18:00:00Z', locationId: org.location.id, reason: 'extra hands',
    });
    expect(req.status).toBe('pending');
    const preview = await t.call(org.managerToken, { method: 'GET', url: api(`/adjustments/${req.id}/preview`) });
    expect(preview.body.conflicts).toHaveLength(1);
    const res = await post(org.managerToken, `/adjustments/${req.id}/approve`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('SCHEDULE_CONFLICT');
    expect(res.body.error.details.conflicts).toEqual([
      expect.objectContaining({
        rule: 'no_overlap',
        employeeId: org.employee.id,
        start: '2026-04-08T15:00:00+01:00',
        end: '2026-04-08T16:00:00+01:00',
        minutes: 60,
        message: 'Ada Employee has two shifts that overlap for 1 h from Wed 2026-04-08 15:00 (Europe/London).',
      }),
    ]);
    expect(res.body.error.message).toBe(res.body.error.details.conflicts[0].message);
    expect((await get(req.id)).status).toBe('pending');
    const day = await schedule(org.managerToken, `from=2026-04-08&to=2026-04-08&employeeId=${org.employee.id}`);
    expect(day.body.items).toHaveLength(1);
    expect(day.body.violations).toEqual([]);
    expect((await post(org.managerToken, `/adjustments/${req.id}/reject`)).body.status).toBe('rejected');
  });

  it('a manager cannot decide their own request; another manager can', async () => {
    const max = await created(t.adminToken, '/employees', { name: 'Max Lead', departmentId: org.packing.id, locationId: org.location.id });
    await created(t.adminToken, '/users', { email: 'max@test.example', password: org.password, role: 'manager', employeeId: max.id, departmentIds: [org.packing.id] });
    const maxToken = await t.login('max@test.example', org.password);
    // Asking for themselves, a manager waits like anyone else.
    const req = await created(maxToken, '/adjustments', { employeeId: max.id, kind: 'time_off', start: '2026-04-09T09:00:00Z', end: '2026-04-09T10:00:00Z', reason: 'own appointment' });
    expect(req.status).toBe('pending');
    for (const verb of ['approve', 'reject']) {
      const res = await post(maxToken, `/adjustments/${req.id}/${verb}`);
      expect(res.status, verb).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', message: 'Nobody decides their own request' });
    }
    expect((await get(req.id)).status).toBe('pending');
    expect((await post(org.managerToken, `/adjustments/${req.id}/approve`)).body).toMatchObject({ status: 'approved', decidedByName: 'Mia Manager' });
  });

  it('a manager outside the scope of a request cannot see or decide it (404), whatever the verb', async () => {
    const key = await created(t.adminToken, '/api-keys', { name: 'outsider planner', scopes: ['schedule:write'] });
    const res = await t.app.inject({
      method: 'POST', url: api('/adjustments'), headers: { 'x-api-key': key.key },
      payload: { employeeId: org.outsider.id, kind: 'time_off', start: '2026-04-09T05:00:00Z', end: '2026-04-09T06:00:00Z', reason: 'far away' },
    });
    expect(res.statusCode).toBe(201);
    const id = JSON.parse(res.body).id;
    expect((await t.call(org.managerToken, { method: 'GET', url: api(`/adjustments/${id}`) })).status).toBe(404);
    expect((await t.call(org.managerToken, { method: 'GET', url: api(`/adjustments/${id}/preview`) })).status).toBe(404);
    for (const verb of ['approve', 'reject', 'cancel']) {
      const refused = await post(org.managerToken, `/adjustments/${id}/${verb}`);
      expect(refused.status, verb).toBe(404);
      expect(refused.body.error.code, verb).toBe('NOT_FOUND');
    }
    expect((await get(id)).status).toBe('pending');
    // Once approved by an admin, revoking is out of the manager's reach too.
    expect((await post(t.adminToken, `/adjustments/${id}/approve`)).status).toBe(200);
    expect((await post(org.managerToken, `/adjustments/${id}/revoke`)).status).toBe(404);
    expect((await get(id)).status).toBe('approved');
  });
});

describe('swaps', () => {
  it('lists swap candidates: active colleagues in the same department or location, never the person themselves', async () => {
    // Zed sorts after Bo by name, but works in Ada's department.
    const zed = await created(t.adminToken, '/employees', { name: 'Zed Packer', departmentId: org.packing.id, locationId: org.location.id });
    const gone = await created(t.adminToken, '/employees', { name: 'Ex Packer', departmentId: org.packing.id, locationId: org.location.id });
    expect((await t.call(t.adminToken, { method: 'DELETE', url: api(`/employees/${gone.id}`) })).status).toBe(200);
    const res = await t.call(org.employeeToken, { method: 'GET', url: api(`/employees/${org.employee.id}/swap-candidates`) });
    expect(res.status).toBe(200);
    const names = res.body.items.map((i: any) => i.name);
    expect(names).toContain('Bo Picker'); // Picking, but at Leeds
    expect(names).not.toContain('Ada Employee');
    expect(names).not.toContain('Chandra Far'); // Mumbai
    expect(names).not.toContain('Ex Packer'); // no longer active
    // Their own department first, then the rest of the site.
    const departments = res.body.items.map((i: any) => i.departmentId);
    expect(res.body.items.map((i: any) => i.id)).toContain(zed.id);
    expect(departments.lastIndexOf(org.packing.id)).toBeLessThan(departments.indexOf(org.picking.id));
    expect(res.body.items.find((i: any) => i.name === 'Bo Picker')).toEqual({ id: org.colleague.id, name: 'Bo Picker', departmentId: org.picking.id, departmentName: 'Picking' });
    // A swap with someone outside that list is refused.
    const far = await post(org.employeeToken, '/adjustments', {
      employeeId: org.employee.id, kind: 'swap', counterpartEmployeeId: org.outsider.id, start: '2026-04-13T00:00:00Z', end: '2026-04-14T00:00:00Z', reason: 'far',
    });
    expect(far.status).toBe(422);
    expect(far.body.error.details).toEqual({ field: 'counterpartEmployeeId' });
  });

  it("one person's schedule equals the whole organisation's filtered to them, when swaps chain and the other party has time off", async () => {
    // Eve (Packing) first swaps Wednesday with Fay (Picking), then takes an hour off; then Ada swaps with Eve.
    const eve = await person('Eve Swap', org.packing.id);
    const fay = await person('Fay Chain', org.picking.id);
    expect((await putContract(t.adminToken, eve.id, { effectiveFrom: '2026-04-01', pattern: weekdays('14:00', '22:00', org.location.id) })).status).toBe(200);
    expect((await putContract(t.adminToken, fay.id, { effectiveFrom: '2026-04-01', pattern: weekdays('06:00', '12:00', org.location.id) })).status).toBe(200);
    const wed = { start: '2026-04-14T23:00:00Z', end: '2026-04-15T23:00:00Z' }; // Wednesday 15 April, London (BST)
    const swap = async (requester: { id: string; token: string }, other: { id: string; token: string }, decider: string) => {
      const a = await created(requester.token, '/adjustments', { employeeId: requester.id, kind: 'swap', counterpartEmployeeId: other.id, ...wed, reason: 'chain' });
      expect((await post(other.token, `/adjustments/${a.id}/accept`)).status).toBe(200);
      const approved = await post(decider, `/adjustments/${a.id}/approve`);
      expect(approved.status, JSON.stringify(approved.body)).toBe(200);
      return a;
    };
    await swap(eve, fay, t.adminToken);
    const off = await created(org.managerToken, '/adjustments', { employeeId: eve.id, kind: 'time_off', start: '2026-04-15T09:00:00Z', end: '2026-04-15T10:00:00Z', reason: 'errand' });
    expect(off.status).toBe('approved');
    const last = await swap({ id: org.employee.id, token: org.employeeToken }, eve, org.managerToken);

    // Ada now works what Eve had: Fay's morning, less Eve's hour off.
    const range = 'from=2026-04-13&to=2026-04-19';
    const own = await schedule(org.employeeToken, range);
    const wedItems = own.body.items.filter((i: any) => i.date === '2026-04-15');
    expect(wedItems.map((i: any) => [i.start, i.end])).toEqual([
      ['2026-04-15T06:00:00+01:00', '2026-04-15T10:00:00+01:00'],
      ['2026-04-15T11:00:00+01:00', '2026-04-15T12:00:00+01:00'],
    ]);
    expect(wedItems[0].source).toEqual({ layer: 'adjustment', id: last.id });
    expect(wedItems[0].provenance).toContain("Fay Chain's contract from 2026-04-01, Wed 06:00-12:00");
    expect(wedItems[0].provenance).toContain(`removed by time off #${off.number}`);

    // The same, person by person, as the whole organisation's schedule filtered to them.
    const whole = await schedule(t.adminToken, range);
    expect(whole.status).toBe(200);
    const everyone = (await t.call(t.adminToken, { method: 'GET', url: api('/employees?limit=200') })).body.items.filter((e: any) => e.active);
    expect(everyone.length).toBeGreaterThanOrEqual(6);
    for (const e of everyone) {
      const alone = await schedule(t.adminToken, `${range}&employeeId=${e.id}`);
      expect(alone.body.items, e.name).toEqual(whole.body.items.filter((i: any) => i.employeeId === e.id));
      expect(alone.body.violations, e.name).toEqual(whole.body.violations.filter((v: any) => v.employeeId === e.id));
    }
    expect(own.body).toEqual(await schedule(t.adminToken, `${range}&employeeId=${org.employee.id}`).then((r) => r.body));
    // Minutes are the length of the instants returned, item by item.
    for (const i of whole.body.items) expect(i.minutes).toBe((Date.parse(i.end) - Date.parse(i.start)) / 60_000);
  });
});

describe('live events over a socket', () => {
  type Pushed = LogEvent & { channel: Channel };
  async function connect(token: string) {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(socketUrl, { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
    sockets.push(socket);
    const events: Pushed[] = [];
    socket.on('event', (e) => events.push(e));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const subscribe = (channel: string): Promise<SubscribeAck> => socket.timeout(10_000).emitWithAck('subscribe', { channel: channel as Channel });
    return { events, subscribe };
  }
  async function waitFor(what: string, probe: () => boolean) {
    const deadline = Date.now() + 15_000;
    while (!probe()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it("the employee's `me` and the manager's `approvals` channels carry adjustment.requested and adjustment.approved", async () => {
    const ada = await connect(org.employeeToken);
    const mia = await connect(org.managerToken);
    expect(await ada.subscribe('me')).toMatchObject({ ok: true });
    expect(await mia.subscribe('approvals')).toMatchObject({ ok: true });

    // Someone else's request, outside Mia's scope, goes first: it must reach neither of them.
    const key = await created(t.adminToken, '/api-keys', { name: 'socket planner', scopes: ['schedule:write'] });
    const elsewhere = JSON.parse(
      (await t.app.inject({ method: 'POST', url: api('/adjustments'), headers: { 'x-api-key': key.key }, payload: { employeeId: org.outsider.id, kind: 'time_off', start: '2026-04-28T05:00:00Z', end: '2026-04-28T06:00:00Z', reason: 'elsewhere' } })).body,
    );
    const req = await created(org.employeeToken, '/adjustments', { employeeId: org.employee.id, kind: 'time_off', start: '2026-04-28T09:00:00Z', end: '2026-04-28T10:00:00Z', reason: 'live' });
    const seen = (client: { events: Pushed[] }, type: string) => client.events.find((e) => e.type === type && e.entity.id === req.id);
    await waitFor('Ada to hear of her request', () => !!seen(ada, 'adjustment.requested'));
    await waitFor('Mia to hear of the request', () => !!seen(mia, 'adjustment.requested'));
    expect(seen(ada, 'adjustment.requested')).toMatchObject({ channel: 'me', entity: { type: 'adjustment', id: req.id }, payload: { number: req.number, kind: 'time_off', employeeId: org.employee.id } });
    expect(seen(mia, 'adjustment.requested')).toMatchObject({ channel: 'approvals', payload: { number: req.number } });

    expect((await post(org.managerToken, `/adjustments/${req.id}/approve`)).status).toBe(200);
    await waitFor('Ada to hear of the approval', () => !!seen(ada, 'adjustment.approved'));
    await waitFor('Mia to hear of the approval', () => !!seen(mia, 'adjustment.approved'));
    expect(seen(ada, 'adjustment.approved')).toMatchObject({ channel: 'me', actor: { name: 'Mia Manager' }, payload: { after: { status: 'approved' } } });
    expect(seen(mia, 'adjustment.approved')).toMatchObject({ channel: 'approvals' });
    // Delivered in log order, so the earlier out-of-scope request would have arrived by now.
    for (const client of [ada, mia]) expect(client.events.some((e) => e.entity.id === elsewhere.id)).toBe(false);
  });
});

describe('contracts over time', () => {
  it('inserting a contract between two others changes neither; one inside another splits it; only overlapped contracts are trimmed or superseded', async () => {
    const gil = await created(t.adminToken, '/employees', { name: 'Gil Contract', departmentId: org.packing.id, locationId: org.location.id });
    const put = async (effectiveFrom: string, effectiveTo: string | null, start: string) => {
      const res = await putContract(t.adminToken, gil.id, { effectiveFrom, effectiveTo, pattern: weekdays(start, '12:00', org.location.id) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    const a = await put('2026-03-01', '2026-05-31', '06:00');
    const c = await put('2026-07-01', null, '08:00');
    const b = await put('2026-06-01', '2026-06-30', '07:00');
    expect(await contractsOf(gil.id)).toEqual([
      ['2026-03-01', '2026-05-31', '06:00'],
      ['2026-06-01', '2026-06-30', '07:00'],
      ['2026-07-01', null, '08:00'],
    ]);
    const ids = async () => (await t.call(t.adminToken, { method: 'GET', url: api(`/employees/${gil.id}/contracts`) })).body.items.map((k: any) => k.id);
    expect(await ids()).toEqual([a.id, b.id, c.id]);
    const july = await schedule(t.adminToken, `from=2026-07-06&to=2026-07-06&employeeId=${gil.id}`);
    expect(july.body.items.map((i: any) => [i.start, i.source.id])).toEqual([['2026-07-06T08:00:00+01:00', c.id]]);

    // A week inside the open-ended contract: it stops before and carries on after, as it was.
    const d = await put('2026-08-03', '2026-08-09', '09:00');
    expect(await contractsOf(gil.id)).toEqual([
      ['2026-03-01', '2026-05-31', '06:00'],
      ['2026-06-01', '2026-06-30', '07:00'],
      ['2026-07-01', '2026-08-02', '08:00'],
      ['2026-08-03', '2026-08-09', '09:00'],
      ['2026-08-10', null, '08:00'],
    ]);
    const audit = await t.call(t.adminToken, { method: 'GET', url: api(`/audit?entityType=contract&entityId=${d.id}`) });
    expect(audit.body.items[0].payload).toMatchObject({ closed: [{ id: c.id, effectiveTo: '2026-08-02' }], superseded: [], resumed: [{ effectiveFrom: '2026-08-10', effectiveTo: null, splitFrom: c.id }] });
    const aug = await schedule(t.adminToken, `from=2026-08-07&to=2026-08-10&employeeId=${gil.id}`);
    expect(aug.body.items.map((i: any) => [i.date, i.start.slice(11, 16)])).toEqual([['2026-08-07', '09:00'], ['2026-08-10', '08:00']]);

    // Overlapping the end of one and the start of the next: the first ends earlier, the next starts later.
    await put('2026-06-15', '2026-07-10', '10:00');
    expect(await contractsOf(gil.id)).toEqual([
      ['2026-03-01', '2026-05-31', '06:00'],
      ['2026-06-01', '2026-06-14', '07:00'],
      ['2026-06-15', '2026-07-10', '10:00'],
      ['2026-07-11', '2026-08-02', '08:00'],
      ['2026-08-03', '2026-08-09', '09:00'],
      ['2026-08-10', null, '08:00'],
    ]);

    // An open-ended contract supersedes everything from its first day on, and nothing before.
    await put('2026-06-01', null, '11:00');
    expect(await contractsOf(gil.id)).toEqual([
      ['2026-03-01', '2026-05-31', '06:00'],
      ['2026-06-01', null, '11:00'],
    ]);
    expect((await ids())[0]).toBe(a.id);
  });

  it("a manager sets pattern shifts only at locations in their scope", async () => {
    const hal = await created(t.adminToken, '/employees', { name: 'Hal Pattern', departmentId: org.packing.id, locationId: org.location.id });
    const mumbai = await putContract(org.managerToken, hal.id, { effectiveFrom: '2026-03-01', pattern: weekdays('09:00', '17:00', org.otherLocation.id) });
    expect(mumbai.status).toBe(403);
    expect(mumbai.body.error).toMatchObject({ code: 'FORBIDDEN', details: { locationId: org.otherLocation.id } });
    expect(await contractsOf(hal.id)).toEqual([]);
    expect((await putContract(org.managerToken, hal.id, { effectiveFrom: '2026-03-01', pattern: weekdays('09:00', '17:00', org.location.id) })).status).toBe(200);
    expect((await putContract(t.adminToken, hal.id, { effectiveFrom: '2026-09-01', pattern: weekdays('09:00', '17:00', org.otherLocation.id) })).status).toBe(200);
  });
});

describe('labour-rule sentences through the API', () => {
  it('max_weekly and min_rest say who, when, how much and the limit, in the location zone', async () => {
    const rules = (body: object) => t.call(t.adminToken, { method: 'PUT', url: api(`/locations/${org.location.id}/labour-rules`), payload: body });
    expect((await rules({ maxDailyMinutes: 600, maxWeeklyMinutes: 2000, minRestMinutes: 660 })).status).toBe(200);
    try {
      const week = await schedule(t.adminToken, `from=2026-04-20&to=2026-04-26&employeeId=${org.employee.id}`);
      expect(week.body.violations).toEqual([
        expect.objectContaining({
          rule: 'max_weekly',
          minutes: 5 * 450,
          limitMinutes: 2000,
          date: '2026-04-20',
          start: '2026-04-20T08:00:00+01:00',
          end: '2026-04-24T16:00:00+01:00',
          message: 'Ada Employee is scheduled 37 h 30 min in the week of 2026-04-20, over the 33 h 20 min weekly limit.',
        }),
      ]);

      // An evening shift on Tuesday leaves 3 h of rest after the day shift and 10 h before Wednesday's.
      const extra = await created(org.managerToken, '/adjustments', {
        employeeId: org.employee.id, kind: 'extra_shift', start: '2026-04-21T18:00:00Z', end: '2026-04-21T21:00:00Z', locationId: org.location.id, reason: 'evening cover',
      });
      expect(extra.status).toBe('approved');
      const tue = await schedule(t.adminToken, `from=2026-04-21&to=2026-04-21&employeeId=${org.employee.id}`);
      const rest = tue.body.violations.filter((v: any) => v.rule === 'min_rest');
      expect(rest.map((v: any) => [v.start, v.end, v.minutes, v.limitMinutes, v.message])).toEqual([
        ['2026-04-21T16:00:00+01:00', '2026-04-21T19:00:00+01:00', 180, 660,
          'Ada Employee gets only 3 h of rest between the shift ending Tue 2026-04-21 16:00 and the next starting Tue 2026-04-21 19:00 (11 h required, Europe/London).'],
        ['2026-04-21T22:00:00+01:00', '2026-04-22T08:00:00+01:00', 600, 660,
          'Ada Employee gets only 10 h of rest between the shift ending Tue 2026-04-21 22:00 and the next starting Wed 2026-04-22 08:00 (11 h required, Europe/London).'],
      ]);
      // A one-day query judges the whole week, Wednesday to Friday included.
      expect(tue.body.violations.find((v: any) => v.rule === 'max_weekly')?.message).toBe('Ada Employee is scheduled 40 h 30 min in the week of 2026-04-20, over the 33 h 20 min weekly limit.');
    } finally {
      await rules({ maxDailyMinutes: 480, maxWeeklyMinutes: 2400, minRestMinutes: 660 });
    }
  });
});
