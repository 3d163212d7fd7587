import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../lib/app-error.ts';
import { errorsPlugin } from '../../plugins/errors.ts';
import { createTestApp, seedSmallOrg, type TestApp } from '../../testing/test-app.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof seedSmallOrg>>;
beforeAll(async () => {
  t = await createTestApp();
  org = await seedSmallOrg(t);
});
afterAll(() => t?.close());

let nextIp = 0;
async function login(email: string, password: string) {
  const res = await t.call(undefined, {
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
    remoteAddress: `10.2.0.${++nextIp}`,
  });
  return res;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
const api = (method: Method, url: string, payload?: object, token: string | undefined = t.adminToken) =>
  t.call(token, { method, url: `/api/v1${url}`, ...(payload ? { payload } : {}) });

async function created(method: Method, url: string, payload: object) {
  const res = await api(method, url, payload);
  if (res.status !== 201) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The audit entries of one entity, newest first. */
async function eventsOf(entityType: string, entityId: string) {
  const res = await api('GET', `/audit?entityType=${entityType}&entityId=${entityId}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.items as { type: string; payload: Record<string, unknown>; actor: { id: string | null } }[];
}

function expectValidation(res: { status: number; body: any }, path?: string) {
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_FAILED');
  if (path) expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toContain(path);
}

describe('locations', () => {
  it('creates, reads, updates and deactivates, with one event per change carrying before/after', async () => {
    const location = await created('POST', '/locations', { name: 'Adelaide Yard', timezone: 'Australia/Adelaide' });
    expect(location).toMatchObject({ name: 'Adelaide Yard', timezone: 'Australia/Adelaide', active: true });
    expect((await api('GET', `/locations/${location.id}`)).body).toEqual(location);

    const updated = await api('PATCH', `/locations/${location.id}`, { name: 'Adelaide North' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Adelaide North', timezone: 'Australia/Adelaide' });
    // A no-op update changes nothing and writes no event.
    expect((await api('PATCH', `/locations/${location.id}`, { name: 'Adelaide North' })).status).toBe(200);

    const gone = await api('DELETE', `/locations/${location.id}`);
    expect(gone.status).toBe(200);
    expect(gone.body.active).toBe(false);
    const again = await api('DELETE', `/locations/${location.id}`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_INACTIVE');

    const log = await eventsOf('location', location.id);
    expect(log.map((e) => e.type)).toEqual(['location.deactivated', 'location.updated', 'location.created']);
    expect(log[1]!.payload).toEqual({ before: { name: 'Adelaide Yard' }, after: { name: 'Adelaide North' } });
    expect(log[0]!.payload).toEqual({ before: { active: true }, after: { active: false } });
    expect(log.every((e) => e.actor.id !== null)).toBe(true);

    // Inactive rows are hidden from lists unless asked for.
    const active = await api('GET', '/locations?limit=500');
    expect(active.body.items.map((l: { id: string }) => l.id)).not.toContain(location.id);
    const all = await api('GET', '/locations?limit=500&includeInactive=true');
    expect(all.body.items.map((l: { id: string }) => l.id)).toContain(location.id);
  });

  it('refuses a zone that is not IANA with 400 VALIDATION_FAILED and details', async () => {
    for (const timezone of ['Mars/Olympus_Mons', 'CEST', '+02:00', '']) {
      expectValidation(await api('POST', '/locations', { name: 'Nowhere', timezone }), 'body.timezone');
    }
    expectValidation(await api('PATCH', `/locations/${org.location.id}`, { timezone: 'Europe/Atlantis' }), 'body.timezone');
    // Half-hour zones are real zones.
    expect((await api('POST', '/locations', { name: 'Kolkata', timezone: 'Asia/Kolkata' })).status).toBe(201);
  });

  it('refuses unknown fields and stores nothing', async () => {
    const res = await api('POST', '/locations', { name: 'Sneaky', timezone: 'UTC', active: false, id: org.location.id });
    expectValidation(res);
    const list = await api('GET', '/locations?q=Sneaky&includeInactive=true');
    expect(list.body.items).toEqual([]);
    expectValidation(await api('PATCH', `/locations/${org.location.id}`, { createdAt: '2020-01-01T00:00:00Z' }));
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const missing = await api('GET', '/locations/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    expect((await api('PATCH', '/locations/00000000-0000-4000-8000-000000000000', { name: 'x' })).status).toBe(404);
    expectValidation(await api('GET', '/locations/not-a-uuid'), 'params.id');
  });
});

describe('departments', () => {
  it('creates, updates and deactivates; an unknown location is 422', async () => {
    const dept = await created('POST', '/departments', { name: 'Returns', locationId: org.location.id });
    expect(dept).toMatchObject({ name: 'Returns', locationId: org.location.id, active: true });
    const moved = await api('PATCH', `/departments/${dept.id}`, { locationId: org.otherLocation.id });
    expect(moved.status).toBe(200);
    expect(moved.body.locationId).toBe(org.otherLocation.id);

    const unknown = await api('POST', '/departments', { name: 'Ghost', locationId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'UNPROCESSABLE', details: { field: 'locationId' } });
    const badMove = await api('PATCH', `/departments/${dept.id}`, { locationId: '00000000-0000-4000-8000-000000000000' });
    expect(badMove.status).toBe(422);

    expect((await api('DELETE', `/departments/${dept.id}`)).status).toBe(200);
    expect((await api('DELETE', `/departments/${dept.id}`)).body.error.code).toBe('ALREADY_INACTIVE');

    const log = await eventsOf('department', dept.id);
    expect(log.map((e) => e.type)).toEqual(['department.deactivated', 'department.updated', 'department.created']);
    expect(log[1]!.payload).toEqual({ before: { locationId: org.location.id }, after: { locationId: org.otherLocation.id } });
  });

  it('filters by location', async () => {
    const res = await api('GET', `/departments?locationId=${org.otherLocation.id}`);
    expect(res.body.items.map((d: { name: string }) => d.name)).toContain('Operations');
    expect(res.body.items.every((d: { locationId: string }) => d.locationId === org.otherLocation.id)).toBe(true);
  });
});

describe('employees', () => {
  it('creates, updates and deactivates, with before/after in the audit trail', async () => {
    const person = await created('POST', '/employees', {
      name: 'Dee Driver',
      email: 'dee@test.example',
      departmentId: org.packing.id,
      locationId: org.location.id,
      externalIds: { payroll: 'P-77' },
    });
    expect(person).toMatchObject({ name: 'Dee Driver', externalIds: { payroll: 'P-77' }, active: true });
    const updated = await api('PATCH', `/employees/${person.id}`, { departmentId: org.picking.id, email: null });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ departmentId: org.picking.id, email: null, name: 'Dee Driver' });

    expect((await api('DELETE', `/employees/${person.id}`)).status).toBe(200);
    const second = await api('DELETE', `/employees/${person.id}`);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('ALREADY_INACTIVE');

    const log = await eventsOf('employee', person.id);
    expect(log.map((e) => e.type)).toEqual(['employee.deactivated', 'employee.updated', 'employee.created']);
    expect(log[1]!.payload).toEqual({
      name: 'Dee Driver',
      before: { email: 'dee@test.example', departmentId: org.packing.id },
      after: { email: null, departmentId: org.picking.id },
    });
    expect(log[2]!.payload.after).toMatchObject({ name: 'Dee Driver', externalIds: { payroll: 'P-77' } });
  });

  it('validates: unknown department is 422, bad e-mail and unknown fields are 400', async () => {
    const base = { name: 'Eve', departmentId: org.packing.id, locationId: org.location.id };
    const unknownDept = await api('POST', '/employees', { ...base, departmentId: '00000000-0000-4000-8000-000000000000' });
    expect(unknownDept.status).toBe(422);
    expect(unknownDept.body.error.details).toEqual({ field: 'departmentId' });
    expectValidation(await api('POST', '/employees', { ...base, email: 'not-an-email' }), 'body.email');
    expectValidation(await api('POST', '/employees', { ...base, salary: 100 }));
    expectValidation(await api('POST', '/employees', { ...base, name: '   ' }), 'body.name');
    expectValidation(await api('PATCH', `/employees/${org.employee.id}`, { active: false }));
  });

  it('pages with a cursor: no duplicates, no gaps, nextCursor null at the end', async () => {
    const names = ['Pager Gus', 'Pager Ann', 'Pager Ann', 'Pager Zed', 'Pager Kim', 'Pager Bea', 'Pager Lou'];
    const ids: string[] = [];
    for (const name of names) ids.push((await created('POST', '/employees', { name, departmentId: org.picking.id, locationId: org.location.id })).id);

    const seen: { id: string; name: string }[] = [];
    let cursor: string | null = null;
    const sizes: number[] = [];
    do {
      const res = await api('GET', `/employees?q=Pager&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      sizes.push(res.body.items.length);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([3, 3, 1]);
    expect(seen.map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(new Set(seen.map((e) => e.id)).size).toBe(7);
    // Ordered by name then id, so even two people with the same name keep a stable place.
    const sorted = [...seen].sort((a, b) => (a.name === b.name ? (a.id < b.id ? -1 : 1) : a.name < b.name ? -1 : 1));
    expect(seen.map((e) => e.id)).toEqual(sorted.map((e) => e.id));

    const exact = await api('GET', '/employees?q=Pager&limit=7');
    expect(exact.body.items).toHaveLength(7);
    expect(exact.body.nextCursor).toBeNull();
  });

  it('refuses a tampered cursor with 400', async () => {
    const first = await api('GET', '/employees?limit=1');
    const cursor: string = first.body.nextCursor;
    const tampered = [
      'not base64 at all!!',
      `${cursor}x`,
      Buffer.from('{"name":"x"}').toString('base64url'),
      Buffer.from(JSON.stringify(['Ada', 'not-a-uuid'])).toString('base64url'),
      Buffer.from(JSON.stringify(['Ada', 42])).toString('base64url'),
      Buffer.from(JSON.stringify([null, null])).toString('base64url'),
      Buffer.from(JSON.stringify(['A\u0000', '00000000-0000-4000-8000-000000000000'])).toString('base64url'),
      Buffer.from(JSON.stringify(['Ada', '00000000-0000-4000-8000-000000000000', 'extra'])).toString('base64url'),
    ];
    for (const bad of tampered) {
      for (const list of ['/employees', '/locations', '/departments', '/users']) {
        const res = await api('GET', `${list}?cursor=${encodeURIComponent(bad)}`);
        expect(res.status, `${list} with ${bad}`).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
      }
    }
  });

  it('searches name and e-mail with q, treating % and _ literally and ignoring case', async () => {
    for (const name of ['Percent 100% Sure', 'Percent 100 Sure', 'Under_Score', 'UnderXScore', 'Back\\slash']) {
      await created('POST', '/employees', { name, departmentId: org.picking.id, locationId: org.location.id });
    }
    const search = async (q: string) =>
      ((await api('GET', `/employees?q=${encodeURIComponent(q)}&limit=100`)).body.items as { name: string }[]).map((e) => e.name).sort();
    expect(await search('100%')).toEqual(['Percent 100% Sure']);
    expect(await search('%')).toEqual(['Percent 100% Sure']);
    expect(await search('under_')).toEqual(['Under_Score']);
    expect(await search('_')).toEqual(['Under_Score']);
    expect(await search('k\\s')).toEqual(['Back\\slash']);
    expect(await search('ADA@TEST')).toEqual(['Ada Employee']);
    expect(await search('no such person')).toEqual([]);
  });
});

describe('users', () => {
  it('creates, updates and deactivates a user; the password never appears', async () => {
    const user = await created('POST', '/users', {
      email: 'lead@test.example',
      name: 'Lou Lead',
      password: 'lead-password-1',
      role: 'manager',
      locationIds: [org.otherLocation.id],
    });
    expect(user).toMatchObject({ email: 'lead@test.example', role: 'manager', locationIds: [org.otherLocation.id], active: true });
    expect(JSON.stringify(user)).not.toContain('password');
    const got = await api('GET', `/users/${user.id}`);
    expect(got.body).toEqual(user);

    const promoted = await api('PATCH', `/users/${user.id}`, { role: 'admin', locationIds: [] });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ role: 'admin', locationIds: [] });
    const log = await eventsOf('user', user.id);
    expect(log.map((e) => e.type)).toEqual(['user.updated', 'user.created']);
    expect(log[0]!.payload).toEqual({ name: 'Lou Lead', before: { role: 'manager', locationIds: [org.otherLocation.id] }, after: { role: 'admin', locationIds: [] } });
    expect(JSON.stringify(log)).not.toContain('lead-password-1');
    expect(JSON.stringify(log)).not.toContain('argon2');

    const list = await api('GET', '/users?q=lead@');
    expect(list.body.items.map((u: { id: string }) => u.id)).toEqual([user.id]);
    const managers = await api('GET', '/users?role=manager&limit=100');
    expect(managers.body.items.every((u: { role: string }) => u.role === 'manager')).toBe(true);
  });

  it('validates: short password, unknown role, unknown employee/department/location', async () => {
    const base = { email: 'val@test.example', password: 'long-enough-1', role: 'employee' };
    expectValidation(await api('POST', '/users', { ...base, password: 'short' }), 'body.password');
    expectValidation(await api('POST', '/users', { ...base, role: 'root' }), 'body.role');
    expectValidation(await api('POST', '/users', { ...base, passwordHash: 'x' }));
    const ghost = '00000000-0000-4000-8000-000000000000';
    for (const [field, extra] of [['employeeId', { employeeId: ghost }], ['departmentIds', { departmentIds: [ghost] }], ['locationIds', { locationIds: [ghost] }]] as const) {
      const res = await api('POST', '/users', { ...base, ...extra });
      expect(res.status).toBe(422);
      expect(res.body.error.details).toEqual({ field });
    }
    expect((await api('GET', '/users?q=val@')).body.items).toEqual([]);
  });

  it('refuses a duplicate e-mail with 409 EMAIL_TAKEN, whatever the letter case', async () => {
    await created('POST', '/users', { email: 'dup@test.example', password: 'dup-password-1', role: 'employee' });
    for (const email of ['dup@test.example', 'DUP@Test.Example']) {
      const res = await api('POST', '/users', { email, password: 'dup-password-1', role: 'employee' });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('EMAIL_TAKEN');
    }
  });

  it('lets exactly one of five concurrent creates with the same e-mail succeed', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        api('POST', '/users', { email: i % 2 ? 'RACE@test.example' : 'race@test.example', password: 'race-password-1', role: 'employee' }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'EMAIL_TAKEN')).toBe(true);
    const list = await api('GET', '/users?q=race@');
    expect(list.body.items).toHaveLength(1);
    const created = await api('GET', `/audit?type=user.created&limit=100`);
    expect(created.body.items.filter((e: { payload: { after: { email: string } } }) => e.payload.after.email.toLowerCase() === 'race@test.example')).toHaveLength(1);
  });

  it('deactivating a user ends their sessions at once and stops them logging in', async () => {
    await created('POST', '/users', { email: 'leaver@test.example', password: 'leaver-password-1', role: 'employee', employeeId: org.colleague.id });
    const session = await login('leaver@test.example', 'leaver-password-1');
    const token = session.body.accessToken as string;
    expect((await api('GET', '/auth/me', undefined, token)).status).toBe(200);
    const user = (await api('GET', '/users?q=leaver@')).body.items[0];

    const res = await api('DELETE', `/users/${user.id}`);
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);
    const after = await api('GET', '/auth/me', undefined, token);
    expect(after.status).toBe(401);
    const cookie = [session.headers['set-cookie']].flat().find((c) => String(c).startsWith('wf_refresh='))!;
    const refresh = await t.call(undefined, { method: 'POST', url: '/api/v1/auth/refresh', cookies: { wf_refresh: String(cookie).split(';')[0]!.split('=')[1]! } });
    expect(refresh.status).toBe(401);
    const relogin = await login('leaver@test.example', 'leaver-password-1');
    expect(relogin.status).toBe(401);
    expect(relogin.body.error.code).toBe('INVALID_CREDENTIALS');

    expect((await api('DELETE', `/users/${user.id}`)).body.error.code).toBe('ALREADY_INACTIVE');
    const log = await eventsOf('user', user.id);
    expect(log.map((e) => e.type)).toEqual(['user.deactivated', 'user.created']);
    expect(log[0]!.payload).toMatchObject({ before: { active: true }, after: { active: false } });
  });

  it('an admin cannot deactivate their own account', async () => {
    const me = await api('GET', '/auth/me');
    const res = await api('DELETE', `/users/${me.body.id}`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
  });

  it('a password change ends the sessions that used the old one and writes one event without secrets', async () => {
    const user = await created('POST', '/users', { email: 'rotate@test.example', password: 'rotate-password-1', role: 'employee' });
    const oldSession = (await login('rotate@test.example', 'rotate-password-1')).body.accessToken as string;
    const before = (await eventsOf('user', user.id)).length;

    const res = await api('PATCH', `/users/${user.id}`, { password: 'rotate-password-2' });
    expect(res.status).toBe(200);
    expect((await api('GET', '/auth/me', undefined, oldSession)).status).toBe(401);
    expect((await login('rotate@test.example', 'rotate-password-1')).status).toBe(401);
    const fresh = await login('rotate@test.example', 'rotate-password-2');
    expect(fresh.status).toBe(200);
    expect((await api('GET', '/auth/me', undefined, fresh.body.accessToken)).status).toBe(200);

    const log = await eventsOf('user', user.id);
    expect(log).toHaveLength(before + 1);
    expect(log[0]!.type).toBe('user.updated');
    expect(log[0]!.payload).toMatchObject({ passwordChanged: true, before: {}, after: {} });
    expect(JSON.stringify(log[0])).not.toContain('rotate-password');
  });

  it('a role change takes effect on the next request of an existing session', async () => {
    const user = await created('POST', '/users', { email: 'demote@test.example', password: 'demote-password-1', role: 'admin' });
    const token = (await login('demote@test.example', 'demote-password-1')).body.accessToken as string;
    expect((await api('GET', '/users', undefined, token)).status).toBe(200);
    await api('PATCH', `/users/${user.id}`, { role: 'employee' });
    const after = await api('GET', '/users', undefined, token);
    expect(after.status).toBe(403);
    expect(after.body.error.code).toBe('FORBIDDEN');
  });
});

describe('role rules in the organisation', () => {
  it('an employee cannot create, update or deactivate anything', async () => {
    const tok = org.employeeToken;
    const attempts: [Method, string, object?][] = [
      ['POST', '/locations', { name: 'X', timezone: 'UTC' }],
      ['PATCH', `/locations/${org.location.id}`, { name: 'X' }],
      ['DELETE', `/locations/${org.location.id}`],
      ['POST', '/departments', { name: 'X', locationId: org.location.id }],
      ['PATCH', `/departments/${org.packing.id}`, { name: 'X' }],
      ['DELETE', `/departments/${org.packing.id}`],
      ['POST', '/employees', { name: 'X', departmentId: org.packing.id, locationId: org.location.id }],
      ['PATCH', `/employees/${org.employee.id}`, { name: 'Ada Renamed' }],
      ['DELETE', `/employees/${org.employee.id}`],
      ['POST', '/users', { email: 'x@test.example', password: 'x-password-1', role: 'admin' }],
      ['PATCH', `/users/${org.employeeUser.id}`, { role: 'admin' }],
    ];
    for (const [method, url, payload] of attempts) {
      const res = await api(method, url, payload, tok);
      expect(res.status, `${method} ${url}`).toBe(403);
    }
    expect((await api('GET', `/employees/${org.employee.id}`)).body.name).toBe('Ada Employee');
    expect((await api('GET', `/users/${org.employeeUser.id}`)).body.role).toBe('employee');
  });

  it('an employee sees only themselves and where they work', async () => {
    const tok = org.employeeToken;
    const people = await api('GET', '/employees?limit=500', undefined, tok);
    expect(people.body.items.map((e: { id: string }) => e.id)).toEqual([org.employee.id]);
    const places = await api('GET', '/locations', undefined, tok);
    expect(places.body.items.map((l: { id: string }) => l.id)).toEqual([org.location.id]);
    const depts = await api('GET', '/departments', undefined, tok);
    expect(depts.body.items.map((d: { id: string }) => d.id)).toEqual([org.packing.id]);
    expect((await api('GET', `/employees/${org.colleague.id}`, undefined, tok)).status).toBe(404);
  });

  it("a change to a user's scope applies to the access token they already hold, from its next request", async () => {
    await created('POST', '/users', { email: 'mover@test.example', password: 'mover-password-1', role: 'manager', departmentIds: [org.packing.id] });
    const token = (await login('mover@test.example', 'mover-password-1')).body.accessToken as string;
    const user = (await api('GET', '/users?q=mover@')).body.items[0];
    // Twice: the second answer comes from the principal the process keeps for this token.
    for (let i = 0; i < 2; i++) expect((await api('GET', `/employees/${org.employee.id}`, undefined, token)).status).toBe(200);
    expect((await api('GET', `/employees/${org.colleague.id}`, undefined, token)).status).toBe(404);

    expect((await api('PATCH', `/users/${user.id}`, { departmentIds: [org.picking.id] })).status).toBe(200);
    expect((await api('GET', `/employees/${org.employee.id}`, undefined, token)).status).toBe(404);
    expect((await api('GET', `/employees/${org.colleague.id}`, undefined, token)).status).toBe(200);
  });

  it('a manager sees and manages only their scope', async () => {
    const tok = org.managerToken;
    const people = await api('GET', '/employees?limit=500', undefined, tok);
    expect(people.body.items.length).toBeGreaterThan(0);
    expect(people.body.items.every((e: { departmentId: string }) => e.departmentId === org.packing.id)).toBe(true);
    expect(people.body.items.map((e: { id: string }) => e.id)).toContain(org.employee.id);
    for (const id of [org.colleague.id, org.outsider.id]) {
      const res = await api('GET', `/employees/${id}`, undefined, tok);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    const hired = await api('POST', '/employees', { name: 'Mgr Hire', departmentId: org.packing.id, locationId: org.location.id }, tok);
    expect(hired.status).toBe(201);
    const elsewhere = await api('POST', '/employees', { name: 'Far Hire', departmentId: org.mumbaiOps.id, locationId: org.otherLocation.id }, tok);
    expect(elsewhere.status).toBe(403);
    const moveOut = await api('PATCH', `/employees/${hired.body.id}`, { departmentId: org.mumbaiOps.id, locationId: org.otherLocation.id }, tok);
    expect(moveOut.status).toBe(403);
    expect((await api('GET', `/employees/${hired.body.id}`)).body.departmentId).toBe(org.packing.id);
    expect((await api('PATCH', `/employees/${org.outsider.id}`, { name: 'Renamed' }, tok)).status).toBe(404);
    expect((await api('DELETE', `/employees/${org.outsider.id}`, undefined, tok)).status).toBe(404);
    expect((await api('DELETE', `/employees/${hired.body.id}`, undefined, tok)).status).toBe(200);
  });
});

describe('the audit log cannot be altered through the API', () => {
  it('has no write route under /audit', async () => {
    const auditRoutes = t.app.routeAccess.filter((r) => r.url.startsWith('/api/v1/audit'));
    expect(auditRoutes).toEqual([{ method: 'GET', url: '/api/v1/audit', access: { area: 'audit', level: 'read' } }]);
    const first = (await api('GET', '/audit?limit=1')).body.items[0];
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      for (const url of ['/api/v1/audit', `/api/v1/audit/${first.seq}`, `/api/v1/audit/${first.id}`]) {
        const res = await t.call(t.adminToken, { method, url, payload: {} });
        expect(res.status, `${method} ${url}`).toBe(404);
      }
    }
    expect((await api('GET', '/audit?limit=1')).body.items[0]).toEqual(first);
  });
});

describe('hostile and malformed requests', () => {
  const post = (payload: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    t.call(t.adminToken, { method: 'POST', url: '/api/v1/locations', payload, headers });

  it('refuses prototype poisoning with 400', async () => {
    for (const payload of [
      '{"name":"Poison","timezone":"UTC","__proto__":{"isAdmin":true}}',
      '{"name":"Poison","timezone":"UTC","constructor":{"prototype":{"isAdmin":true}}}',
    ]) {
      const res = await post(payload);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
    }
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect((await api('GET', '/locations?q=Poison')).body.items).toEqual([]);
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const res = await post(JSON.stringify({ name: 'Big', timezone: 'UTC', pad: 'x'.repeat(1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a body that is not JSON with 415', async () => {
    for (const type of ['application/xml', 'text/plain', 'application/x-www-form-urlencoded']) {
      const res = await post('name=X&timezone=UTC', { 'content-type': type });
      expect(res.status, type).toBe(415);
      expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('refuses malformed JSON with 400 BAD_REQUEST', async () => {
    for (const payload of ['{"name": "x",', '{name: x}', '']) {
      const res = await post(payload);
      expect(res.status, JSON.stringify(payload)).toBe(400);
      expect(['BAD_REQUEST', 'VALIDATION_FAILED']).toContain(res.body.error.code);
    }
    expect((await post('{"name": "x",')).body.error.code).toBe('BAD_REQUEST');
  });

  it('refuses text PostgreSQL cannot store (NUL) with 400, in a body and in a search', async () => {
    const inBody = await api('POST', '/locations', { name: 'Nul\u0000Town', timezone: 'UTC' });
    expect(inBody.status).toBe(400);
    expect(inBody.body.error.code).toBe('BAD_REQUEST');
    const inQuery = await api('GET', '/employees?q=%00');
    expect(inQuery.status).toBe(400);
    expect((await api('GET', '/locations?q=Nul&includeInactive=true')).body.items).toEqual([]);
  });

  it('answers an unknown route with 404 ROUTE_NOT_FOUND in the error shape', async () => {
    const res = await api('GET', '/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('ROUTE_NOT_FOUND');
  });

  it('never sends the details of a 5xx to the client', async () => {
    const app = Fastify({ logger: false });
    await app.register(errorsPlugin);
    app.get('/boom', async () => {
      throw new Error('connection string postgres://admin:hunter2@db/internal');
    });
    app.get('/typed', async () => {
      const err = new TypeError("Cannot read properties of undefined (reading 'secretField')");
      throw err;
    });
    app.get('/app-error', async () => {
      throw new AppError('INTERNAL', 'Something went wrong on our side', { table: 'users' });
    });
    app.get('/handled', async () => {
      throw new AppError('CONFLICT', 'Already there', { field: 'x' });
    });
    try {
      for (const url of ['/boom', '/typed']) {
        const res = await app.inject({ method: 'GET', url });
        expect(res.statusCode).toBe(500);
        expect(res.json()).toEqual({ error: { code: 'INTERNAL', message: 'Something went wrong on our side' } });
        expect(res.body).not.toContain('hunter2');
        expect(res.body).not.toContain('secretField');
        expect(res.body).not.toContain('stack');
      }
      const appError = await app.inject({ method: 'GET', url: '/app-error' });
      expect(appError.statusCode).toBe(500);
      expect(appError.body).not.toContain('users');
      // 4xx details are for the client and do reach it.
      expect((await app.inject({ method: 'GET', url: '/handled' })).json()).toEqual({
        error: { code: 'CONFLICT', message: 'Already there', details: { field: 'x' } },
      });
    } finally {
      await app.close();
    }
  });
});
