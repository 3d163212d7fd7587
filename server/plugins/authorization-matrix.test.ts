import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { areas } from '../../contract/common.ts';
import { ADMIN, createTestApp, seedSmallOrg, type TestApp } from '../testing/test-app.ts';
import type { RouteAccess } from './auth.ts';

/**
 * Who may call what: every /api/v1 route, for every kind of caller. A route without an entry here
 * fails the suite, so a new route cannot ship without its authorisation being written down.
 */
const callers = ['anonymous', 'employee', 'manager', 'admin', 'keyWith', 'keyWithout'] as const;
type Caller = (typeof callers)[number];
type Outcome = '2xx' | 401 | 403 | 404;
type Expectations = Record<Caller, Outcome>;

interface Request {
  /** Substituted for `:id` in the route's url. */
  id?: string;
  payload?: object;
  /** A body sent as is, with its content type (multipart uploads). */
  raw?: { raw: string; contentType: string };
  query?: string;
  cookies?: Record<string, string>;
}
interface Case {
  name: string;
  /** Builds the request for one caller; may create fresh data (as the admin) so a 2xx really changes something. */
  request: (caller: Caller) => Promise<Request> | Request;
  expect: Expectations;
  /** Extra checks on a successful answer, e.g. that a list is limited to the caller's scope. */
  check?: (caller: Caller, body: any) => void;
}

// Expectation shorthands; each entry below still spells out the cells it changes.
const all = (o: Outcome): Expectations => ({ anonymous: o, employee: o, manager: o, admin: o, keyWith: o, keyWithout: o });
/** Any signed-in person or a key with the area's scope. */
const readers = (o: Partial<Expectations> = {}): Expectations => ({
  anonymous: 401, employee: '2xx', manager: '2xx', admin: '2xx', keyWith: '2xx', keyWithout: 403, ...o,
});
/** Admins and keys with the area's write scope. */
const adminsAndKeys = (o: Partial<Expectations> = {}): Expectations => ({
  anonymous: 401, employee: 403, manager: 403, admin: '2xx', keyWith: '2xx', keyWithout: 403, ...o,
});
/** Admins only; keys are refused whatever their scopes (these routes grant roles or keys). */
const adminsOnly = (o: Partial<Expectations> = {}): Expectations => ({
  anonymous: 401, employee: 403, manager: 403, admin: '2xx', keyWith: 403, keyWithout: 403, ...o,
});
/** Signed-in people of every role; never keys. */
const people = (o: Partial<Expectations> = {}): Expectations => ({
  anonymous: 401, employee: '2xx', manager: '2xx', admin: '2xx', keyWith: 403, keyWithout: 403, ...o,
});

let t: TestApp;
let org: Awaited<ReturnType<typeof seedSmallOrg>>;
/** A second person in the manager's department, and an agent key that proposes schedule changes. */
let packer2: { id: string };
let agentKey: string;
let adaAdjustment: { id: string };
let outsiderAdjustment: { id: string };
let seq = 0;
const unique = (label: string) => `${label} ${++seq}`;
let ips = 0;
const ip = () => `10.3.${Math.floor(++ips / 250)}.${(ips % 250) + 1}`;

async function asAdmin(method: 'POST' | 'GET', url: string, payload?: object) {
  const res = await t.call(t.adminToken, { method, url: `/api/v1${url}`, ...(payload ? { payload } : {}) });
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
const freshLocation = () => asAdmin('POST', '/locations', { name: unique('Site'), timezone: 'Europe/Madrid' });
const freshDepartment = () => asAdmin('POST', '/departments', { name: unique('Dept'), locationId: org.location.id });
const freshEmployee = (where: 'packing' | 'mumbai') =>
  asAdmin('POST', '/employees', {
    name: unique('Person'),
    departmentId: where === 'packing' ? org.packing.id : org.mumbaiOps.id,
    locationId: where === 'packing' ? org.location.id : org.otherLocation.id,
  });
const freshUser = () => asAdmin('POST', '/users', { email: `${unique('user').replace(' ', '')}@test.example`, password: 'matrix-password-1', role: 'employee' });
const freshKey = () => asAdmin('POST', '/api-keys', { name: unique('key'), scopes: ['org:read'] });
async function freshCookie() {
  const res = await t.call(undefined, { method: 'POST', url: '/api/v1/auth/login', payload: ADMIN, remoteAddress: ip() });
  const line = [res.headers['set-cookie']].flat().map(String).find((c) => c.startsWith('wf_refresh='))!;
  return { wf_refresh: line.split(';')[0]!.slice('wf_refresh='.length) };
}
const ids = (body: { items: { id: string }[] }) => body.items.map((i) => i.id);

// Schedule: each request gets its own two hours on its own day, so no two adjustments ever collide.
let slot = 0;
function window() {
  const day = new Date(Date.UTC(2031, 0, 1) + ++slot * 86_400_000);
  const at = (h: number) => new Date(day.getTime() + h * 3_600_000).toISOString();
  return { start: at(10), end: at(12), date: day.toISOString().slice(0, 10) };
}
const timeOff = (employeeId: string) => ({ employeeId, kind: 'time_off', ...(({ start, end }) => ({ start, end }))(window()), reason: 'matrix' });
/** A pending request of Ada's, made by Ada herself. */
async function adaPending() {
  const res = await t.call(org.employeeToken, { method: 'POST', url: '/api/v1/adjustments', payload: timeOff(org.employee.id) });
  if (res.status !== 201 || res.body.status !== 'pending') throw new Error(`adjustment: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
/** A pending request for someone at the other site, proposed by an agent. */
async function outsiderPending() {
  const res = await t.call(undefined, { method: 'POST', url: '/api/v1/adjustments', payload: timeOff(org.outsider.id), headers: { 'x-api-key': agentKey } });
  if (res.status !== 201 || res.body.status !== 'pending') throw new Error(`adjustment: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
/** Set directly by the admin, so already approved. */
async function adaApproved() {
  const a = await asAdmin('POST', '/adjustments', timeOff(org.employee.id));
  if (a.status !== 'approved') throw new Error(`expected approved, got ${a.status}`);
  return a;
}
/** A swap a packing colleague asks of Ada; waits for Ada to accept. */
const swapWithAda = () =>
  asAdmin('POST', '/adjustments', { ...timeOff(packer2.id), kind: 'swap', counterpartEmployeeId: org.employee.id });
const contractBody = () => ({ effectiveFrom: window().date, pattern: [{ weekday: 1, start: '09:00', end: '17:00', locationId: org.location.id }] });
const labourRules = { maxDailyMinutes: 600, maxWeeklyMinutes: 2880, minRestMinutes: 660 };
const demandBody = { weekly: [{ weekday: 1, hour: 9, required: 3 }] };
// Time clock: punches go to fresh people so no state machine refuses a second clock-in.
const punchFor = (employeeId: string) => ({ id: randomUUID(), employeeId, kind: 'clock_in' });
let lockDay = 0;
function pastPeriod() {
  const from = new Date(Date.UTC(2020, 0, 1) + ++lockDay * 2 * 86_400_000).toISOString().slice(0, 10);
  return { locationId: org.location.id, from, to: from };
}
async function withPin(employeeId: string, pin = '4821') {
  const res = await t.call(t.adminToken, { method: 'PUT', url: `/api/v1/employees/${employeeId}/pin`, payload: { pin } });
  if (res.status !== 204) throw new Error(`pin: ${res.status} ${JSON.stringify(res.body)}`);
  return { pin };
}
function csvImport(employeeId: string) {
  const boundary = 'matrixboundary';
  const csv = `employee,kind,at\n${employeeId},clock_in,${new Date(Date.now() - 3_600_000).toISOString()}\n`;
  const mapping = JSON.stringify({ employee: 'employee', match: 'id', kind: 'kind', at: 'at' });
  const body =
    `--${boundary}\r\nContent-Disposition: form-data; name="mapping"\r\n\r\n${mapping}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="punches.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n` +
    `--${boundary}--\r\n`;
  return { raw: body, contentType: `multipart/form-data; boundary=${boundary}` };
}
async function calendarTokenOf(employeeId: string) {
  return (await asAdmin('GET', `/employees/${employeeId}/calendar-token`)).token as string;
}

const matrix: Record<string, Case[]> = {
  // ---- Auth: public endpoints answer the same whoever calls; what matters is the body or cookie.
  'POST /api/v1/auth/login': [
    { name: 'right password', request: () => ({ payload: ADMIN }), expect: all('2xx') },
    { name: 'wrong password', request: () => ({ payload: { ...ADMIN, password: 'wrong-password' } }), expect: all(401) },
  ],
  'POST /api/v1/auth/refresh': [
    { name: 'with a live cookie', request: async () => ({ cookies: await freshCookie() }), expect: all('2xx') },
    { name: 'without a cookie', request: () => ({}), expect: all(401) },
  ],
  'POST /api/v1/auth/logout': [{ name: 'with a live cookie', request: async () => ({ cookies: await freshCookie() }), expect: all('2xx') }],
  'GET /api/v1/auth/me': [
    { name: 'self', request: () => ({}), expect: people(), check: (c, body) => expect(body.role).toBe(c) },
  ],
  'POST /api/v1/api-keys': [{ name: 'create', request: () => ({ payload: { name: unique('key'), scopes: ['org:read'] } }), expect: adminsOnly() }],
  'GET /api/v1/api-keys': [{ name: 'list', request: () => ({}), expect: adminsOnly() }],
  'DELETE /api/v1/api-keys/:id': [{ name: 'revoke', request: async () => ({ id: (await freshKey()).id }), expect: adminsOnly() }],

  // ---- Locations
  'GET /api/v1/locations': [
    {
      name: 'list',
      request: () => ({ query: 'limit=500' }),
      expect: readers(),
      check: (c, body) => {
        if (c === 'employee' || c === 'manager') expect(ids(body)).toEqual([org.location.id]);
        else expect(ids(body)).toEqual(expect.arrayContaining([org.location.id, org.otherLocation.id]));
      },
    },
  ],
  'GET /api/v1/locations/:id': [
    { name: 'their own site', request: () => ({ id: org.location.id }), expect: readers() },
    { name: 'the other site', request: () => ({ id: org.otherLocation.id }), expect: readers({ employee: 404, manager: 404 }) },
  ],
  'POST /api/v1/locations': [{ name: 'create', request: () => ({ payload: { name: unique('Site'), timezone: 'Asia/Tokyo' } }), expect: adminsAndKeys() }],
  'PATCH /api/v1/locations/:id': [
    { name: 'rename', request: async () => ({ id: (await freshLocation()).id, payload: { name: unique('Renamed') } }), expect: adminsAndKeys() },
  ],
  'DELETE /api/v1/locations/:id': [{ name: 'deactivate', request: async () => ({ id: (await freshLocation()).id }), expect: adminsAndKeys() }],

  // ---- Departments
  'GET /api/v1/departments': [
    {
      name: 'list',
      request: () => ({ query: 'limit=500' }),
      expect: readers(),
      check: (c, body) => {
        if (c === 'employee' || c === 'manager') expect(ids(body)).toEqual([org.packing.id]);
        else expect(ids(body)).toEqual(expect.arrayContaining([org.packing.id, org.picking.id, org.mumbaiOps.id]));
      },
    },
  ],
  'GET /api/v1/departments/:id': [
    { name: 'their department', request: () => ({ id: org.packing.id }), expect: readers() },
    { name: 'another department at the same site', request: () => ({ id: org.picking.id }), expect: readers({ employee: 404, manager: 404 }) },
    { name: 'a department at the other site', request: () => ({ id: org.mumbaiOps.id }), expect: readers({ employee: 404, manager: 404 }) },
  ],
  'POST /api/v1/departments': [
    { name: 'create', request: () => ({ payload: { name: unique('Dept'), locationId: org.location.id } }), expect: adminsAndKeys() },
  ],
  'PATCH /api/v1/departments/:id': [
    { name: 'rename', request: async () => ({ id: (await freshDepartment()).id, payload: { name: unique('Renamed') } }), expect: adminsAndKeys() },
  ],
  'DELETE /api/v1/departments/:id': [{ name: 'deactivate', request: async () => ({ id: (await freshDepartment()).id }), expect: adminsAndKeys() }],

  // ---- Employees: an employee sees only themselves; a manager their departments/locations.
  'GET /api/v1/employees': [
    {
      name: 'list',
      request: () => ({ query: 'limit=500' }),
      expect: readers(),
      check: (c, body) => {
        if (c === 'employee') expect(ids(body)).toEqual([org.employee.id]);
        else if (c === 'manager') {
          expect(ids(body)).toContain(org.employee.id);
          expect(body.items.every((e: { departmentId: string }) => e.departmentId === org.packing.id)).toBe(true);
        } else expect(ids(body)).toEqual(expect.arrayContaining([org.employee.id, org.colleague.id, org.outsider.id]));
      },
    },
  ],
  'GET /api/v1/employees/:id': [
    { name: 'the employee themselves', request: () => ({ id: org.employee.id }), expect: readers() },
    { name: 'a colleague in another department', request: () => ({ id: org.colleague.id }), expect: readers({ employee: 404, manager: 404 }) },
    { name: 'someone at the other site', request: () => ({ id: org.outsider.id }), expect: readers({ employee: 404, manager: 404 }) },
  ],
  'POST /api/v1/employees': [
    {
      name: "in the manager's department",
      request: () => ({ payload: { name: unique('Hire'), departmentId: org.packing.id, locationId: org.location.id } }),
      expect: adminsAndKeys({ manager: '2xx' }),
    },
    {
      name: 'at the other site',
      request: () => ({ payload: { name: unique('Hire'), departmentId: org.mumbaiOps.id, locationId: org.otherLocation.id } }),
      expect: adminsAndKeys(),
    },
  ],
  'PATCH /api/v1/employees/:id': [
    {
      name: "in the manager's department",
      request: async () => ({ id: (await freshEmployee('packing')).id, payload: { name: unique('Renamed') } }),
      expect: adminsAndKeys({ manager: '2xx' }),
    },
    {
      name: 'at the other site',
      request: async () => ({ id: (await freshEmployee('mumbai')).id, payload: { name: unique('Renamed') } }),
      expect: adminsAndKeys({ manager: 404 }),
    },
  ],
  'DELETE /api/v1/employees/:id': [
    { name: "in the manager's department", request: async () => ({ id: (await freshEmployee('packing')).id }), expect: adminsAndKeys({ manager: '2xx' }) },
    { name: 'at the other site', request: async () => ({ id: (await freshEmployee('mumbai')).id }), expect: adminsAndKeys({ manager: 404 }) },
  ],
  'GET /api/v1/org/headcount': [{ name: 'headcount', request: () => ({}), expect: readers() }],

  // ---- Users (log-in accounts): admins only, never keys.
  'GET /api/v1/users': [{ name: 'list', request: () => ({}), expect: adminsOnly() }],
  'GET /api/v1/users/:id': [{ name: 'get', request: () => ({ id: org.employeeUser.id }), expect: adminsOnly() }],
  'POST /api/v1/users': [
    {
      name: 'create',
      request: () => ({ payload: { email: `${unique('new').replace(' ', '')}@test.example`, password: 'matrix-password-1', role: 'admin' } }),
      expect: adminsOnly(),
    },
  ],
  'PATCH /api/v1/users/:id': [{ name: 'promote', request: async () => ({ id: (await freshUser()).id, payload: { role: 'admin' } }), expect: adminsOnly() }],
  'DELETE /api/v1/users/:id': [{ name: 'deactivate', request: async () => ({ id: (await freshUser()).id }), expect: adminsOnly() }],

  // ---- Audit: every reader gets 2xx; what each sees is tested in features/audit.
  'GET /api/v1/audit': [{ name: 'list', request: () => ({}), expect: readers() }],

  // ---- Schedule: employees read and request for themselves; managers decide within their scope;
  // agents (keys) propose but never decide.
  'GET /api/v1/schedule': [
    { name: 'everyone visible', request: () => ({ query: 'from=2031-01-05&to=2031-01-11' }), expect: readers() },
    {
      name: 'someone at the other site',
      request: () => ({ query: `from=2031-01-05&to=2031-01-11&employeeId=${org.outsider.id}` }),
      expect: readers({ employee: 404, manager: 404 }),
    },
  ],
  'GET /api/v1/employees/:id/contracts': [
    { name: 'the employee themselves', request: () => ({ id: org.employee.id }), expect: readers() },
    { name: 'someone at the other site', request: () => ({ id: org.outsider.id }), expect: readers({ employee: 404, manager: 404 }) },
  ],
  'GET /api/v1/employees/:id/swap-candidates': [
    {
      name: "Ada's colleagues",
      request: () => ({ id: org.employee.id }),
      expect: readers(),
      check: (_c, body) => {
        const found = body.items.map((i: { id: string }) => i.id);
        expect(found).toEqual(expect.arrayContaining([packer2.id, org.colleague.id]));
        expect(found).not.toContain(org.employee.id);
        expect(found).not.toContain(org.outsider.id);
        for (const i of body.items) expect(Object.keys(i).sort()).toEqual(['departmentId', 'departmentName', 'id', 'name']);
      },
    },
    { name: 'someone in another department', request: () => ({ id: org.colleague.id }), expect: readers({ employee: 404, manager: 404 }) },
    { name: 'someone at the other site', request: () => ({ id: org.outsider.id }), expect: readers({ employee: 404, manager: 404 }) },
  ],
  'PUT /api/v1/employees/:id/contracts': [
    {
      name: "in the manager's department",
      request: async () => ({ id: (await freshEmployee('packing')).id, payload: contractBody() }),
      expect: adminsAndKeys({ manager: '2xx' }),
    },
    {
      name: 'at the other site',
      request: async () => ({ id: (await freshEmployee('mumbai')).id, payload: contractBody() }),
      expect: adminsAndKeys({ manager: 404 }),
    },
  ],
  'GET /api/v1/holidays': [{ name: 'list', request: () => ({}), expect: readers() }],
  'POST /api/v1/holidays': [
    { name: 'create', request: () => ({ payload: { locationId: org.location.id, date: window().date, name: 'Matrix Day' } }), expect: adminsAndKeys() },
  ],
  'DELETE /api/v1/holidays/:id': [
    {
      name: 'remove',
      request: async () => ({ id: (await asAdmin('POST', '/holidays', { locationId: org.location.id, date: window().date, name: 'Gone Day' })).id }),
      expect: adminsAndKeys(),
    },
  ],
  'GET /api/v1/adjustments': [{ name: 'list', request: () => ({}), expect: readers() }],
  'POST /api/v1/adjustments': [
    { name: 'for Ada', request: () => ({ payload: timeOff(org.employee.id) }), expect: readers() },
    { name: 'for a colleague in another department', request: () => ({ payload: timeOff(org.colleague.id) }), expect: readers({ employee: 404, manager: 404 }) },
  ],
  'GET /api/v1/adjustments/:id': [
    { name: "Ada's", request: () => ({ id: adaAdjustment.id }), expect: readers() },
    { name: "someone's at the other site", request: () => ({ id: outsiderAdjustment.id }), expect: readers({ employee: 404, manager: 404 }) },
  ],
  'GET /api/v1/adjustments/:id/preview': [
    { name: "Ada's", request: () => ({ id: adaAdjustment.id }), expect: readers() },
    { name: "someone's at the other site", request: () => ({ id: outsiderAdjustment.id }), expect: readers({ employee: 404, manager: 404 }) },
  ],
  'POST /api/v1/adjustments/:id/approve': [
    { name: "Ada's request", request: async () => ({ id: (await adaPending()).id, payload: { note: 'ok' } }), expect: adminsOnly({ manager: '2xx' }) },
    { name: "a request at the other site", request: async () => ({ id: (await outsiderPending()).id }), expect: adminsOnly({ employee: 404, manager: 404 }) },
  ],
  'POST /api/v1/adjustments/:id/reject': [
    { name: "Ada's request", request: async () => ({ id: (await adaPending()).id, payload: { note: 'no' } }), expect: adminsOnly({ manager: '2xx' }) },
    { name: "a request at the other site", request: async () => ({ id: (await outsiderPending()).id }), expect: adminsOnly({ employee: 404, manager: 404 }) },
  ],
  'POST /api/v1/adjustments/:id/revoke': [
    { name: "Ada's approved change", request: async () => ({ id: (await adaApproved()).id }), expect: adminsOnly({ manager: '2xx' }) },
  ],
  'POST /api/v1/adjustments/:id/cancel': [
    {
      name: "Ada's own request: only she cancels it",
      request: async () => ({ id: (await adaPending()).id }),
      expect: { anonymous: 401, employee: '2xx', manager: 403, admin: 403, keyWith: 403, keyWithout: 403 },
    },
  ],
  'POST /api/v1/adjustments/:id/accept': [
    {
      name: 'a swap asked of Ada: only she accepts it',
      request: async () => ({ id: (await swapWithAda()).id }),
      expect: { anonymous: 401, employee: '2xx', manager: 403, admin: 403, keyWith: 403, keyWithout: 403 },
    },
  ],
  'GET /api/v1/locations/:id/labour-rules': [
    { name: 'their site', request: () => ({ id: org.location.id }), expect: readers({ employee: 404 }) },
    { name: 'the other site', request: () => ({ id: org.otherLocation.id }), expect: readers({ employee: 404, manager: 404 }) },
  ],
  'PUT /api/v1/locations/:id/labour-rules': [{ name: 'set', request: () => ({ id: org.location.id, payload: labourRules }), expect: adminsAndKeys() }],
  'GET /api/v1/locations/:id/demand': [
    { name: 'their site', request: () => ({ id: org.location.id }), expect: readers({ employee: 404 }) },
    { name: 'the other site', request: () => ({ id: org.otherLocation.id }), expect: readers({ employee: 404, manager: 404 }) },
  ],
  // The department manager has no location in their assignment, so cannot set a site's demand.
  'PUT /api/v1/locations/:id/demand': [{ name: 'set', request: () => ({ id: org.location.id, payload: demandBody }), expect: adminsAndKeys() }],
  'GET /api/v1/employees/:id/calendar-token': [
    { name: 'the employee themselves', request: () => ({ id: org.employee.id }), expect: people() },
    { name: 'someone at the other site', request: () => ({ id: org.outsider.id }), expect: people({ employee: 404, manager: 404 }) },
  ],
  'POST /api/v1/employees/:id/calendar-token': [
    { name: 'the employee themselves', request: () => ({ id: org.employee.id }), expect: people() },
    { name: 'someone at the other site', request: () => ({ id: org.outsider.id }), expect: people({ employee: 404, manager: 404 }) },
  ],
  // Authorised by the secret in the link alone (calendar apps cannot send a token header).
  'GET /api/v1/employees/:id/calendar.ics': [
    { name: 'with the right token', request: async () => ({ id: org.colleague.id, query: `token=${await calendarTokenOf(org.colleague.id)}` }), expect: all('2xx') },
    { name: 'with a wrong token', request: () => ({ id: org.colleague.id, query: `token=${'0'.repeat(48)}` }), expect: all(404) },
  ],

  // ---- Time clock: employees punch for themselves; corrections, kiosks and locks are for managers.
  'POST /api/v1/clock-events': [
    {
      name: 'their own punch (employee) or someone in the department',
      request: async (c) => ({ payload: punchFor(c === 'employee' ? org.employee.id : (await freshEmployee('packing')).id) }),
      expect: readers(),
    },
    { name: 'someone in the department, by an employee', request: async () => ({ payload: punchFor((await freshEmployee('packing')).id) }), expect: readers({ employee: 404 }) },
    { name: 'someone at the other site', request: async () => ({ payload: punchFor((await freshEmployee('mumbai')).id) }), expect: readers({ employee: 404, manager: 404 }) },
  ],
  'POST /api/v1/clock-events/batch': [
    {
      // A batch answers 200 and refuses item by item.
      name: 'someone in the department',
      request: async () => ({ payload: { events: [punchFor((await freshEmployee('packing')).id)] } }),
      expect: readers(),
      check: (c, body) => expect(body.items[0].status).toBe(c === 'employee' ? 404 : 201),
    },
  ],
  'POST /api/v1/clock-events/corrections': [
    {
      name: 'a missed punch in the department',
      request: async () => ({ payload: { ...punchFor((await freshEmployee('packing')).id), at: new Date(Date.now() - 3_600_000).toISOString(), reason: 'forgot to punch' } }),
      expect: adminsAndKeys({ manager: '2xx' }),
    },
    {
      name: 'a missed punch at the other site',
      request: async () => ({ payload: { ...punchFor((await freshEmployee('mumbai')).id), at: new Date(Date.now() - 3_600_000).toISOString(), reason: 'forgot to punch' } }),
      expect: adminsAndKeys({ manager: 404 }),
    },
  ],
  'GET /api/v1/clock-events': [
    { name: "Ada's punches", request: () => ({ query: `employeeId=${org.employee.id}&from=2031-01-01&to=2031-01-31` }), expect: readers() },
    {
      name: "punches of someone at the other site",
      request: () => ({ query: `employeeId=${org.outsider.id}&from=2031-01-01&to=2031-01-31` }),
      expect: readers({ employee: 404, manager: 404 }),
    },
  ],
  'POST /api/v1/clock-events/import': [
    {
      name: 'a file with a punch of someone in the department',
      request: async () => ({ raw: csvImport((await freshEmployee('packing')).id) }),
      expect: readers(),
      check: (c, body) => expect(body.accepted).toBe(c === 'employee' ? 0 : 1),
    },
  ],
  'GET /api/v1/live': [{ name: 'the floor', request: () => ({}), expect: readers() }],
  'GET /api/v1/timesheets': [
    { name: 'everyone visible', request: () => ({ query: 'from=2031-01-01&to=2031-01-07' }), expect: readers() },
    {
      name: 'someone at the other site',
      request: () => ({ query: `from=2031-01-01&to=2031-01-07&employeeId=${org.outsider.id}` }),
      expect: readers({ employee: 404, manager: 404 }),
    },
  ],
  'GET /api/v1/timesheets.csv': [{ name: 'export', request: () => ({ query: 'from=2031-01-01&to=2031-01-07' }), expect: readers() }],
  // Locked by a manager of the whole location or an admin; never by a key.
  'POST /api/v1/timesheets/locks': [{ name: 'lock a past period', request: () => ({ payload: pastPeriod() }), expect: adminsOnly() }],
  'PUT /api/v1/employees/:id/pin': [
    { name: "Ada's PIN", request: () => ({ id: org.employee.id, payload: { pin: '1234' } }), expect: people() },
    { name: 'the PIN of someone at the other site', request: () => ({ id: org.outsider.id, payload: { pin: '1234' } }), expect: people({ employee: 404, manager: 404 }) },
  ],
  // Coverage is for managers of the location (a department manager sees their department's location).
  'GET /api/v1/coverage/hourly': [
    { name: 'their site', request: () => ({ query: `locationId=${org.location.id}&from=2031-01-01&to=2031-01-07` }), expect: readers({ employee: 404 }) },
    { name: 'the other site', request: () => ({ query: `locationId=${org.otherLocation.id}&from=2031-01-01&to=2031-01-07` }), expect: readers({ employee: 404, manager: 404 }) },
  ],
  'GET /api/v1/coverage/alerts': [
    { name: 'their site', request: () => ({ query: `locationId=${org.location.id}` }), expect: readers({ employee: 404 }) },
    { name: 'the other site', request: () => ({ query: `locationId=${org.otherLocation.id}` }), expect: readers({ employee: 404, manager: 404 }) },
  ],
  'POST /api/v1/coverage/rebuild': [{ name: 'rebuild everything', request: () => ({}), expect: adminsAndKeys() }],
  // Kiosk routes are write-level on purpose: a kiosk is a device a manager opens.
  'GET /api/v1/kiosk/people': [{ name: 'at their site', request: () => ({ query: `locationId=${org.location.id}` }), expect: adminsAndKeys({ manager: '2xx' }) }],
  'POST /api/v1/kiosk/punch': [
    {
      name: 'someone in the department with their PIN',
      request: async () => {
        const person = await freshEmployee('packing');
        return { payload: { ...punchFor(person.id), ...(await withPin(person.id)) } };
      },
      expect: adminsAndKeys({ manager: '2xx' }),
    },
  ],
};

/** Keys per area: one with exactly the route's scope, one with every scope of every other area. */
const keys = new Map<string, string>();
async function keyFor(access: RouteAccess, caller: 'keyWith' | 'keyWithout'): Promise<string> {
  const area = access === 'public' ? 'org' : access.area;
  const scopes =
    caller === 'keyWith'
      ? access === 'public' ? areas.flatMap((a) => [`${a}:write`]) : [`${area}:${access.level}`]
      : areas.filter((a) => a !== area).flatMap((a) => [`${a}:read`, `${a}:write`]).slice(0, 16);
  const cacheKey = scopes.join(',');
  if (!keys.has(cacheKey)) keys.set(cacheKey, (await asAdmin('POST', '/api-keys', { name: `matrix key ${keys.size}`, scopes })).key);
  return keys.get(cacheKey)!;
}

async function credentials(caller: Caller, access: RouteAccess): Promise<Record<string, string>> {
  switch (caller) {
    case 'anonymous':
      return {};
    case 'employee':
      return { authorization: `Bearer ${org.employeeToken}` };
    case 'manager':
      return { authorization: `Bearer ${org.managerToken}` };
    case 'admin':
      return { authorization: `Bearer ${t.adminToken}` };
    default:
      return { 'x-api-key': await keyFor(access, caller) };
  }
}

const outcome = (status: number): Outcome | number => (status >= 200 && status < 300 ? '2xx' : status);

beforeAll(async () => {
  t = await createTestApp();
  org = await seedSmallOrg(t);
  packer2 = await freshEmployee('packing');
  agentKey = (await asAdmin('POST', '/api-keys', { name: 'agent', scopes: ['schedule:write'] })).key;
  adaAdjustment = await adaPending();
  outsiderAdjustment = await outsiderPending();
});
afterAll(() => t?.close());

describe('authorisation matrix', () => {
  it('has an entry for every route, and none for a route that no longer exists', () => {
    const routes = t.app.routeAccess.map((r) => `${r.method} ${r.url}`);
    expect(routes.length).toBeGreaterThan(20);
    const missing = routes.filter((r) => !(r in matrix));
    const stale = Object.keys(matrix).filter((k) => !routes.includes(k));
    expect(missing, 'routes without an entry in the authorisation matrix').toEqual([]);
    expect(stale, 'matrix entries for routes that do not exist').toEqual([]);
    for (const [route, cases] of Object.entries(matrix)) expect(cases.length, route).toBeGreaterThan(0);
  });

  it('keeps keys off the people-only routes and anonymous callers off everything but log-in, refresh, log-out and the calendar feed', () => {
    const publicRoutes = t.app.routeAccess.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.url}`);
    expect(publicRoutes.sort()).toEqual(
      ['POST /api/v1/auth/login', 'POST /api/v1/auth/logout', 'POST /api/v1/auth/refresh', 'GET /api/v1/employees/:id/calendar.ics'].sort(),
    );
    const peopleOnly = t.app.routeAccess.filter((r) => r.access !== 'public' && r.access.users).map((r) => `${r.method} ${r.url}`);
    expect(peopleOnly.sort()).toEqual(
      [
        'GET /api/v1/auth/me',
        'POST /api/v1/api-keys',
        'GET /api/v1/api-keys',
        'DELETE /api/v1/api-keys/:id',
        'GET /api/v1/users',
        'GET /api/v1/users/:id',
        'POST /api/v1/users',
        'PATCH /api/v1/users/:id',
        'DELETE /api/v1/users/:id',
        'GET /api/v1/employees/:id/calendar-token',
        'POST /api/v1/employees/:id/calendar-token',
        'PUT /api/v1/employees/:id/pin',
      ].sort(),
    );
    // Every change is declared write, so a read-only key can never change anything.
    for (const r of t.app.routeAccess) {
      if (r.access === 'public' || r.method === 'GET') continue;
      expect(r.access.level, `${r.method} ${r.url}`).toBe('write');
    }
  });

  const entries = Object.entries(matrix).flatMap(([route, cases]) => cases.map((c) => ({ route, c })));
  it.each(entries)('$route: $c.name', async ({ route, c }) => {
    const declared = t.app.routeAccess.find((r) => `${r.method} ${r.url}` === route);
    if (!declared) throw new Error(`${route} is in the matrix but not a route of the app`);
    const actual = {} as Record<Caller, Outcome | number>;
    for (const caller of callers) {
      const request = await c.request(caller);
      const url = declared.url.replace(':id', request.id ?? '00000000-0000-4000-8000-000000000000');
      const res = await t.call(undefined, {
        method: declared.method as 'GET',
        url: request.query ? `${url}?${request.query}` : url,
        headers: { ...(await credentials(caller, declared.access)), ...(request.raw ? { 'content-type': request.raw.contentType } : {}) },
        remoteAddress: ip(),
        ...(request.payload ? { payload: request.payload } : {}),
        ...(request.raw ? { payload: request.raw.raw } : {}),
        ...(request.cookies ? { cookies: request.cookies } : {}),
      });
      actual[caller] = outcome(res.status);
      if (actual[caller] === '2xx') c.check?.(caller, res.body);
      else expect(res.body?.error?.code, `${caller}: error shape`).toMatch(/^[A-Z_]+$/);

      // The codes that say why, where the route's declaration decides it.
      if (declared.access !== 'public') {
        if (caller === 'anonymous') expect(res.body.error.code).toBe('UNAUTHENTICATED');
        if (caller === 'keyWithout') expect(res.body.error.code).toBe(declared.access.users ? 'FORBIDDEN' : 'INSUFFICIENT_SCOPE');
        if (caller === 'keyWith' && declared.access.users) expect(res.body.error.code).toBe('FORBIDDEN');
      }
    }
    expect(actual).toEqual(c.expect);
  });

  it('refuses a key with only the read scope on every write route', async () => {
    const reader = (await asAdmin('POST', '/api-keys', { name: 'read everything', scopes: areas.map((a) => `${a}:read`) })).key;
    const writes = t.app.routeAccess.filter((r) => r.access !== 'public' && r.access.level === 'write');
    expect(writes.length).toBeGreaterThan(10);
    for (const r of writes) {
      const res = await t.call(undefined, {
        method: r.method as 'POST',
        url: r.url.replace(':id', org.employee.id),
        headers: { 'x-api-key': reader },
        payload: {},
      });
      expect(res.status, `${r.method} ${r.url}`).toBe(403);
      expect(res.body.error.code).toBe(r.access !== 'public' && r.access.users ? 'FORBIDDEN' : 'INSUFFICIENT_SCOPE');
    }
    expect((await asAdmin('GET', `/employees/${org.employee.id}`)).active).toBe(true);
  });
});
