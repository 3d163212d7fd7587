import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type * as c from '../../../contract/schedule.ts';
import type { Db, DbOrTx, Tx } from '../../db/client.ts';
import type { EventLog } from '../../events/event-log.ts';
import { AppError, forbidden, notFound } from '../../lib/app-error.ts';
import type { Clock } from '../../lib/clock.ts';
import { decodeCursor, toPage } from '../../lib/cursor.ts';
import { actorOf, inScope, isOrgWide, type Principal } from '../../lib/principal.ts';
import { renderCalendar } from './calendar.ts';
import { toScheduleItems, toScheduleViolations } from './schedule-items.ts';
import * as repo from './schedule.repository.ts';
import {
  addDays,
  defaultLabourRules,
  expandSchedule,
  findViolations,
  weekStartOf,
  type EngineAdjustment,
  type EngineEmployee,
  type LabourRules,
  type ScheduledShift,
} from './schedule-engine.ts';

const DAY_MS = 86_400_000;
type Employee = Awaited<ReturnType<typeof repo.findEmployees>>[number];

export interface ScheduleDeps {
  db: Db;
  events: EventLog;
  clock: Clock;
  log: Logger;
}

const iso = (d: Date) => d.toISOString();
function toAdjustment(a: repo.AdjustmentWithEmployee): c.Adjustment {
  return {
    id: a.id,
    number: a.number,
    employeeId: a.employeeId,
    employeeName: a.employeeName,
    departmentId: a.departmentId,
    kind: a.kind,
    start: iso(a.start),
    end: iso(a.end),
    locationId: a.locationId,
    counterpartEmployeeId: a.counterpartEmployeeId,
    counterpartAcceptedAt: a.counterpartAcceptedAt ? iso(a.counterpartAcceptedAt) : null,
    reason: a.reason,
    status: a.status,
    requestedBy: a.requestedBy,
    requestedByName: a.requestedByName,
    requestedAt: iso(a.requestedAt),
    decidedBy: a.decidedBy,
    decidedByName: a.decidedByName,
    decidedAt: a.decidedAt ? iso(a.decidedAt) : null,
    decisionNote: a.decisionNote,
  };
}
const toEngineAdjustment = (a: repo.AdjustmentRow): EngineAdjustment => ({
  id: a.id,
  number: a.number,
  employeeId: a.employeeId,
  kind: a.kind,
  startMs: a.start.getTime(),
  endMs: a.end.getTime(),
  locationId: a.locationId,
  counterpartEmployeeId: a.counterpartEmployeeId,
  decidedAtMs: a.decidedAt?.getTime() ?? Number.MAX_SAFE_INTEGER,
  decidedByName: a.decidedByName,
});

/**
 * The unified schedule and everything that feeds it: contracts, holidays, adjustments and their
 * approval lifecycle, labour rules, demand and the calendar feed.
 */
export function createScheduleService({ db, events, clock }: ScheduleDeps) {
  /** Employees the principal may see, narrowed by the query's filters. */
  async function visibleEmployees(principal: Principal, f: { employeeId?: string | undefined; departmentId?: string | undefined; locationId?: string | undefined }) {
    let within: repo.EmployeeFilter['within'];
    let ids: string[] | undefined = f.employeeId ? [f.employeeId] : undefined;
    if (!isOrgWide(principal) && principal.kind === 'user') {
      if (principal.role === 'manager') within = { departmentIds: [...principal.scope.departmentIds], locationIds: principal.locationIds };
      else {
        if (f.employeeId && f.employeeId !== principal.employeeId) throw notFound('Employee');
        ids = [principal.employeeId ?? '00000000-0000-0000-0000-000000000000'];
      }
    }
    const rows = await repo.findEmployees(db, { ids, locationId: f.locationId, departmentId: f.departmentId, within });
    if (f.employeeId && rows.length === 0) throw notFound('Employee');
    return rows;
  }

  async function requireEmployeeInScope(principal: Principal, employeeId: string, executor: DbOrTx = db) {
    const employee = await repo.findEmployeeById(executor, employeeId);
    const own = principal.kind === 'user' && principal.employeeId === employeeId;
    if (!employee || !(own || inScope(principal, employee))) throw notFound('Employee');
    return employee;
  }

  /** Loads what the engine needs for these employees and dates, and expands it. */
  async function compute(
    executor: DbOrTx,
    employees: Employee[],
    from: string,
    to: string,
    options: { extraAdjustments?: repo.AdjustmentRow[]; withoutAdjustmentId?: string } = {},
  ) {
    const locations = await repo.findLocations(executor);
    const zones = new Map(locations.map((l) => [l.id, l.timezone]));
    const locationNames = new Map(locations.map((l) => [l.id, l.name]));
    const ids = employees.map((e) => e.id);
    const windowFrom = new Date(Date.parse(`${from}T00:00:00Z`) - 2 * DAY_MS);
    const windowTo = new Date(Date.parse(`${to}T00:00:00Z`) + 3 * DAY_MS);
    // A swap hands over the other person's shifts as they stand when it applies: cut by their time off,
    // moved by their own earlier swaps. So the other party's approved adjustments are loaded too, and
    // theirs in turn, until no swap brings in anyone new; otherwise one person's schedule would depend
    // on who else the query happened to list.
    const extra = options.extraAdjustments ?? [];
    const involved = new Set(ids);
    let frontier = [...ids];
    const bringIn = (a: repo.AdjustmentRow) => {
      for (const p of a.counterpartEmployeeId ? [a.employeeId, a.counterpartEmployeeId] : [a.employeeId]) {
        if (!involved.has(p)) {
          involved.add(p);
          frontier.push(p);
        }
      }
    };
    extra.forEach(bringIn);
    const loaded = new Map<string, repo.AdjustmentRow>();
    while (frontier.length) {
      const rows = await repo.findApprovedAdjustments(executor, frontier, windowFrom, windowTo);
      frontier = [];
      for (const a of rows) {
        if (loaded.has(a.id) || a.id === options.withoutAdjustmentId) continue;
        loaded.set(a.id, a);
        bringIn(a);
      }
    }
    const adjustments = [...loaded.values(), ...extra];
    const listed = new Set(ids);
    const missing = [...involved].filter((id) => !listed.has(id));
    const everyone = missing.length ? [...employees, ...(await repo.findEmployees(executor, { ids: missing }))] : employees;
    const contracts = await repo.findContractsOverlapping(executor, [...involved], from, to);
    const holidayRows = await repo.findHolidays(executor, { from, to });
    const holidays = new Map<string, Set<string>>();
    for (const h of holidayRows) (holidays.get(h.locationId) ?? holidays.set(h.locationId, new Set()).get(h.locationId)!).add(h.date);
    const engineEmployees = new Map<string, EngineEmployee>(everyone.map((e) => [e.id, { id: e.id, name: e.name, locationId: e.locationId }]));
    const input = {
      from,
      to,
      employees: engineEmployees,
      contracts: contracts.map((k) => ({ id: k.id, employeeId: k.employeeId, effectiveFrom: k.effectiveFrom, effectiveTo: k.effectiveTo, pattern: k.pattern })),
      adjustments: adjustments.map(toEngineAdjustment),
      holidays,
      zones,
    };
    const wanted = new Set(ids);
    const shifts = expandSchedule(input).filter((s) => wanted.has(s.employeeId));
    return { shifts, input, zones, locationNames, everyone };
  }

  async function rulesLookup(executor: DbOrTx): Promise<(locationId: string) => LabourRules> {
    const rows = await repo.findLabourRules(executor);
    const byLocation = new Map(rows.map((r) => [r.locationId, r]));
    return (locationId) => byLocation.get(locationId) ?? defaultLabourRules;
  }

  /**
   * The schedule for [from, to] with violations. Expansion runs a week earlier and on to the Monday
   * after `to`'s week, so weekly totals are over whole weeks (a one-day query reports the same week as a
   * whole-week one) and rest periods at the edges of the range are judged with their neighbours.
   */
  async function scheduleFor(executor: DbOrTx, employees: Employee[], from: string, to: string, options: Parameters<typeof compute>[4] = {}) {
    const ctx = await compute(executor, employees, addDays(from, -7), addDays(weekStartOf(to), 7), options);
    const inRange = (s: ScheduledShift) => s.date >= from && s.date <= to;
    const rulesOf = await rulesLookup(executor);
    const violations = findViolations(ctx.shifts, ctx.input, rulesOf);
    const keysInRange = new Set(ctx.shifts.filter(inRange).map((s) => s.key));
    const relevant = violations.filter((v) =>
      v.rule === 'max_weekly' ? v.shiftKeys.some((k) => keysInRange.has(k)) : v.shiftKeys.some((k) => keysInRange.has(k)),
    );
    const names = new Map(ctx.everyone.map((e) => [e.id, e.name]));
    const homes = new Map(ctx.everyone.map((e) => [e.id, e.locationId]));
    const view = { zones: ctx.zones, locationNames: ctx.locationNames, adjustments: ctx.input.adjustments, names };
    return {
      items: toScheduleItems(ctx.shifts.filter(inRange), view),
      violations: toScheduleViolations(relevant, ctx.zones, (id) => homes.get(id)),
      raw: relevant,
    };
  }

  function record(tx: Tx, principal: Principal | null, type: string, a: repo.AdjustmentWithEmployee | (repo.AdjustmentRow & { departmentId: string; employeeLocationId: string }), payload: Record<string, unknown>) {
    return events.append(tx, {
      type,
      entity: { type: 'adjustment', id: a.id },
      actor: principal ? actorOf(principal) : { type: 'system', id: null, name: 'Workfloor' },
      payload: {
        number: a.number,
        kind: a.kind,
        employeeId: a.employeeId,
        counterpartEmployeeId: a.counterpartEmployeeId,
        // The window the change touches: coverage recomputes exactly these hours.
        start: a.start.toISOString(),
        end: a.end.toISOString(),
        ...payload,
      },
      scope: { employeeId: a.employeeId, departmentId: a.departmentId, locationId: a.employeeLocationId, userId: a.requestedBy },
    });
  }

  /** Dates touched by an adjustment, widened by a day each side for overnight shifts. */
  function datesOf(a: repo.AdjustmentRow): { from: string; to: string } {
    return { from: addDays(a.start.toISOString().slice(0, 10), -1), to: addDays(a.end.toISOString().slice(0, 10), 1) };
  }

  /** Overlaps that approving `a` would add for the employees it concerns. */
  async function conflictsOf(executor: DbOrTx, a: repo.AdjustmentRow) {
    const ids = [a.employeeId, ...(a.counterpartEmployeeId ? [a.counterpartEmployeeId] : [])];
    const employees = await repo.findEmployees(executor, { ids });
    const { from, to } = datesOf(a);
    const approved = { ...a, status: 'approved' as const, decidedAt: clock.now() };
    const before = await scheduleFor(executor, employees, from, to, { withoutAdjustmentId: a.id });
    const after = await scheduleFor(executor, employees, from, to, { withoutAdjustmentId: a.id, extraAdjustments: [approved] });
    const existing = new Set(before.raw.filter((v) => v.rule === 'no_overlap').map((v) => `${v.employeeId}|${v.startMs}|${v.endMs}`));
    const added = after.raw.filter((v) => v.rule === 'no_overlap' && !existing.has(`${v.employeeId}|${v.startMs}|${v.endMs}`));
    return { before, after, conflicts: after.violations.filter((v) => added.some((x) => x.employeeId === v.employeeId && toIsoMs(v.start) === x.startMs)) };
  }

  function assertCanDecide(principal: Principal, a: repo.AdjustmentWithEmployee, counterpart?: { locationId: string; departmentId: string }) {
    if (principal.kind === 'api_key') throw forbidden('Agents propose; only people approve or reject');
    if (principal.role === 'employee') throw forbidden('Only managers and admins decide requests');
    if (!inScope(principal, { locationId: a.employeeLocationId, departmentId: a.departmentId })) throw notFound('Adjustment');
    if (counterpart && !inScope(principal, counterpart)) throw forbidden('The other person in this swap is outside your scope');
    const concernsThem = principal.employeeId !== null && (a.employeeId === principal.employeeId || a.counterpartEmployeeId === principal.employeeId);
    if (concernsThem || a.requestedBy === principal.userId) {
      throw forbidden('Nobody decides their own request');
    }
  }

  async function loadVisibleAdjustment(principal: Principal, id: string, executor: DbOrTx = db) {
    const a = await repo.findAdjustmentById(executor, id);
    if (!a) throw notFound('Adjustment');
    const involved =
      principal.kind === 'user' &&
      ((principal.employeeId !== null && (a.employeeId === principal.employeeId || a.counterpartEmployeeId === principal.employeeId)) ||
        a.requestedBy === principal.userId);
    if (!involved && !inScope(principal, { locationId: a.employeeLocationId, departmentId: a.departmentId })) throw notFound('Adjustment');
    return a;
  }

  return {
    /**
     * The effective schedule of every active employee for [from, to], with no access check: for
     * other features' aggregates (coverage), never for a response as it is.
     */
    async scheduleOfEveryone(from: string, to: string, executor: DbOrTx = db) {
      const employees = await repo.findEmployees(executor, {});
      const ctx = await compute(executor, employees, from, to);
      return ctx.shifts.map((s) => ({ employeeId: s.employeeId, locationId: s.locationId, date: s.date, startMs: s.startMs, endMs: s.endMs, breakMinutes: s.breakMinutes }));
    },

    async getSchedule(principal: Principal, q: z.infer<typeof c.scheduleQuery>) {
      const employees = await visibleEmployees(principal, q);
      const { items, violations } = await scheduleFor(db, employees, q.from, q.to);
      return { items, violations };
    },

    // ---- contracts ----
    async listContracts(principal: Principal, employeeId: string): Promise<c.Contract[]> {
      await requireEmployeeInScope(principal, employeeId);
      return (await repo.findContractsOfEmployee(db, employeeId)).map((k) => ({ ...k, createdAt: iso(k.createdAt) }));
    },

    /**
     * A new contract takes its period [effectiveFrom, effectiveTo] from the contracts it overlaps, and
     * only from those: one running into it is closed the day before, one running on after it resumes
     * the day after (split in two when the new one sits inside it), and one lying wholly inside it is
     * superseded. Contracts before or after the period are untouched, so no two periods ever overlap
     * and nothing outside the new period changes. Serialised per employee.
     */
    async putContract(principal: Principal, employeeId: string, input: z.infer<typeof c.contractPut>) {
      if (principal.kind === 'user' && principal.role === 'employee') throw forbidden('Contracts are set by managers');
      const employee = await requireEmployeeInScope(principal, employeeId);
      const locationIds = [...new Set(input.pattern.map((p) => p.locationId))];
      for (const id of locationIds) {
        if (!(await repo.findLocationById(db, id))) throw new AppError('UNPROCESSABLE', 'A pattern location does not exist', { locationId: id });
        // A manager schedules people only at sites they manage (a department brings its location).
        if (!isOrgWide(principal) && principal.kind === 'user' && !principal.scope.locationIds.has(id)) {
          throw new AppError('FORBIDDEN', 'A pattern location is outside your scope', { locationId: id });
        }
      }
      const from = input.effectiveFrom;
      const to = input.effectiveTo ?? null;
      return events.write(async (tx) => {
        await repo.lockEmployeeSchedule(tx, employeeId);
        const existing = await repo.findContractsOfEmployee(tx, employeeId);
        const closed: { id: string; effectiveTo: string }[] = [];
        const resumed: { id: string; effectiveFrom: string; effectiveTo: string | null; splitFrom?: string }[] = [];
        const superseded: string[] = [];
        for (const k of existing) {
          const overlaps = (k.effectiveTo === null || k.effectiveTo >= from) && (to === null || k.effectiveFrom <= to);
          if (!overlaps) continue;
          const keepsBefore = k.effectiveFrom < from;
          const keepsAfter = to !== null && (k.effectiveTo === null || k.effectiveTo > to);
          if (keepsBefore) {
            closed.push({ id: k.id, effectiveTo: addDays(from, -1) });
            await repo.setContractEnd(tx, k.id, addDays(from, -1));
          }
          if (keepsAfter && keepsBefore) {
            // The new contract sits inside this one: what follows it carries on as it was.
            const rest = await repo.insertContract(tx, {
              employeeId,
              effectiveFrom: addDays(to, 1),
              effectiveTo: k.effectiveTo,
              pattern: k.pattern,
              createdBy: k.createdBy,
            });
            resumed.push({ id: rest.id, effectiveFrom: rest.effectiveFrom, effectiveTo: rest.effectiveTo, splitFrom: k.id });
          } else if (keepsAfter) {
            resumed.push({ id: k.id, effectiveFrom: addDays(to, 1), effectiveTo: k.effectiveTo });
            await repo.setContractStart(tx, k.id, addDays(to, 1));
          } else if (!keepsBefore) {
            superseded.push(k.id);
            await repo.deleteContract(tx, k.id);
          }
        }
        const row = await repo.insertContract(tx, {
          employeeId,
          effectiveFrom: from,
          effectiveTo: to,
          pattern: input.pattern,
          createdBy: actorOf(principal).name,
        });
        await events.append(tx, {
          type: 'contract.created',
          entity: { type: 'contract', id: row.id },
          actor: actorOf(principal),
          payload: { after: { employeeId, effectiveFrom: row.effectiveFrom, effectiveTo: row.effectiveTo, pattern: row.pattern }, closed, resumed, superseded },
          scope: { employeeId, departmentId: employee.departmentId, locationId: employee.locationId },
        });
        return { ...row, createdAt: iso(row.createdAt) };
      });
    },

    /**
     * Colleagues this employee may ask to swap with: active people in the same department or at the
     * same location. Readable by the employee, the managers in whose scope they are, and admins.
     */
    async swapCandidates(principal: Principal, employeeId: string): Promise<c.SwapCandidate[]> {
      const employee = await requireEmployeeInScope(principal, employeeId);
      if (!employee.active) throw notFound('Employee');
      return repo.findSwapCandidates(db, { employeeId, departmentId: employee.departmentId, locationId: employee.locationId });
    },

    // ---- holidays ----
    async listHolidays(_principal: Principal, q: z.infer<typeof c.holidayQuery>) {
      const rows = await repo.findHolidays(db, { locationIds: q.locationId ? [q.locationId] : undefined, from: q.from, to: q.to });
      return { items: rows.map((h) => ({ id: h.id, locationId: h.locationId, date: h.date, name: h.name })) };
    },
    async createHoliday(principal: Principal, input: z.infer<typeof c.holidayCreate>) {
      if (!(isOrgWide(principal) || (principal.kind === 'user' && principal.role === 'manager' && principal.locationIds.includes(input.locationId)))) {
        throw forbidden('Holidays are set by admins or the location\'s manager');
      }
      if (!(await repo.findLocationById(db, input.locationId))) throw new AppError('UNPROCESSABLE', 'The location does not exist', { field: 'locationId' });
      return events.write(async (tx) => {
        const row = await repo.insertHoliday(tx, input);
        if (!row) throw new AppError('CONFLICT', `There is already a holiday on ${input.date} at this location`);
        await events.append(tx, {
          type: 'holiday.created',
          entity: { type: 'holiday', id: row.id },
          actor: actorOf(principal),
          payload: { after: input },
          scope: { locationId: input.locationId },
        });
        return { id: row.id, locationId: row.locationId, date: row.date, name: row.name };
      });
    },
    async deleteHoliday(principal: Principal, id: string) {
      const existing = await repo.findHolidayById(db, id);
      if (!existing) throw notFound('Holiday');
      if (!(isOrgWide(principal) || (principal.kind === 'user' && principal.role === 'manager' && principal.locationIds.includes(existing.locationId)))) {
        throw forbidden('Holidays are set by admins or the location\'s manager');
      }
      await events.write(async (tx) => {
        const row = await repo.deleteHoliday(tx, id);
        if (!row) throw notFound('Holiday');
        await events.append(tx, {
          type: 'holiday.deleted',
          entity: { type: 'holiday', id },
          actor: actorOf(principal),
          payload: { before: { locationId: row.locationId, date: row.date, name: row.name } },
          scope: { locationId: row.locationId },
        });
      });
    },

    // ---- adjustments ----
    async listAdjustments(principal: Principal, q: z.infer<typeof c.adjustmentListQuery>) {
      const cursor = decodeCursor(q.cursor, ['int']);
      let within: repo.AdjustmentFilter['within'];
      let involving: repo.AdjustmentFilter['involving'];
      if (!isOrgWide(principal) && principal.kind === 'user') {
        if (principal.role === 'manager') within = { departmentIds: [...principal.scope.departmentIds], locationIds: principal.locationIds };
        else involving = { employeeId: principal.employeeId, userId: principal.userId };
      }
      const rows = await repo.findAdjustments(db, {
        status: q.status,
        employeeId: q.employeeId,
        departmentId: q.departmentId,
        locationId: q.locationId,
        within,
        involving,
        beforeNumber: cursor ? Number(cursor[0]) : undefined,
        limit: q.limit,
      });
      const page = toPage(rows, q.limit, (r) => [r.number]);
      return { ...page, items: page.items.map(toAdjustment) };
    },

    async getAdjustment(principal: Principal, id: string) {
      return toAdjustment(await loadVisibleAdjustment(principal, id));
    },

    /**
     * Employees request for themselves. A manager or admin setting a change for someone else in their
     * scope is deciding it as they make it, so it is approved at once (and checked for overlaps like
     * any approval); for themselves they must ask someone else. Agents' requests wait for a person.
     */
    async requestAdjustment(principal: Principal, input: z.infer<typeof c.adjustmentCreate>) {
      const employee = await requireEmployeeInScope(principal, input.employeeId);
      const self = principal.kind === 'user' && principal.employeeId === input.employeeId;
      if (principal.kind === 'user' && principal.role === 'employee' && !self) throw forbidden('Employees request changes for themselves');
      if (input.locationId && !(await repo.findLocationById(db, input.locationId))) {
        throw new AppError('UNPROCESSABLE', 'The location does not exist', { field: 'locationId' });
      }
      if (input.counterpartEmployeeId) {
        if (input.counterpartEmployeeId === input.employeeId) throw new AppError('UNPROCESSABLE', 'A swap needs two different people', { field: 'counterpartEmployeeId' });
        const other = await repo.findEmployeeById(db, input.counterpartEmployeeId);
        if (!other?.active) throw new AppError('UNPROCESSABLE', 'The other person does not exist', { field: 'counterpartEmployeeId' });
        // The same rule as `swapCandidates`, so the picker lists exactly who may be asked.
        if (other.departmentId !== employee.departmentId && other.locationId !== employee.locationId) {
          throw new AppError('UNPROCESSABLE', 'A swap is with a colleague in the same department or at the same location', { field: 'counterpartEmployeeId' });
        }
      }
      const direct = principal.kind === 'user' && principal.role !== 'employee' && !self && input.kind !== 'swap';
      const now = clock.now();
      const actor = actorOf(principal);
      const created = await events.write(async (tx) => {
        if (direct) await repo.lockEmployeeSchedule(tx, input.employeeId);
        const row = await repo.insertAdjustment(tx, {
          employeeId: input.employeeId,
          kind: input.kind,
          start: new Date(input.start),
          end: new Date(input.end),
          locationId: input.locationId ?? null,
          counterpartEmployeeId: input.counterpartEmployeeId ?? null,
          reason: input.reason,
          status: 'pending',
          requestedBy: principal.kind === 'user' ? principal.userId : null,
          requestedByName: actor.name,
          requestedAt: now,
        });
        const withEmployee = { ...row, employeeName: employee.name, departmentId: employee.departmentId, employeeLocationId: employee.locationId };
        await record(tx, principal, 'adjustment.requested', withEmployee, { after: toAdjustment(withEmployee) });
        if (!direct) return withEmployee;
        const { conflicts } = await conflictsOf(tx, row);
        if (conflicts.length) throw new AppError('SCHEDULE_CONFLICT', conflicts[0]!.message, { conflicts });
        const approved = (await repo.transitionAdjustment(tx, row.id, ['pending'], {
          status: 'approved',
          decidedBy: principal.userId,
          decidedByName: principal.name,
          decidedAt: now,
          decisionNote: 'set directly by a manager',
        }))!;
        const result = { ...withEmployee, ...approved };
        await record(tx, principal, 'adjustment.approved', result, { direct: true, before: { status: 'pending' }, after: { status: 'approved' } });
        return result;
      });
      return toAdjustment(created);
    },

    async acceptSwap(principal: Principal, id: string) {
      const a = await loadVisibleAdjustment(principal, id);
      if (a.kind !== 'swap' || principal.kind !== 'user' || principal.employeeId !== a.counterpartEmployeeId) {
        throw forbidden('Only the other person in a swap accepts it');
      }
      return toAdjustment(
        await events.write(async (tx) => {
          const row = await repo.markCounterpartAccepted(tx, id, clock.now());
          if (!row) throw new AppError('INVALID_STATE', 'This swap is no longer waiting for you');
          const result = { ...a, ...row };
          await record(tx, principal, 'adjustment.accepted', result, { after: { counterpartAcceptedAt: iso(row.counterpartAcceptedAt!) } });
          return result;
        }),
      );
    },

    async preview(principal: Principal, id: string) {
      const a = await loadVisibleAdjustment(principal, id);
      const { before, after, conflicts } = await conflictsOf(db, a);
      return { adjustment: toAdjustment(a), before: strip(before), after: strip(after), conflicts };
    },

    async approve(principal: Principal, id: string, note?: string) {
      const a = await loadVisibleAdjustment(principal, id);
      const counterpart = a.counterpartEmployeeId ? await repo.findEmployeeById(db, a.counterpartEmployeeId) : undefined;
      assertCanDecide(principal, a, counterpart);
      if (a.status !== 'pending') throw new AppError('INVALID_STATE', `This request is already ${a.status}`);
      if (a.kind === 'swap' && !a.counterpartAcceptedAt) throw new AppError('INVALID_STATE', 'The other person has not accepted this swap yet');
      const decider = principal as Extract<Principal, { kind: 'user' }>;
      return toAdjustment(
        await events.write(async (tx) => {
          await repo.lockEmployeeSchedule(tx, a.employeeId);
          if (a.counterpartEmployeeId) await repo.lockEmployeeSchedule(tx, a.counterpartEmployeeId);
          const { conflicts } = await conflictsOf(tx, a);
          if (conflicts.length) throw new AppError('SCHEDULE_CONFLICT', conflicts[0]!.message, { conflicts });
          const row = await repo.transitionAdjustment(tx, id, ['pending'], {
            status: 'approved',
            decidedBy: decider.userId,
            decidedByName: decider.name,
            decidedAt: clock.now(),
            decisionNote: note ?? null,
          });
          if (!row) throw new AppError('INVALID_STATE', 'Someone decided this request a moment ago');
          const result = { ...a, ...row };
          await record(tx, principal, 'adjustment.approved', result, { before: { status: 'pending' }, after: { status: 'approved' }, note: note ?? null });
          return result;
        }),
      );
    },

    async reject(principal: Principal, id: string, note?: string) {
      const a = await loadVisibleAdjustment(principal, id);
      assertCanDecide(principal, a);
      const decider = principal as Extract<Principal, { kind: 'user' }>;
      return toAdjustment(
        await events.write(async (tx) => {
          const row = await repo.transitionAdjustment(tx, id, ['pending'], {
            status: 'rejected',
            decidedBy: decider.userId,
            decidedByName: decider.name,
            decidedAt: clock.now(),
            decisionNote: note ?? null,
          });
          if (!row) throw new AppError('INVALID_STATE', `This request is already ${a.status === 'pending' ? 'decided' : a.status}`);
          const result = { ...a, ...row };
          await record(tx, principal, 'adjustment.rejected', result, { before: { status: 'pending' }, after: { status: 'rejected' }, note: note ?? null });
          return result;
        }),
      );
    },

    async cancel(principal: Principal, id: string) {
      const a = await loadVisibleAdjustment(principal, id);
      const mine = principal.kind === 'user' && (a.requestedBy === principal.userId || a.employeeId === principal.employeeId);
      if (!mine) throw forbidden('Only the person who asked can cancel a request');
      return toAdjustment(
        await events.write(async (tx) => {
          const row = await repo.transitionAdjustment(tx, id, ['pending'], { status: 'cancelled' });
          if (!row) throw new AppError('INVALID_STATE', `Only a pending request can be cancelled; this one is ${a.status}`);
          const result = { ...a, ...row };
          await record(tx, principal, 'adjustment.cancelled', result, { before: { status: 'pending' }, after: { status: 'cancelled' } });
          return result;
        }),
      );
    },

    async revoke(principal: Principal, id: string, note?: string) {
      const a = await loadVisibleAdjustment(principal, id);
      if (principal.kind === 'api_key' || principal.role === 'employee') throw forbidden('Only managers and admins revoke');
      if (!inScope(principal, { locationId: a.employeeLocationId, departmentId: a.departmentId })) throw notFound('Adjustment');
      return toAdjustment(
        await events.write(async (tx) => {
          const row = await repo.transitionAdjustment(tx, id, ['approved'], {
            status: 'revoked',
            decisionNote: note ?? a.decisionNote,
          });
          if (!row) throw new AppError('INVALID_STATE', `Only an approved request can be revoked; this one is ${a.status}`);
          const result = { ...a, ...row };
          await record(tx, principal, 'adjustment.revoked', result, { before: { status: 'approved' }, after: { status: 'revoked' }, note: note ?? null });
          return result;
        }),
      );
    },

    /** Labour rules for every location (defaults where none are set); for other features' calculations. */
    rulesByLocation: () => rulesLookup(db),

    // ---- labour rules and demand ----
    async getLabourRules(principal: Principal, locationId: string) {
      await requireLocationInScope(principal, locationId);
      const rows = await repo.findLabourRules(db);
      const row = rows.find((r) => r.locationId === locationId);
      return row ? { maxDailyMinutes: row.maxDailyMinutes, maxWeeklyMinutes: row.maxWeeklyMinutes, minRestMinutes: row.minRestMinutes } : defaultLabourRules;
    },
    async putLabourRules(principal: Principal, locationId: string, input: z.infer<typeof c.labourRules>) {
      if (!isOrgWide(principal)) throw forbidden('Labour rules are set by admins');
      await requireLocationInScope(principal, locationId);
      return events.write(async (tx) => {
        const row = await repo.upsertLabourRules(tx, { locationId, ...input });
        await events.append(tx, {
          type: 'labour_rules.updated',
          entity: { type: 'location', id: locationId },
          actor: actorOf(principal),
          payload: { after: input },
          scope: { locationId },
        });
        return { maxDailyMinutes: row.maxDailyMinutes, maxWeeklyMinutes: row.maxWeeklyMinutes, minRestMinutes: row.minRestMinutes };
      });
    },
    async getDemand(principal: Principal, locationId: string) {
      await requireLocationInScope(principal, locationId);
      return { locationId, ...(await repo.findDemand(db, locationId)) };
    },
    async putDemand(principal: Principal, locationId: string, input: z.infer<typeof c.demandPut>) {
      if (!(isOrgWide(principal) || (principal.kind === 'user' && principal.role === 'manager' && principal.locationIds.includes(locationId)))) {
        throw forbidden('Demand is set by admins or the location\'s manager');
      }
      await requireLocationInScope(principal, locationId);
      const dedupe = <T extends object>(rows: T[], key: (r: T) => string) => [...new Map(rows.map((r) => [key(r), r])).values()];
      const weekly = dedupe(input.weekly, (w) => `${w.weekday}|${w.hour}`);
      const overrides = dedupe(input.overrides ?? [], (o) => `${o.date}|${o.hour}`);
      return events.write(async (tx) => {
        const before = await repo.findDemand(tx, locationId);
        await repo.replaceDemand(tx, locationId, weekly, overrides);
        await events.append(tx, {
          type: 'demand.updated',
          entity: { type: 'location', id: locationId },
          actor: actorOf(principal),
          payload: {
            before: { weeklyRequiredHours: before.weekly.reduce((t, w) => t + w.required, 0), overrides: before.overrides.length },
            after: { weeklyRequiredHours: weekly.reduce((t, w) => t + w.required, 0), overrides: overrides.length },
          },
          scope: { locationId },
        });
        return { locationId, ...(await repo.findDemand(tx, locationId)) };
      });
    },

    // ---- calendar feed ----
    async calendarToken(principal: Principal, employeeId: string, rotate: boolean) {
      await requireEmployeeInScope(principal, employeeId);
      const existing = rotate ? undefined : await repo.findCalendarToken(db, employeeId);
      if (existing) return existing.token;
      const token = randomBytes(24).toString('hex');
      await events.write(async (tx) => {
        await repo.upsertCalendarToken(tx, employeeId, token);
        await events.append(tx, {
          type: rotate ? 'calendar_token.rotated' : 'calendar_token.created',
          entity: { type: 'employee', id: employeeId },
          actor: actorOf(principal),
          payload: {},
          scope: { employeeId },
        });
      });
      return token;
    },

    /** The iCalendar feed: 30 days back to 90 ahead, authorised by the employee's secret token alone. */
    async calendarFeed(employeeId: string, token: string) {
      const stored = await repo.findCalendarToken(db, employeeId);
      const ok = stored && stored.token.length === token.length && timingSafeEqual(Buffer.from(stored.token), Buffer.from(token));
      if (!ok) throw notFound('Calendar');
      const employees = await repo.findEmployees(db, { ids: [employeeId] });
      if (employees.length === 0) throw notFound('Calendar');
      const today = clock.now().toISOString().slice(0, 10);
      const { items } = await scheduleFor(db, employees, addDays(today, -30), addDays(today, 90));
      const locations = new Map((await repo.findLocations(db)).map((l) => [l.id, l]));
      return renderCalendar({ name: employees[0]!.name, items, locations, now: clock.now() });
    },
  };

  async function requireLocationInScope(principal: Principal, locationId: string) {
    const location = await repo.findLocationById(db, locationId);
    if (!location || !(isOrgWide(principal) || inScope(principal, { locationId }) || (principal.kind === 'user' && principal.scope.locationIds.has(locationId)))) {
      throw notFound('Location');
    }
    return location;
  }
}

const toIsoMs = (value: string) => Date.parse(value);
const strip = ({ items, violations }: { items: c.ScheduleItem[]; violations: c.Violation[] }) => ({ items, violations });

export type ScheduleService = ReturnType<typeof createScheduleService>;
