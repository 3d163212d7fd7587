import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../db/client.ts';
import { createTestApp, seedSmallOrg, type TestApp } from '../../testing/test-app.ts';

interface Item {
  seq: number;
  id: string;
  type: string;
  entity: { type: string; id: string };
  actor: { type: string; id: string | null; name: string | null };
  payload: Record<string, unknown>;
  occurredAt: string;
}

let t: TestApp;
let org: Awaited<ReturnType<typeof seedSmallOrg>>;
/** A manager of the second location (by location, not department). */
let siteManagerToken: string;
let siteManagerId: string;
/** Made by the department manager, in their scope. */
let managerHire: { id: string };

beforeAll(async () => {
  t = await createTestApp();
  org = await seedSmallOrg(t);
  const site = await t.call(t.adminToken, {
    method: 'POST',
    url: '/api/v1/users',
    payload: { email: 'site@test.example', password: org.password, role: 'manager', locationIds: [org.otherLocation.id] },
  });
  siteManagerId = site.body.id;
  siteManagerToken = await t.login('site@test.example', org.password);
  const hire = await t.call(org.managerToken, {
    method: 'POST',
    url: '/api/v1/employees',
    payload: { name: 'Hired By Manager', departmentId: org.packing.id, locationId: org.location.id },
  });
  expect(hire.status).toBe(201);
  managerHire = hire.body;
  // The admin renames Ada: an event about the employee, made by someone else.
  await t.call(t.adminToken, { method: 'PATCH', url: `/api/v1/employees/${org.employee.id}`, payload: { name: 'Ada Lovelace' } });
  await t.call(t.adminToken, { method: 'PATCH', url: `/api/v1/employees/${org.colleague.id}`, payload: { name: 'Bo Renamed' } });
});
afterAll(() => t?.close());

async function audit(query: string, token = t.adminToken) {
  const res = await t.call(token, { method: 'GET', url: `/api/v1/audit${query ? `?${query}` : ''}` });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { items: Item[]; nextCursor: string | null };
}

/** Every item of a query, following cursors. */
async function all(query: string, token = t.adminToken, limit = 500) {
  const items: Item[] = [];
  let cursor: string | null = null;
  do {
    const page = await audit(`${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

const day = (iso: string, offsetDays = 0) => new Date(Date.parse(iso.slice(0, 10)) + offsetDays * 86_400_000).toISOString().slice(0, 10);

describe('GET /audit', () => {
  it('lists every event newest first, paging by cursor without duplicates or gaps', async () => {
    const [{ n }] = (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM events`)) as [{ n: number }];
    const paged = await all('', t.adminToken, 4);
    expect(paged).toHaveLength(n);
    const seqs = paged.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(new Set(seqs).size).toBe(n);
    expect(paged.map((e) => e.id)).toEqual((await all('')).map((e) => e.id));

    const last = await audit(`limit=${n}`);
    expect(last.items).toHaveLength(n);
    expect(last.nextCursor).toBeNull();
    const first = await audit('limit=1');
    expect(first.items[0]!.type).toBe('employee.updated');
    expect(first.items[0]!.payload).toEqual({ name: 'Bo Renamed', before: { name: 'Bo Picker' }, after: { name: 'Bo Renamed' } });
  });

  it('filters by entity type and entity id', async () => {
    const employees = await all('entityType=employee');
    expect(employees.every((e) => e.entity.type === 'employee')).toBe(true);
    const ids = new Set(employees.map((e) => e.entity.id));
    for (const id of [org.employee.id, org.colleague.id, org.outsider.id, managerHire.id]) expect(ids).toContain(id);

    const ada = await all(`entityType=employee&entityId=${org.employee.id}`);
    expect(ada.map((e) => e.type)).toEqual(['employee.updated', 'employee.created']);
    expect(ada[0]!.payload).toEqual({ name: 'Ada Lovelace', before: { name: 'Ada Employee' }, after: { name: 'Ada Lovelace' } });
    expect(await all(`entityType=location&entityId=${org.employee.id}`)).toEqual([]);
    expect(await all('entityType=no-such-type')).toEqual([]);
  });

  it('filters by actor and by type', async () => {
    const byManager = await all(`actorId=${org.managerUser.id}`);
    expect(byManager.length).toBeGreaterThan(0);
    expect(byManager.every((e) => e.actor.id === org.managerUser.id && e.actor.type === 'user')).toBe(true);
    expect(byManager.map((e) => e.type)).toEqual(expect.arrayContaining(['employee.created', 'session.started']));
    expect(byManager.find((e) => e.type === 'employee.created')!.entity.id).toBe(managerHire.id);

    const created = await all('type=user.created');
    expect(created.every((e) => e.type === 'user.created')).toBe(true);
    expect(created.map((e) => e.entity.id)).toEqual(expect.arrayContaining([org.managerUser.id, org.employeeUser.id, siteManagerId]));
    // Filters combine.
    expect(await all(`actorId=${org.managerUser.id}&type=user.created`)).toEqual([]);
  });

  it('filters by from/to, both inclusive, as local dates or instants', async () => {
    const everything = await all('');
    const newest = everything[0]!;
    const oldest = everything.at(-1)!;
    expect(await all(`from=${day(oldest.occurredAt)}&to=${day(newest.occurredAt)}`)).toHaveLength(everything.length);
    expect(await all(`from=${day(newest.occurredAt, 1)}`)).toEqual([]);
    expect(await all(`to=${day(oldest.occurredAt, -1)}`)).toEqual([]);

    // An instant bound includes the event at that instant, on either side.
    const middle = everything[Math.floor(everything.length / 2)]!;
    const since = await all(`from=${encodeURIComponent(middle.occurredAt)}`);
    const until = await all(`to=${encodeURIComponent(middle.occurredAt)}`);
    expect(since.map((e) => e.id)).toContain(middle.id);
    expect(until.map((e) => e.id)).toContain(middle.id);
    expect(since.every((e) => e.occurredAt >= middle.occurredAt)).toBe(true);
    expect(until.every((e) => e.occurredAt <= middle.occurredAt)).toBe(true);
    expect(new Set([...since, ...until].map((e) => e.id)).size).toBe(everything.length);
    const exact = await all(`from=${encodeURIComponent(middle.occurredAt)}&to=${encodeURIComponent(middle.occurredAt)}`);
    expect(exact.map((e) => e.id)).toContain(middle.id);
  });

  it('refuses bad filters and tampered cursors with 400', async () => {
    const bad = [
      'from=2024-13-45',
      'to=yesterday',
      'limit=0',
      'limit=100000',
      `cursor=${Buffer.from('["x"]').toString('base64url')}`,
      `cursor=${Buffer.from('[1e300]').toString('base64url')}`,
      `cursor=${Buffer.from('[-1.5]').toString('base64url')}`,
      'cursor=%%%',
    ];
    for (const query of bad) {
      const res = await t.call(t.adminToken, { method: 'GET', url: `/api/v1/audit?${query}` });
      expect(res.status, query).toBe(400);
      expect(['VALIDATION_FAILED', 'BAD_REQUEST']).toContain(res.body.error.code);
    }
  });

  it('shows a department manager only the events of their scope and their own', async () => {
    const seen = await all('', org.managerToken);
    const entities = new Set(seen.map((e) => e.entity.id));
    // In scope: the department, its people, and what the manager did.
    expect(entities).toContain(org.packing.id);
    expect(entities).toContain(org.employee.id);
    expect(entities).toContain(managerHire.id);
    expect(seen.some((e) => e.type === 'session.started' && e.actor.id === org.managerUser.id)).toBe(true);
    // Out of scope: the other department at the same site, the other site, other users and their sessions.
    for (const id of [org.picking.id, org.colleague.id, org.outsider.id, org.mumbaiOps.id, org.otherLocation.id, org.employeeUser.id, siteManagerId]) {
      expect(entities, id).not.toContain(id);
    }
    expect(seen.some((e) => e.type === 'session.started' && e.actor.id !== org.managerUser.id)).toBe(false);
    // A filter cannot reach around the scope.
    expect(await all(`entityId=${org.outsider.id}`, org.managerToken)).toEqual([]);
    const adminId = (await t.call(t.adminToken, { method: 'GET', url: '/api/v1/auth/me' })).body.id;
    const byAdmin = await all(`actorId=${adminId}`, org.managerToken);
    expect(byAdmin.map((e) => e.entity.id)).toContain(org.packing.id);
    expect(byAdmin.map((e) => e.entity.id)).not.toContain(org.colleague.id);
    // Paging within the scope gives the same as one page.
    expect((await all('', org.managerToken, 2)).map((e) => e.id)).toEqual(seen.map((e) => e.id));
  });

  it('shows a location manager the events of their location', async () => {
    const seen = await all('', siteManagerToken);
    const entities = new Set(seen.map((e) => e.entity.id));
    for (const id of [org.otherLocation.id, org.mumbaiOps.id, org.outsider.id]) expect(entities).toContain(id);
    for (const id of [org.location.id, org.packing.id, org.employee.id, org.colleague.id]) expect(entities).not.toContain(id);
  });

  it('shows an employee only the events about themselves', async () => {
    const seen = await all('', org.employeeToken);
    expect(seen.length).toBeGreaterThan(0);
    const entities = new Set(seen.map((e) => e.entity.id));
    expect(entities).toContain(org.employee.id);
    expect(entities).toContain(org.employeeUser.id);
    expect(seen.find((e) => e.entity.id === org.employee.id && e.type === 'employee.updated')!.payload).toEqual({
      name: 'Ada Lovelace',
      before: { name: 'Ada Employee' },
      after: { name: 'Ada Lovelace' },
    });
    expect(seen.some((e) => e.type === 'session.started' && e.actor.id === org.employeeUser.id)).toBe(true);
    for (const e of seen) {
      const aboutMe = [org.employee.id, org.employeeUser.id].includes(e.entity.id) || e.actor.id === org.employeeUser.id;
      expect(aboutMe, `${e.type} ${e.entity.type}:${e.entity.id}`).toBe(true);
    }
    expect(await all(`entityType=employee&entityId=${org.colleague.id}`, org.employeeToken)).toEqual([]);
  });

  it('lets an API key with audit:read read everything, and refuses one without it', async () => {
    const key = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'auditor', scopes: ['audit:read'] } });
    const orgKey = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'org', scopes: ['org:write'] } });
    const res = await t.call(undefined, { method: 'GET', url: '/api/v1/audit?limit=500', headers: { 'x-api-key': key.body.key } });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBe((await all('')).length);
    const denied = await t.call(undefined, { method: 'GET', url: '/api/v1/audit', headers: { 'x-api-key': orgKey.body.key } });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('INSUFFICIENT_SCOPE');
    expect((await t.call(undefined, { method: 'GET', url: '/api/v1/audit' })).status).toBe(401);
  });
});
