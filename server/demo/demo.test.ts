import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '../db/client.ts';
import { AppError } from '../lib/app-error.ts';
import { createTestApp, manualClock, type TestApp } from '../testing/test-app.ts';
import { DEMO_LOGINS, DEMO_PASSWORD, DEMO_SEED, listAll } from './demo-context.ts';
import { seedDemoIfEmpty } from './demo.ts';
import { emailLocalPart } from './names.ts';
import { planEmployees } from './org.step.ts';
import { createRng } from './rng.ts';
import { floorActivity } from './floor.behaviour.ts';
import { orgChurn } from './org.behaviour.ts';
import { DEMO_KIOSK_PIN } from './timeclock.step.ts';
import { simulateStep, startSimulator, type SimBehaviour, type Timers } from './simulator.ts';

const silent = pino({ level: 'silent' });
/**
 * A fixed "now" (Wednesday 10:20 in Leeds, 04:20 in Chicago, 15:50 in Pune) so that two generations
 * can be compared punch for punch and the live floor is mid-morning at the first location.
 */
const NOW = '2026-11-18T10:20:00Z';
const clock = manualClock(new Date(NOW));
const counts = async (x: TestApp) =>
  (
    await queryRows<{ punches: number; shifts: number; contracts: number; adjustments: number; holidays: number }>(
      x.database.db,
      sql`SELECT (SELECT count(*)::int FROM punches) AS punches, (SELECT count(*)::int FROM work_shifts) AS shifts,
                 (SELECT count(*)::int FROM contracts) AS contracts, (SELECT count(*)::int FROM adjustments) AS adjustments,
                 (SELECT count(*)::int FROM holidays) AS holidays`,
    )
  )[0]!;

/** Everyone as [name, department, location, email, externalIds], ordered by name. */
async function roster(t: TestApp) {
  const get = async (url: string) => {
    const res = await t.call(t.adminToken, { method: 'GET', url });
    expect(res.status).toBe(200);
    return res.body;
  };
  const locations = new Map<string, string>((await get('/api/v1/locations?limit=500')).items.map((l: any) => [l.id, l.name]));
  const departments = new Map<string, string>((await get('/api/v1/departments?limit=500')).items.map((d: any) => [d.id, d.name]));
  const employees = await listAll<any>((cursor) => get(`/api/v1/employees?limit=500${cursor ? `&cursor=${cursor}` : ''}`));
  return employees.map((e) => [e.name, departments.get(e.departmentId), locations.get(e.locationId), e.email, e.externalIds]);
}

/** Hour offset of a zone at an instant, from Intl (e.g. "GMT+05:30" -> 5.5). */
function offsetHours(timeZone: string, at: Date) {
  const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')!.value;
  const m = /GMT(?:([+-])(\d{2}):(\d{2}))?/.exec(part)!;
  return m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) + Number(m[3]) / 60) : 0;
}

/**
 * Events are read by seq straight from the table: these tests have one writer, so seq order is
 * commit order (EventLog.head/readAfter order by the text form of tx_id; see the report to the lead).
 */
async function lastSeq(t: TestApp): Promise<number> {
  const [row] = await queryRows<{ seq: number | null }>(t.database.db, sql`SELECT max(seq)::int AS seq FROM events`);
  return row!.seq ?? 0;
}
async function eventsAfter(t: TestApp, seq: number) {
  return queryRows<{ seq: number; type: string; entity_id: string; actor_name: string | null }>(
    t.database.db,
    sql`SELECT seq, type, entity_id, actor_name FROM events WHERE seq > ${seq} ORDER BY seq`,
  );
}

let t: TestApp;
let output = '';
/** The first database's people right after generation, before the simulator changes them. */
let generated: Awaited<ReturnType<typeof roster>>;
let generatedCounts: Awaited<ReturnType<typeof counts>>;
beforeAll(async () => {
  t = await createTestApp({ clock });
  const result = await seedDemoIfEmpty(t.wf, silent, { output: { write: (s: string) => (output += s), isTTY: false } });
  expect(result.created).toBe(true);
  generated = await roster(t);
  generatedCounts = await counts(t);
}, 120_000);
afterAll(() => t?.close());

describe('demo organisation', () => {
  it('has three locations in distinct zones, one of them a half-hour offset', async () => {
    const res = await t.call(t.adminToken, { method: 'GET', url: '/api/v1/locations' });
    const zones: string[] = res.body.items.map((l: any) => l.timezone);
    expect(zones).toHaveLength(3);
    expect(new Set(zones).size).toBe(3);
    const january = new Date('2026-01-15T12:00:00Z');
    expect(zones.some((z) => !Number.isInteger(offsetHours(z, january)))).toBe(true);
    expect(new Set(zones.map((z) => offsetHours(z, january))).size).toBe(3);
  });

  it('has eight departments spread over the locations and 320 active employees', async () => {
    const departments = (await t.call(t.adminToken, { method: 'GET', url: '/api/v1/departments?limit=100' })).body.items;
    expect(departments).toHaveLength(8);
    expect(new Set(departments.map((d: any) => d.locationId)).size).toBe(3);
    const people = generated;
    expect(people).toHaveLength(320);
    expect(new Set(people.map((p) => p[0])).size).toBe(320);
    expect(new Set(people.map((p) => p[3])).size).toBe(320);
    for (const [, , , email, externalIds] of people) {
      expect(email).toMatch(/^[a-z0-9.-]+@northwind\.example$/);
      expect(externalIds).toEqual({ payroll: expect.stringMatching(/^NW-\d{5}$/), badge: expect.stringMatching(/^\d{4}$/) });
    }
  });

  it('lets the three demo log-ins sign in; the manager manages exactly one department', async () => {
    for (const email of Object.values(DEMO_LOGINS)) await t.login(email, DEMO_PASSWORD);

    const manager = await t.login(DEMO_LOGINS.manager, DEMO_PASSWORD);
    const me = (await t.call(manager, { method: 'GET', url: '/api/v1/auth/me' })).body;
    expect(me.role).toBe('manager');
    expect(me.departmentIds).toHaveLength(1);
    expect(me.locationIds).toEqual([]);
    const visible = (await t.call(manager, { method: 'GET', url: '/api/v1/departments' })).body.items;
    expect(visible.map((d: any) => d.id)).toEqual(me.departmentIds);
    const firstLocation = (await t.call(t.adminToken, { method: 'GET', url: '/api/v1/locations' })).body.items.find(
      (l: any) => l.name === 'Leeds DC',
    );
    expect(visible[0].locationId).toBe(firstLocation.id);

    const employee = await t.login(DEMO_LOGINS.employee, DEMO_PASSWORD);
    const self = (await t.call(employee, { method: 'GET', url: '/api/v1/auth/me' })).body;
    expect(self.role).toBe('employee');
    const person = (await t.call(employee, { method: 'GET', url: `/api/v1/employees/${self.employeeId}` })).body;
    expect(person.email).toBe(DEMO_LOGINS.employee);
    expect(person.departmentId).toBe(me.departmentIds[0]);

    const admin = await t.login(DEMO_LOGINS.admin, DEMO_PASSWORD);
    expect((await t.call(admin, { method: 'GET', url: '/api/v1/auth/me' })).body.role).toBe('admin');
  });

  it('records every created row as an event of the demo admin', async () => {
    const events = await eventsAfter(t, 0);
    const created = events.filter((e) => e.type === 'employee.created');
    expect(created).toHaveLength(320);
    expect(new Set(created.map((e) => e.actor_name))).toEqual(new Set(['Rachel Whitaker']));
    expect(events.filter((e) => e.type === 'location.created')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'department.created')).toHaveLength(8);
  });

  it('prints progress and the log-ins, and prints the log-ins again on a later start', async () => {
    expect(output).toContain('Creating demo organisation "Northwind Fulfilment": 320/320 employees');
    for (const email of Object.values(DEMO_LOGINS)) expect(output).toContain(email);
    expect(output).toContain(DEMO_PASSWORD);
    expect(output).toContain(`kiosk PIN ${DEMO_KIOSK_PIN}`);

    let again = '';
    const before = await lastSeq(t);
    const result = await seedDemoIfEmpty(t.wf, silent, { output: { write: (s: string) => (again += s) } });
    expect(result.created).toBe(false);
    expect(await lastSeq(t)).toBe(before);
    expect(again).toContain(DEMO_LOGINS.manager);
    expect(again).not.toContain('Creating demo organisation');
  });
});


describe('demo schedule and time clock', () => {
  const packingOf = async (token: string) => (await t.call(token, { method: 'GET', url: '/api/v1/auth/me' })).body.departmentIds[0] as string;
  const leeds = async () => (await t.call(t.adminToken, { method: 'GET', url: '/api/v1/locations' })).body.items.find((l: any) => l.name === 'Leeds DC');

  it("gives the manager this week's Packing rota, with some (not absurdly many) rule violations", async () => {
    const manager = await t.login(DEMO_LOGINS.manager, DEMO_PASSWORD);
    const packing = await packingOf(manager);
    const res = await t.call(manager, { method: 'GET', url: '/api/v1/schedule?from=2026-11-16&to=2026-11-22' });
    expect(res.status).toBe(200);
    const people = new Set((await t.call(manager, { method: 'GET', url: `/api/v1/employees?limit=500&departmentId=${packing}` })).body.items.map((e: any) => e.id));
    expect(res.body.items.length).toBeGreaterThan(150);
    expect(res.body.items.every((i: any) => people.has(i.employeeId))).toBe(true);
    // Around today, approved extra shifts show as their own layer; a Saturday after a Friday evening breaks the rest rule.
    const around = (await t.call(manager, { method: 'GET', url: '/api/v1/schedule?from=2026-11-02&to=2026-11-29' })).body;
    expect(new Set(around.items.map((i: any) => i.source.layer))).toEqual(new Set(['contract', 'adjustment']));
    expect(around.violations.some((v: any) => v.rule === 'min_rest')).toBe(true);

    const all = await t.call(t.adminToken, { method: 'GET', url: '/api/v1/schedule?from=2026-11-16&to=2026-11-22' });
    expect(all.body.items.length).toBeGreaterThan(1000);
    expect(all.body.violations.length).toBeGreaterThan(0);
    expect(all.body.violations.length).toBeLessThan(all.body.items.length / 10);
  });

  it('has contracts that changed, holidays at every site, demand curves and labour rules', async () => {
    const employee = await t.login(DEMO_LOGINS.employee, DEMO_PASSWORD);
    const self = (await t.call(employee, { method: 'GET', url: '/api/v1/auth/me' })).body;
    const contracts = (await t.call(t.adminToken, { method: 'GET', url: `/api/v1/employees/${self.employeeId}/contracts` })).body;
    expect(contracts.length ?? contracts.items.length).toBe(2);
    const holidays = (await t.call(t.adminToken, { method: 'GET', url: '/api/v1/holidays' })).body.items;
    expect(new Set(holidays.map((h: any) => h.locationId)).size).toBe(3);
    expect(holidays.map((h: any) => h.name)).toContain('Thanksgiving Day');
    const site = await leeds();
    const demand = (await t.call(t.adminToken, { method: 'GET', url: `/api/v1/locations/${site.id}/demand` })).body;
    const wednesday = (hour: number) => demand.weekly.find((w: any) => w.weekday === 3 && w.hour === hour)?.required ?? 0;
    expect(wednesday(10)).toBeGreaterThan(wednesday(3));
    expect(demand.overrides.length).toBeGreaterThan(0);
  });

  it("fills the manager's approvals inbox, including the demo employee's request", async () => {
    const manager = await t.login(DEMO_LOGINS.manager, DEMO_PASSWORD);
    const pending = (await t.call(manager, { method: 'GET', url: '/api/v1/adjustments?status=pending&limit=100' })).body.items;
    expect(pending.length).toBeGreaterThanOrEqual(5);
    const employee = await t.login(DEMO_LOGINS.employee, DEMO_PASSWORD);
    const self = (await t.call(employee, { method: 'GET', url: '/api/v1/auth/me' })).body;
    expect(pending.some((a: any) => a.employeeId === self.employeeId && a.kind === 'time_off')).toBe(true);
    expect(pending.some((a: any) => a.kind === 'swap' && a.counterpartAcceptedAt === null)).toBe(true);
    expect(pending.some((a: any) => a.kind === 'swap' && a.counterpartAcceptedAt !== null)).toBe(true);
    const decided = (await t.call(t.adminToken, { method: 'GET', url: '/api/v1/adjustments?limit=100' })).body.items;
    const statuses = new Set(decided.map((a: any) => a.status));
    expect(statuses).toEqual(new Set(['pending', 'approved', 'rejected']));
    // Decisions are the department managers' (Packing's by the demo manager), never the requester's.
    expect(decided.filter((a: any) => a.departmentId === self.departmentIds?.[0] || a.status !== 'pending').every((a: any) => a.decidedByName !== a.employeeName)).toBe(true);
  });

  it('shows a live floor at the first site: people on shift and some late, absent or on a break', async () => {
    const manager = await t.login(DEMO_LOGINS.manager, DEMO_PASSWORD);
    const site = await leeds();
    const live = await t.call(manager, { method: 'GET', url: `/api/v1/live?locationId=${site.id}` });
    expect(live.status).toBe(200);
    const counts = live.body.counts as Record<string, number>;
    expect(counts.on_shift).toBeGreaterThan(10);
    expect((counts.late ?? 0) + (counts.absent ?? 0) + (counts.on_break ?? 0)).toBeGreaterThan(0);
    const everyone = await t.call(t.adminToken, { method: 'GET', url: `/api/v1/live?locationId=${site.id}` });
    expect(Object.keys(everyone.body.counts).length).toBeGreaterThanOrEqual(3);
  });

  it('has four weeks of punches: last week\'s timesheets show worked minutes for most people', async () => {
    const sheet = await t.call(t.adminToken, { method: 'GET', url: '/api/v1/timesheets?from=2026-11-09&to=2026-11-15' });
    expect(sheet.status).toBe(200);
    const items = sheet.body.items as any[];
    expect(items.filter((i) => i.workedMinutes > 0).length).toBeGreaterThan(items.length * 0.85);
    const shifts = items.flatMap((i) => i.shifts);
    expect(shifts.filter((s) => s.breaks.length > 0).length).toBeGreaterThan(shifts.length / 2);
    const early = await t.call(t.adminToken, { method: 'GET', url: '/api/v1/timesheets?from=2026-10-21&to=2026-10-27' });
    expect((early.body.items as any[]).filter((i) => i.workedMinutes > 0).length).toBeGreaterThan(items.length * 0.8);
    // At most one open shift per person, and only the newest.
    const open = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM work_shifts w WHERE clock_out_at IS NULL AND EXISTS (SELECT 1 FROM work_shifts later WHERE later.employee_id = w.employee_id AND later.clock_in_at > w.clock_in_at)`);
    expect(open[0]!.n).toBe(0);
    expect(generatedCounts.punches).toBeGreaterThan(15_000);
  });

  it('lets the demo employee use the kiosk with the printed PIN', async () => {
    const manager = await t.login(DEMO_LOGINS.manager, DEMO_PASSWORD);
    const employee = await t.login(DEMO_LOGINS.employee, DEMO_PASSWORD);
    const self = (await t.call(employee, { method: 'GET', url: '/api/v1/auth/me' })).body;
    const wrong = await t.call(manager, { method: 'POST', url: '/api/v1/kiosk/punch', payload: { id: crypto.randomUUID(), employeeId: self.employeeId, kind: 'clock_in', pin: '0000' } });
    expect(wrong.status).toBe(401);
    const site = await leeds();
    const found = (await t.call(manager, { method: 'GET', url: `/api/v1/kiosk/people?locationId=${site.id}&q=${encodeURIComponent(self.name)}` })).body.items;
    const me = found.find((p: any) => p.employeeId === self.employeeId);
    const ok = await t.call(manager, { method: 'POST', url: '/api/v1/kiosk/punch', payload: { id: crypto.randomUUID(), employeeId: self.employeeId, kind: me.nextAction, pin: DEMO_KIOSK_PIN } });
    expect(ok.status).toBe(201);
  });
});

describe('demo plan', () => {
  it('is a pure function of the seed', () => {
    expect(planEmployees(createRng(DEMO_SEED))).toEqual(planEmployees(createRng(DEMO_SEED)));
    expect(planEmployees(createRng(DEMO_SEED + 1)).map((p) => p.name)).not.toEqual(planEmployees(createRng(DEMO_SEED)).map((p) => p.name));
  });

  it('folds names into plain e-mail addresses', () => {
    expect(emailLocalPart("Siobhán O'Brien")).toBe('siobhan.obrien');
    expect(emailLocalPart('Paweł Dąbrowski')).toBe('pawel.dabrowski');
    expect(emailLocalPart('Min-jun Kim')).toBe('min-jun.kim');
  });
});

describe('simulator', () => {
  it('changes the organisation through the services, and each change is in the event log', async () => {
    const rng = createRng(7);
    const actions = new Set<string>();
    for (let i = 0; i < 25; i++) {
      const before = await lastSeq(t);
      const outcome = await simulateStep(t.wf, rng);
      expect(outcome).toBeDefined();
      actions.add(outcome!.action);
      const events = await eventsAfter(t, before);
      expect(events.length).toBeGreaterThan(0);
      expect(events.map((e) => e.type).filter((type) => !type.startsWith('employee.'))).toEqual([]);
      expect(outcome!.entityIds.every((id) => events.some((e) => e.entity_id === id))).toBe(true);
    }
    expect(actions.size).toBeGreaterThanOrEqual(3);

    const people = await listAll<any>(async (cursor) => {
      const res = await t.call(t.adminToken, { method: 'GET', url: `/api/v1/employees?limit=500${cursor ? `&cursor=${cursor}` : ''}` });
      return res.body;
    });
    expect(Math.abs(people.length - 320)).toBeLessThanOrEqual(8);
    // The demo employee log-in's person is never moved or let go.
    const employee = await t.login(DEMO_LOGINS.employee, DEMO_PASSWORD);
    const self = (await t.call(employee, { method: 'GET', url: '/api/v1/auth/me' })).body;
    expect((await t.call(employee, { method: 'GET', url: `/api/v1/employees/${self.employeeId}` })).status).toBe(200);
  });

  it('moves the live floor: punches near shift starts, breaks and ends, never refused by the state machine', async () => {
    const refused: string[] = [];
    const recordPunch = t.wf.timeclock.recordPunch;
    t.wf.timeclock.recordPunch = async (...args) => {
      try {
        return await recordPunch(...args);
      } catch (err) {
        if (err instanceof AppError) refused.push(err.code);
        throw err;
      }
    };
    try {
      const rng = createRng(11);
      const kinds = new Set<string>();
      // From 13:40 to 14:30 in Leeds: the early shift clocks out, the evening shift clocks in.
      clock.advance(Date.parse('2026-11-18T13:40:00Z') - clock.now().getTime());
      for (let i = 0; i < 10; i++) {
        clock.advance(5 * 60_000);
        const before = await lastSeq(t);
        const outcome = await simulateStep(t.wf, rng, { behaviour: floorActivity });
        if (!outcome) continue;
        const events = await eventsAfter(t, before);
        expect(outcome.entityIds.every((id) => events.some((e) => e.entity_id === id))).toBe(true);
        for (const e of events) kinds.add(e.type);
      }
      expect(kinds.has('clock_event.recorded')).toBe(true);
      const punches = await queryRows<{ kind: string; n: number }>(t.database.db, sql`SELECT kind, count(*)::int AS n FROM punches WHERE source = 'kiosk' AND recorded_by IS NOT NULL AND at > ${new Date('2026-11-18T13:40:00Z')} GROUP BY kind`);
      const byKind = Object.fromEntries(punches.map((p) => [p.kind, p.n]));
      expect(byKind.clock_in).toBeGreaterThan(5);
      expect(byKind.clock_out).toBeGreaterThan(5);
      expect(refused).toEqual([]);
    } finally {
      t.wf.timeclock.recordPunch = recordPunch;
    }
  });

  it('runs on its timers and stops cleanly, waiting for the run in flight', async () => {
    const pending: (() => void)[] = [];
    const timers: Timers = {
      set: (fn) => (pending.push(fn), fn),
      clear: (handle) => void pending.splice(pending.indexOf(handle as () => void), 1),
    };
    let inFlight!: () => void;
    const started = new Promise<void>((resolve) => (inFlight = resolve));
    const churn: SimBehaviour = {
      ...orgChurn,
      run(ctx) {
        inFlight();
        return orgChurn.run(ctx);
      },
    };
    const before = await lastSeq(t);
    const stop = startSimulator(t.wf, silent, { seed: 3, timers, behaviours: [churn] });
    expect(pending).toHaveLength(1);
    pending.shift()!();
    await started;
    await stop();
    // stop() resolved only after the run had written its change.
    expect((await eventsAfter(t, before)).length).toBeGreaterThan(0);
    // Stopped: nothing further was scheduled.
    expect(pending).toHaveLength(0);
  });
});

describe('on a second fresh database', () => {
  let other: TestApp;
  beforeAll(async () => {
    other = await createTestApp({ clock: manualClock(new Date(NOW)) });
  }, 120_000);
  afterAll(() => other?.close());

  it('the simulator stays idle while there is no demo organisation', async () => {
    expect(await simulateStep(other.wf, createRng(1))).toBeUndefined();
  });

  it('the generator makes the same people in the same departments', { timeout: 120_000 }, async () => {
    await seedDemoIfEmpty(other.wf, silent, { output: null });
    expect(await roster(other)).toEqual(generated);
    // Same contracts, holidays, requests and the very same number of punches and worked shifts.
    expect(await counts(other)).toEqual(generatedCounts);
  });
});
