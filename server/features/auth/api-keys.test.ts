import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../db/client.ts';
import { createTestApp, seedSmallOrg, type TestApp } from '../../testing/test-app.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof seedSmallOrg>>;
beforeAll(async () => {
  t = await createTestApp();
  org = await seedSmallOrg(t);
});
afterAll(() => t?.close());

async function createKey(scopes: string[], name = `key ${scopes.join(' ')}`) {
  const res = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/api-keys', payload: { name, scopes } });
  expect(res.status).toBe(201);
  return res.body as { id: string; key: string; prefix: string; scopes: string[]; name: string; revokedAt: string | null };
}

const withKey = (key: string, options: { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; payload?: object }) =>
  t.call(undefined, { ...options, url: `/api/v1${options.url}`, headers: { 'x-api-key': key } });

describe('API keys', () => {
  it('shows the key once: the create response has it, the list never does, the table holds only its SHA-256', async () => {
    const created = await createKey(['org:read'], 'Payroll export');
    expect(created).toMatchObject({ name: 'Payroll export', scopes: ['org:read'], revokedAt: null });
    expect(created.key).toMatch(/^wf_/);
    expect(created.key.startsWith(`wf_${created.prefix}_`)).toBe(true);

    const list = await t.call(t.adminToken, { method: 'GET', url: '/api/v1/api-keys' });
    expect(list.status).toBe(200);
    const listed = list.body.items.find((k: { id: string }) => k.id === created.id);
    expect(listed).toMatchObject({ id: created.id, name: 'Payroll export', prefix: created.prefix, scopes: ['org:read'] });
    expect(listed.key).toBeUndefined();
    expect(list.body.items.some((k: { key?: string }) => 'key' in k || 'keyHash' in k)).toBe(false);
    expect(JSON.stringify(list.body)).not.toContain(created.key);

    const rows = await queryRows<Record<string, unknown>>(t.database.db, sql`SELECT * FROM api_keys WHERE id = ${created.id}`);
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows[0]);
    const secretPart = created.key.slice(`wf_${created.prefix}_`.length);
    expect(stored).not.toContain(created.key);
    expect(stored).not.toContain(secretPart);
    expect(rows[0]!.key_hash).toBe(createHash('sha256').update(created.key).digest('hex'));

    // Nor does the audit trail carry it.
    const audit = await t.call(t.adminToken, { method: 'GET', url: `/api/v1/audit?entityType=api_key&entityId=${created.id}` });
    expect(audit.body.items.map((e: { type: string }) => e.type)).toEqual(['api_key.created']);
    expect(JSON.stringify(audit.body)).not.toContain(secretPart);
  });

  it('authenticates with X-API-Key and refuses an unknown or malformed key', async () => {
    const { key } = await createKey(['org:read']);
    expect((await withKey(key, { method: 'GET', url: '/employees' })).status).toBe(200);
    for (const bad of [`${key.slice(0, -2)}xx`, 'wf_nothing_here', 'not-a-key', 'x'.repeat(500)]) {
      const res = await withKey(bad, { method: 'GET', url: '/employees' });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('TOKEN_INVALID');
    }
  });

  it('is limited by its scopes: org:read can read but not write; write implies read', async () => {
    const reader = (await createKey(['org:read'])).key;
    const writer = (await createKey(['org:write'])).key;
    const other = (await createKey(['schedule:write', 'audit:read'])).key;
    const employee = { name: 'Key-made Person', departmentId: org.packing.id, locationId: org.location.id };

    const list = await withKey(reader, { method: 'GET', url: '/employees' });
    expect(list.status).toBe(200);
    // Org-wide: a key is not scoped to a location like a manager.
    expect(list.body.items.map((e: { id: string }) => e.id)).toEqual(expect.arrayContaining([org.employee.id, org.outsider.id]));
    const denied = await withKey(reader, { method: 'POST', url: '/employees', payload: employee });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('INSUFFICIENT_SCOPE');
    expect(denied.body.error.message).toContain('org:write');
    expect((await withKey(reader, { method: 'GET', url: '/audit' })).status).toBe(403);

    expect((await withKey(writer, { method: 'GET', url: '/employees' })).status).toBe(200);
    const made = await withKey(writer, { method: 'POST', url: '/employees', payload: employee });
    expect(made.status).toBe(201);
    const audit = await t.call(t.adminToken, { method: 'GET', url: `/api/v1/audit?entityId=${made.body.id}` });
    expect(audit.body.items[0].actor).toMatchObject({ type: 'api_key', name: 'key org:write' });

    const otherRes = await withKey(other, { method: 'GET', url: '/employees' });
    expect(otherRes.status).toBe(403);
    expect(otherRes.body.error.code).toBe('INSUFFICIENT_SCOPE');
    expect((await withKey(other, { method: 'GET', url: '/audit' })).status).toBe(200);
  });

  it('is refused on endpoints for people only, whatever its scopes', async () => {
    const { key } = await createKey(['org:write', 'audit:write']);
    for (const [method, url] of [['GET', '/auth/me'], ['GET', '/users'], ['GET', '/api-keys'], ['POST', '/api-keys']] as const) {
      const res = await withKey(key, { method, url, payload: method === 'POST' ? { name: 'escalate', scopes: ['org:write'] } : undefined });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
  });

  it('is revoked immediately: the very next request is 401, and a second revoke is 409', async () => {
    const created = await createKey(['org:read']);
    // Warm the cache, so revocation must really drop it.
    expect((await withKey(created.key, { method: 'GET', url: '/locations' })).status).toBe(200);
    const revoked = await t.call(t.adminToken, { method: 'DELETE', url: `/api/v1/api-keys/${created.id}` });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    expect(revoked.body.key).toBeUndefined();
    const after = await withKey(created.key, { method: 'GET', url: '/locations' });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('TOKEN_INVALID');

    const again = await t.call(t.adminToken, { method: 'DELETE', url: `/api/v1/api-keys/${created.id}` });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_INACTIVE');
    const missing = await t.call(t.adminToken, { method: 'DELETE', url: '/api/v1/api-keys/00000000-0000-4000-8000-000000000000' });
    expect(missing.status).toBe(404);

    const list = await t.call(t.adminToken, { method: 'GET', url: '/api/v1/api-keys' });
    expect(list.body.items.find((k: { id: string }) => k.id === created.id).revokedAt).toBe(revoked.body.revokedAt);
    const audit = await t.call(t.adminToken, { method: 'GET', url: `/api/v1/audit?entityType=api_key&entityId=${created.id}` });
    expect(audit.body.items.map((e: { type: string }) => e.type)).toEqual(['api_key.revoked', 'api_key.created']);
  });

  it('is revoked in every process: another app instance on the same database refuses it after the log reaches it', async () => {
    const other = await createTestApp({ database: t.database });
    try {
      const created = await createKey(['org:read']);
      const viaOther = () => other.call(undefined, { method: 'GET', url: '/api/v1/locations', headers: { 'x-api-key': created.key } });
      expect((await viaOther()).status).toBe(200);
      await t.call(t.adminToken, { method: 'DELETE', url: `/api/v1/api-keys/${created.id}` });
      await expect.poll(async () => (await viaOther()).status, { timeout: 10_000, interval: 50 }).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('refuses unknown scopes, an empty scope list, a blank name and unknown fields with 400', async () => {
    for (const payload of [
      { name: 'bad', scopes: ['org:admin'] },
      { name: 'bad', scopes: ['payroll:read'] },
      { name: 'bad', scopes: [] },
      { name: '  ', scopes: ['org:read'] },
      { name: 'bad', scopes: ['org:read'], key: 'wf_chosen_by_me' },
    ]) {
      const res = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/api-keys', payload });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('is managed by admins only', async () => {
    for (const token of [org.managerToken, org.employeeToken]) {
      const create = await t.call(token, { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'mine', scopes: ['org:read'] } });
      expect(create.status).toBe(403);
      expect(create.body.error.code).toBe('FORBIDDEN');
      expect((await t.call(token, { method: 'GET', url: '/api/v1/api-keys' })).status).toBe(403);
    }
  });
});
