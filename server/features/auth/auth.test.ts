import { createHmac, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { Redis } from 'ioredis';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.ts';
import { queryRows } from '../../db/client.ts';
import { memoryRateLimitStore, redisRateLimitStore, withFallback } from '../../lib/rate-limiter.ts';
import { ADMIN, createTestApp, manualClock, openTestDatabase, seedSmallOrg, type TestApp } from '../../testing/test-app.ts';

const secret = randomBytes(32).toString('hex');
const clock = manualClock();
let t: TestApp;
let org: Awaited<ReturnType<typeof seedSmallOrg>>;

beforeAll(async () => {
  t = await createTestApp({ clock, secret });
  org = await seedSmallOrg(t);
});
afterAll(() => t?.close());

/** Every log-in comes from its own address, so the per-IP limit only counts where a test means it to. */
let nextIp = 0;
const freshIp = () => `10.1.${Math.floor(++nextIp / 250)}.${(nextIp % 250) + 1}`;

function loginRequest(email: string, password: string, remoteAddress = freshIp()) {
  return t.call(undefined, { method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress });
}

/** The refresh cookie set by a response, with its attributes. */
function refreshCookie(headers: Record<string, unknown>) {
  const raw = [headers['set-cookie']].flat().filter((c): c is string => typeof c === 'string');
  const line = raw.find((c) => c.startsWith('wf_refresh='));
  if (!line) return undefined;
  const [pair, ...attrs] = line.split(';').map((s) => s.trim());
  return { value: decodeURIComponent(pair!.slice('wf_refresh='.length)), attrs: attrs.map((a) => a.toLowerCase()), line };
}

async function session(email = org.managerUser.email, password = org.password) {
  const res = await loginRequest(email, password);
  expect(res.status).toBe(200);
  const cookie = refreshCookie(res.headers)!;
  expect(cookie).toBeDefined();
  return { accessToken: res.body.accessToken as string, cookie: cookie.value };
}

const me = (token: string) => t.call(token, { method: 'GET', url: '/api/v1/auth/me' });
const refresh = (cookie: string | undefined, headers: Record<string, string> = {}) =>
  t.call(undefined, { method: 'POST', url: '/api/v1/auth/refresh', cookies: cookie ? { wf_refresh: cookie } : {}, headers });
const logout = (cookie: string | undefined, token?: string, headers: Record<string, string> = {}) =>
  t.call(token, { method: 'POST', url: '/api/v1/auth/logout', cookies: cookie ? { wf_refresh: cookie } : {}, headers });

describe('log-in', () => {
  it('answers an access token, the user and an HttpOnly SameSite=Strict refresh cookie scoped to /api/v1/auth', async () => {
    const res = await loginRequest(org.managerUser.email, org.password);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: org.managerUser.id, email: 'manager@test.example', role: 'manager', departmentIds: [org.packing.id] });
    expect(res.body.user.passwordHash).toBeUndefined();
    expect(typeof res.body.accessToken).toBe('string');
    const cookie = refreshCookie(res.headers)!;
    expect(cookie.value.length).toBeGreaterThan(30);
    expect(cookie.attrs).toContain('httponly');
    expect(cookie.attrs).toContain('samesite=strict');
    expect(cookie.attrs).toContain('path=/api/v1/auth');
    expect(cookie.attrs.some((a) => a.startsWith('max-age='))).toBe(true);
    expect((await me(res.body.accessToken)).body).toMatchObject({ id: org.managerUser.id, role: 'manager' });
  });

  it('accepts the e-mail in any letter case', async () => {
    expect((await loginRequest('MANAGER@Test.Example', org.password)).status).toBe(200);
  });

  it('refuses a wrong password and an unknown e-mail with the same code, and sets no cookie', async () => {
    const wrong = await loginRequest(org.managerUser.email, 'not-the-password');
    const unknown = await loginRequest('nobody@test.example', org.password);
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('INVALID_CREDENTIALS');
      expect(refreshCookie(res.headers)).toBeUndefined();
    }
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
  });

  it('validates the body: missing password, bad e-mail and unknown fields are 400', async () => {
    for (const payload of [{ email: 'a@test.example' }, { email: 'not-an-email', password: 'x' }, { email: ADMIN.email, password: ADMIN.password, role: 'admin' }]) {
      const res = await t.call(undefined, { method: 'POST', url: '/api/v1/auth/login', payload, remoteAddress: freshIp() });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('refresh', () => {
  it('rotates the cookie; replaying the old one revokes the whole family and its access tokens', async () => {
    const first = await session();
    const rotated = await refresh(first.cookie);
    expect(rotated.status).toBe(200);
    const second = refreshCookie(rotated.headers)!;
    expect(second.value).not.toBe(first.cookie);
    expect(second.attrs).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/api/v1/auth']));
    const newAccess = rotated.body.accessToken as string;
    expect((await me(newAccess)).status).toBe(200);
    expect((await me(first.accessToken)).status).toBe(200);

    // The old cookie again within seconds (a reload while the refresh was in flight): the same browser,
    // so it gets a successor in the same family.
    const racing = await refresh(first.cookie);
    expect(racing.status).toBe(200);
    expect((await me(racing.body.accessToken)).status).toBe(200);

    // The old cookie again later: stolen or replayed.
    clock.advance(11_000);
    const replay = await refresh(first.cookie);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('REFRESH_TOKEN_REUSED');

    // The whole family is gone: the new cookie and both access tokens of the session.
    const afterReplay = await refresh(second.value);
    expect(afterReplay.status).toBe(401);
    expect(afterReplay.body.error.code).toBe('REFRESH_TOKEN_INVALID');
    for (const token of [first.accessToken, newAccess]) {
      const res = await me(token);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('TOKEN_INVALID');
    }
    // Another session of the same user is untouched.
    const other = await session();
    expect((await me(other.accessToken)).status).toBe(200);
  });

  it('chains: each rotated cookie works exactly once', async () => {
    let { cookie } = await session();
    for (let i = 0; i < 3; i++) {
      const res = await refresh(cookie);
      expect(res.status).toBe(200);
      cookie = refreshCookie(res.headers)!.value;
    }
    expect((await refresh(cookie)).status).toBe(200);
  });

  it('refuses a missing or unknown cookie with 401', async () => {
    const none = await refresh(undefined);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('REFRESH_TOKEN_INVALID');
    const unknown = await refresh(randomBytes(32).toString('base64url'));
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('refuses cross-site requests to refresh and logout, but not same-origin ones', async () => {
    const { cookie, accessToken } = await session();
    const crossSite: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
    ];
    for (const headers of crossSite) {
      for (const res of [await refresh(cookie, headers), await logout(cookie, accessToken, headers)]) {
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('CROSS_SITE_REQUEST');
      }
    }
    // None of the refused requests touched the session.
    expect((await me(accessToken)).status).toBe(200);
    const sameOrigin = { host: 'workfloor.example', origin: 'https://workfloor.example', 'sec-fetch-site': 'same-origin' };
    const ok = await refresh(cookie, sameOrigin);
    expect(ok.status).toBe(200);
  });
});

describe('logout', () => {
  it('ends the session: its access token and refresh cookie are refused afterwards', async () => {
    const { cookie, accessToken } = await session();
    const res = await logout(cookie, accessToken);
    expect(res.status).toBe(204);
    const cleared = refreshCookie(res.headers)!;
    expect(cleared.value).toBe('');
    const after = await me(accessToken);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('TOKEN_INVALID');
    expect((await refresh(cookie)).status).toBe(401);
  });

  it('with only the access token (cookie lost), still ends that session', async () => {
    const { cookie, accessToken } = await session();
    expect((await logout(undefined, accessToken)).status).toBe(204);
    expect((await me(accessToken)).status).toBe(401);
    expect((await refresh(cookie)).status).toBe(401);
  });

  it('writes session.started and session.ended to the log', async () => {
    const { cookie, accessToken } = await session();
    await logout(cookie, accessToken);
    const audit = await t.call(t.adminToken, { method: 'GET', url: `/api/v1/audit?entityType=session&actorId=${org.managerUser.id}&limit=2` });
    expect(audit.body.items.map((e: { type: string }) => e.type)).toEqual(['session.ended', 'session.started']);
    expect(audit.body.items[0].entity.id).toBe(audit.body.items[1].entity.id);
  });
});

describe('access tokens', () => {
  const accessKey = createHmac('sha256', secret).update('workfloor access tokens v1').digest();
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

  /** A token as the server makes it, with any claim or header overridden. */
  async function craft(overrides: { header?: Record<string, unknown>; claims?: Record<string, unknown>; key?: Uint8Array }, sid: string, sub: string) {
    const now = Math.floor(clock.now().getTime() / 1000);
    const claims = { sid, iss: 'workfloor', aud: 'workfloor-api', sub, iat: now, exp: now + 900, ...overrides.claims };
    return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', ...overrides.header } as never).sign(overrides.key ?? accessKey);
  }

  async function expect401(token: string, code: 'TOKEN_INVALID' | 'TOKEN_EXPIRED') {
    const res = await me(token);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe(code);
  }

  let sid: string;
  let sub: string;
  beforeAll(async () => {
    const { accessToken } = await session();
    const payload = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString());
    sid = payload.sid;
    sub = payload.sub;
  });

  it('accepts a token crafted exactly like the server makes them (the control for the cases below)', async () => {
    expect((await me(await craft({}, sid, sub))).status).toBe(200);
  });

  it('refuses a forged signature', async () => {
    await expect401(await craft({ key: randomBytes(32) }, sid, sub), 'TOKEN_INVALID');
    // A real token with its payload swapped for another user's keeps a signature that no longer matches.
    const real = await craft({}, sid, sub);
    const [h, , s] = real.split('.');
    const tampered = `${h}.${b64({ sid, iss: 'workfloor', aud: 'workfloor-api', sub: org.employeeUser.id, iat: 1, exp: 9_999_999_999 })}.${s}`;
    await expect401(tampered, 'TOKEN_INVALID');
  });

  it('refuses wrong audience, wrong issuer, wrong typ and another HMAC algorithm', async () => {
    await expect401(await craft({ claims: { aud: 'someone-else' } }, sid, sub), 'TOKEN_INVALID');
    await expect401(await craft({ claims: { iss: 'evil' } }, sid, sub), 'TOKEN_INVALID');
    await expect401(await craft({ header: { typ: 'JWT' } }, sid, sub), 'TOKEN_INVALID');
    await expect401(await craft({ header: { alg: 'HS512' } }, sid, sub), 'TOKEN_INVALID');
    await expect401(await craft({ claims: { sid: undefined } }, sid, sub), 'TOKEN_INVALID');
  });

  it("refuses alg 'none'", async () => {
    const now = Math.floor(clock.now().getTime() / 1000);
    const claims = { sid, iss: 'workfloor', aud: 'workfloor-api', sub, iat: now, exp: now + 900 };
    for (const alg of ['none', 'None', 'NONE']) {
      await expect401(`${b64({ alg, typ: 'at+jwt' })}.${b64(claims)}.`, 'TOKEN_INVALID');
    }
  });

  it('refuses garbage and an empty bearer', async () => {
    await expect401('not.a.token', 'TOKEN_INVALID');
    const empty = await t.call(undefined, { method: 'GET', url: '/api/v1/auth/me', headers: { authorization: 'Bearer ' } });
    expect(empty.status).toBe(401);
  });

  it('expires after 15 minutes on the injected clock', async () => {
    const { accessToken } = await session();
    clock.advance(14 * 60_000);
    expect((await me(accessToken)).status).toBe(200);
    clock.advance(2 * 60_000);
    await expect401(accessToken, 'TOKEN_EXPIRED');
  });
});

describe('login rate limits', () => {
  it('answers 429 with Retry-After after 20 attempts a minute from one IP, and again after the window', async () => {
    const ip = '10.99.0.1';
    for (let i = 0; i < 20; i++) {
      const res = await loginRequest(`unknown${i}@test.example`, 'wrong-password', ip);
      expect(res.status).toBe(401);
    }
    const limited = await loginRequest(org.managerUser.email, org.password, ip);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Other addresses are not affected.
    expect((await loginRequest(org.managerUser.email, org.password)).status).toBe(200);
    clock.advance(retryAfter * 1000);
    expect((await loginRequest(org.managerUser.email, org.password, ip)).status).toBe(200);
  });

  it('locks an account after 10 failures, even for the right password, until the window passes', async () => {
    const email = 'ada@test.example';
    for (let i = 0; i < 10; i++) {
      // Different addresses and letter cases: the account is counted, not the IP or the spelling.
      const res = await loginRequest(i % 2 ? email.toUpperCase() : email, 'wrong-password');
      expect(res.status).toBe(401);
    }
    const locked = await loginRequest(email, org.password);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('RATE_LIMITED');
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    // Other accounts still log in.
    expect((await loginRequest(org.managerUser.email, org.password)).status).toBe(200);
    clock.advance(10 * 60_000);
    expect((await loginRequest(email, org.password)).status).toBe(429);
    clock.advance(5 * 60_000);
    expect((await loginRequest(email, org.password)).status).toBe(200);
  });

  it('a successful log-in clears the failure count', async () => {
    const email = org.managerUser.email;
    for (let i = 0; i < 9; i++) expect((await loginRequest(email, 'wrong-password')).status).toBe(401);
    expect((await loginRequest(email, org.password)).status).toBe(200);
    for (let i = 0; i < 9; i++) expect((await loginRequest(email, 'wrong-password')).status).toBe(401);
    expect((await loginRequest(email, org.password)).status).toBe(200);
  });
});

describe('Redis rate-limit store', () => {
  let redis: Redis;
  const prefix = `workfloor-test:${randomBytes(6).toString('hex')}:`;
  beforeAll(() => {
    // CI starts Redis (.ci/run); TEST_REDIS_URL points the test at another server.
    redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('counts hits in a window that expires, peeks without counting and resets', async () => {
    const store = redisRateLimitStore(redis, prefix);
    expect(await store.peek('a')).toEqual({ count: 0, resetInMs: 0 });
    const first = await store.hit('a', 60_000);
    expect(first.count).toBe(1);
    expect(first.resetInMs).toBe(60_000);
    const second = await store.hit('a', 60_000);
    expect(second.count).toBe(2);
    expect(second.resetInMs).toBeGreaterThan(0);
    expect(second.resetInMs).toBeLessThanOrEqual(60_000);
    const pttl = await redis.pttl(`${prefix}a`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(60_000);
    expect((await store.peek('a')).count).toBe(2);
    expect((await store.peek('a')).count).toBe(2);
    expect(await store.hit('b', 60_000)).toMatchObject({ count: 1 });
    await store.reset('a');
    expect((await store.peek('a')).count).toBe(0);
    expect((await store.peek('b')).count).toBe(1);

    await store.hit('short', 100);
    await store.hit('short', 100);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await store.peek('short')).count).toBe(0);
    expect((await store.hit('short', 100)).count).toBe(1);
  });

  it('is shared by two app instances: failures counted by one lock the account on the other', async () => {
    const database = t.database;
    const store = redisRateLimitStore(redis, prefix);
    const other = await createTestApp({ database, rateLimits: redisRateLimitStore(redis, prefix) });
    try {
      const viaOther = (password: string) =>
        other.call(undefined, { method: 'POST', url: '/api/v1/auth/login', payload: { email: 'manager@test.example', password }, remoteAddress: freshIp() });
      const app2 = await createTestApp({ database, rateLimits: store });
      try {
        for (let i = 0; i < 10; i++) {
          const res = await app2.call(undefined, {
            method: 'POST',
            url: '/api/v1/auth/login',
            payload: { email: 'manager@test.example', password: 'wrong-password' },
            remoteAddress: freshIp(),
          });
          expect(res.status).toBe(401);
        }
        const locked = await viaOther(org.password);
        expect(locked.status).toBe(429);
        expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
        expect(await redis.pttl(`${prefix}login:account:manager@test.example`)).toBeGreaterThan(0);
        await store.reset('login:account:manager@test.example');
        expect((await viaOther(org.password)).status).toBe(200);
      } finally {
        await app2.close();
      }
    } finally {
      await other.close();
    }
  });
});

describe('Redis unreachable', () => {
  it('log-in still works and is still limited, counted in the process, and the outage is reported once', async () => {
    // A real client against a port nothing listens on: every command fails at once.
    const dead = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
    dead.on('error', () => undefined);
    const outages: unknown[] = [];
    const store = withFallback(redisRateLimitStore(dead), memoryRateLimitStore(), (err) => outages.push(err));
    const app2 = await createTestApp({ database: t.database, rateLimits: store });
    try {
      const attempt = (password: string) =>
        app2.call(undefined, { method: 'POST', url: '/api/v1/auth/login', payload: { email: 'manager@test.example', password }, remoteAddress: freshIp() });
      expect((await attempt(org.password)).status).toBe(200);
      for (let i = 0; i < 10; i++) expect((await attempt('wrong-password')).status).toBe(401);
      expect((await attempt(org.password)).status).toBe(429);
      expect(outages).toHaveLength(1);
    } finally {
      await app2.close();
      dead.disconnect();
    }
  });
});

describe('bootstrap admin', () => {
  it('creates the admin once, not twice, even when two start-ups race', async () => {
    const database = await openTestDatabase();
    const app = await buildApp({ config: { logLevel: 'silent' }, database, secret, log: pino({ level: 'silent' }), runConsumers: false });
    try {
      await app.ready();
      const { auth } = app.workfloor;
      expect(await auth.adminExists()).toBe(false);
      const raced = await Promise.all([auth.ensureAdmin('boot@test.example', 'boot-password-1'), auth.ensureAdmin('boot@test.example', 'boot-password-1')]);
      expect(raced.filter(Boolean)).toHaveLength(1);
      expect(await auth.ensureAdmin('boot@test.example', 'boot-password-1')).toBe(false);
      expect(await auth.ensureAdmin('second@test.example', 'other-password-1')).toBe(false);
      const admins = await queryRows<{ email: string }>(database.db, sql`SELECT email FROM users WHERE role = 'admin'`);
      expect(admins).toEqual([{ email: 'boot@test.example' }]);
      const created = await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM events WHERE type = 'user.created'`);
      expect(created[0]!.n).toBe(1);
      const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'boot@test.example', password: 'boot-password-1' } });
      expect(login.statusCode).toBe(200);
      expect(login.json().user.role).toBe('admin');
    } finally {
      await app.close();
      await database.close();
    }
  });
});
