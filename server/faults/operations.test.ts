import type { AddressInfo } from 'node:net';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.ts';

/** Operations endpoints and the HTTP hardening every response gets (DESIGN.md, issue 2 item 8). */

let t: TestApp;
let url: string;
beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(() => t?.close());

async function metrics(): Promise<string> {
  const res = await t.call(undefined, { method: 'GET', url: '/metrics' });
  expect(res.status).toBe(200);
  expect(String(res.headers['content-type'])).toMatch(/^text\/plain/);
  return res.body as string;
}
const sample = (text: string, name: string, labels = '') => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
};

async function eventually(what: string, probe: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('operations endpoints', () => {
  it('/healthz and /readyz answer 200', async () => {
    expect(await t.call(undefined, { method: 'GET', url: '/healthz' })).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await t.call(undefined, { method: 'GET', url: '/readyz' })).toMatchObject({ status: 200, body: { status: 'ready', database: 'up' } });
  });

  it('/metrics: request duration by route, open sockets, events appended, consumer lag', async () => {
    const before = await metrics();
    const appendedBefore = sample(before, 'workfloor_events_appended_total') ?? 0;

    const created = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/locations', payload: { name: 'Metered', timezone: 'Europe/Madrid' } });
    expect(created.status).toBe(201);
    expect((await t.call(t.adminToken, { method: 'GET', url: `/api/v1/locations/${created.body.id}` })).status).toBe(200);

    const socket = io(url, { transports: ['websocket'], auth: { token: t.adminToken }, reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    try {
      const text = await metrics();
      // By route pattern, never by raw URL (an id in a label would explode cardinality).
      expect(text).toMatch(/workfloor_http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/locations"[^}]*\} \d+/);
      expect(text).toMatch(/workfloor_http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/locations\/:id"[^}]*\} \d+/);
      expect(text).not.toContain(created.body.id);
      expect(sample(text, 'workfloor_open_sockets')).toBe(1);
      expect(sample(text, 'workfloor_events_appended_total')).toBe(appendedBefore + 1);
      // The consumer is not running in tests: everything since its offset is lag.
      expect(sample(text, 'workfloor_consumer_lag_events', '{consumer="org-headcount"}')).toBeGreaterThan(0);
    } finally {
      socket.disconnect();
    }
    await eventually('the socket gauge to drop', async () => sample(await metrics(), 'workfloor_open_sockets') === 0);

    // Once the consumer has caught up, its lag is 0.
    const consumer = t.wf.consumers.find((c) => c.name === 'org-headcount')!;
    await eventually('the consumer to catch up', async () => {
      await consumer.drain();
      return sample(await metrics(), 'workfloor_consumer_lag_events', '{consumer="org-headcount"}') === 0;
    });
  });

  it('/docs serves the API reference and /docs/openapi.json lists every /api/v1 route', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs' });
    const html = page.statusCode >= 300 && page.statusCode < 400 ? await t.app.inject({ method: 'GET', url: String(page.headers.location) }) : page;
    expect(html.statusCode).toBe(200);
    expect(String(html.headers['content-type'])).toMatch(/text\/html/);
    expect(html.body.toLowerCase()).toContain('<html');

    const spec = await t.call(undefined, { method: 'GET', url: '/docs/openapi.json' });
    expect(spec.status).toBe(200);
    const paths = Object.keys(spec.body.paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/locations', '/api/v1/employees/{id}', '/api/v1/auth/login', '/api/v1/audit']));
    const documented = new Set(Object.entries(spec.body.paths as Record<string, object>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
    const missing = t.app.routeAccess
      .map((r) => `${r.method} ${r.url.replace(/:([A-Za-z]+)/g, '{$1}')}`)
      .filter((r) => !documented.has(r));
    expect(missing).toEqual([]);
    // Operations endpoints are not part of the public API reference.
    expect(paths.filter((p) => !p.startsWith('/api/v1/'))).toEqual([]);
  });
});

describe('HTTP hardening', () => {
  it('sets the OWASP REST security headers on API responses and helmet\'s full set on everything else', async () => {
    const res = await t.call(t.adminToken, { method: 'GET', url: '/api/v1/locations' });
    expect(res.status).toBe(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(String(res.headers['content-security-policy'])).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers['x-powered-by']).toBeUndefined();
    const page = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(String(page.headers['content-security-policy'])).toContain("default-src 'self'");
    expect(page.headers['cross-origin-opener-policy']).toBe('same-origin');
    // Errors get them too.
    const denied = await t.call(undefined, { method: 'GET', url: '/api/v1/locations' });
    expect(denied.status).toBe(401);
    expect(denied.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses an oversized body (413), prototype poisoning (400) and unknown fields (400), with stable codes', async () => {
    const big = await t.call(t.adminToken, {
      method: 'POST',
      url: '/api/v1/locations',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10), timezone: 'UTC' }),
    });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');

    for (const poison of ['{"name":"P","timezone":"UTC","__proto__":{"admin":true}}', '{"name":"P","timezone":"UTC","constructor":{"prototype":{"admin":true}}}']) {
      const res = await t.call(t.adminToken, {
        method: 'POST',
        url: '/api/v1/locations',
        headers: { 'content-type': 'application/json' },
        payload: poison,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
    }

    const extra = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/locations', payload: { name: 'E', timezone: 'UTC', isAdmin: true } });
    expect(extra.status).toBe(400);
    expect(extra.body.error.code).toBe('VALIDATION_FAILED');

    const notJson = await t.call(t.adminToken, {
      method: 'POST',
      url: '/api/v1/locations',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('BAD_REQUEST');
    // None of them was stored.
    const names = (await t.call(t.adminToken, { method: 'GET', url: '/api/v1/locations' })).body.items.map((l: { name: string }) => l.name);
    expect(names).not.toContain('P');
    expect(names).not.toContain('E');
  });
});
