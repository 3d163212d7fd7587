import { randomBytes, randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.ts';
import { ConfigError, loadConfig } from '../../config.ts';
import { memoryRateLimitStore } from '../../lib/rate-limiter.ts';
import { ADMIN, manualClock, openTestDatabase, seedSmallOrg, type TestApp } from '../../testing/test-app.ts';

describe('time-clock settings from the environment', () => {
  it('defaults to a 72 h late window, a 16 h missed clock-out and 5 min of grace', () => {
    expect(loadConfig({}).timeclock).toEqual({ lateWindowMs: 72 * 3_600_000, missedClockOutMs: 16 * 3_600_000, lateGraceMs: 5 * 60_000 });
  });

  it('reads CLOCK_LATE_WINDOW_HOURS, MISSED_CLOCK_OUT_HOURS and LATE_GRACE_MINUTES, and names a bad one', () => {
    expect(loadConfig({ CLOCK_LATE_WINDOW_HOURS: '24', MISSED_CLOCK_OUT_HOURS: '12.5', LATE_GRACE_MINUTES: '0' }).timeclock).toEqual({
      lateWindowMs: 24 * 3_600_000,
      missedClockOutMs: 12.5 * 3_600_000,
      lateGraceMs: 0,
    });
    expect(() => loadConfig({ MISSED_CLOCK_OUT_HOURS: '-1' })).toThrow(ConfigError);
    expect(() => loadConfig({ CLOCK_LATE_WINDOW_HOURS: 'soon' })).toThrow(/CLOCK_LATE_WINDOW_HOURS/);
  });
});

// Monday 2026-03-02 08:20 in London: scheduled from 08:00.
const clock = manualClock(new Date('2026-03-02T08:20:00Z'));
let t: TestApp;
let org: Awaited<ReturnType<typeof seedSmallOrg>>;

/** An app built with non-default settings, as main.ts builds it from the config. */
beforeAll(async () => {
  const database = await openTestDatabase();
  const app = await buildApp({
    config: { logLevel: 'silent', timeclock: { lateWindowMs: 3_600_000, missedClockOutMs: 2 * 3_600_000, lateGraceMs: 30 * 60_000 } },
    database,
    secret: randomBytes(32).toString('hex'),
    log: pino({ level: 'silent' }),
    clock,
    rateLimits: memoryRateLimitStore(() => clock.now().getTime()),
    runConsumers: false,
  });
  await app.ready();
  await app.workfloor.auth.ensureAdmin(ADMIN.email, ADMIN.password);
  const call: TestApp['call'] = async (token, opts) => {
    const res = await app.inject({ ...opts, headers: { ...(opts.headers as Record<string, string> | undefined), ...(token ? { authorization: `Bearer ${token}` } : {}) } });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined, headers: res.headers };
  };
  const login = async (email: string, password: string) => (await call(undefined, { method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })).body.accessToken as string;
  t = {
    app,
    wf: app.workfloor,
    database,
    adminToken: await login(ADMIN.email, ADMIN.password),
    call,
    login,
    waitForHorizon: async () => {},
    settle: async () => {},
    close: async () => {
      await app.close();
      await database.close();
    },
  } as unknown as TestApp;
  org = await seedSmallOrg(t);
});
afterAll(() => t.close());

describe('an app built with other time-clock settings', () => {
  const api = (url: string) => `/api/v1${url}`;
  const statusOf = async (employeeId: string) =>
    (await t.call(t.adminToken, { method: 'GET', url: api(`/live?locationId=${org.location.id}`) })).body.items.find((i: any) => i.employeeId === employeeId)?.status;

  it('uses its late window, grace period and missed clock-out limit on the floor and in coverage alerts', async () => {
    // Two hours late is past a 1 h window (within the default 72 h).
    const old = await t.call(t.adminToken, { method: 'POST', url: api('/clock-events'), payload: { id: randomUUID(), employeeId: org.colleague.id, kind: 'clock_in', at: '2026-03-02T06:20:00Z' } });
    expect(old.status).toBe(422);
    expect(old.body.error.code).toBe('PUNCH_TOO_OLD');

    // 20 minutes after a scheduled start is within 30 min of grace (late by the default 5 min).
    await t.call(t.adminToken, {
      method: 'PUT',
      url: api(`/employees/${org.employee.id}/contracts`),
      payload: { effectiveFrom: '2026-03-01', pattern: [{ weekday: 1, start: '08:00', end: '16:00', locationId: org.location.id, breakMinutes: 30 }] },
    });
    expect(await statusOf(org.employee.id)).toBe('scheduled');

    // Clocked in for 3 h: past a 2 h missed clock-out limit (an ordinary shift by the default 16 h).
    expect((await t.call(t.adminToken, { method: 'POST', url: api('/clock-events'), payload: { id: randomUUID(), employeeId: org.colleague.id, kind: 'clock_in' } })).status).toBe(201);
    clock.advance(3 * 3_600_000);
    t.adminToken = await t.login(ADMIN.email, ADMIN.password);
    expect(await statusOf(org.colleague.id)).toBe('missed_clock_out');
    const alerts = await t.call(t.adminToken, { method: 'GET', url: api(`/coverage/alerts?locationId=${org.location.id}`) });
    expect(alerts.status).toBe(200);
    expect(alerts.body.items.filter((a: any) => a.kind === 'missed_clock_out').map((a: any) => a.employeeIds)).toEqual([[org.colleague.id]]);
  });
});
