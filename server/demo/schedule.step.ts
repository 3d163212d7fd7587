import type { z } from 'zod';
import type { patternShift } from '../../contract/schedule.ts';
import type { User } from '../../contract/org.ts';
import { AppError } from '../lib/app-error.ts';
import type { UserPrincipal } from '../lib/principal.ts';
import { addDays, holidaysNear, localDate, mondayOf, shiftInstants, weekdayOf } from './calendar.ts';
import { DEMO_PASSWORD, listAll, need, principalOf, type DemoContext, type DemoOrg, type DemoStep } from './demo-context.ts';
import type { DemoLocationKey } from './org.step.ts';
import type { Rng } from './rng.ts';

/**
 * Step `schedule`: contracts for everyone (day, early, evening, night, weekend and part-time patterns in
 * each site's wall-clock time, some changed two weeks ago), public holidays, labour rules, demand curves
 * that roughly match the rota with a few understaffed hours, and a mix of pending and decided requests
 * made by the people themselves and decided by their managers.
 */

type PatternShift = z.infer<typeof patternShift>;
export type PatternKind = 'early' | 'day' | 'evening' | 'night' | 'weekend' | 'part_time';

export interface DemoSchedule {
  /** The contract pattern in force today, per employee id. */
  kinds: Record<string, PatternKind>;
  contracts: number;
  changedContracts: number;
  holidays: number;
  adjustments: { pending: number; approved: number; rejected: number };
  /** Employees who were given a log-in to make their requests (password `workfloor-demo`). */
  requesterUsers: number;
}

const mix: Record<string, [PatternKind, number][]> = {
  Packing: [['early', 30], ['day', 28], ['evening', 22], ['night', 8], ['weekend', 7], ['part_time', 5]],
  Picking: [['early', 25], ['day', 20], ['evening', 25], ['night', 15], ['weekend', 10], ['part_time', 5]],
  Inbound: [['early', 40], ['day', 25], ['evening', 15], ['night', 10], ['weekend', 5], ['part_time', 5]],
  Returns: [['day', 60], ['part_time', 25], ['weekend', 15]],
  Dispatch: [['early', 25], ['day', 20], ['evening', 20], ['night', 20], ['weekend', 10], ['part_time', 5]],
  'Customer Support': [['day', 55], ['evening', 30], ['weekend', 5], ['part_time', 10]],
  'Print Floor': [['early', 35], ['evening', 30], ['night', 20], ['weekend', 10], ['part_time', 5]],
  Bindery: [['day', 55], ['early', 25], ['part_time', 20]],
};

/** A weekly pattern of this kind at a location; the variant (which nights, which part-time days) is drawn. */
export function patternOf(kind: PatternKind, locationId: string, rng: Rng): PatternShift[] {
  const days = (weekdays: number[], start: string, end: string, breakMinutes?: number) =>
    weekdays.map((weekday) => ({ weekday, start, end, locationId, ...(breakMinutes ? { breakMinutes } : {}) }));
  switch (kind) {
    case 'early':
      return days([1, 2, 3, 4, 5], '06:00', '14:00', 30);
    case 'day':
      return days([1, 2, 3, 4, 5], '08:00', '16:30', 30);
    case 'evening':
      return days([1, 2, 3, 4, 5], '14:00', '22:00', 30);
    case 'night':
      // Sunday to Thursday nights, or Wednesday to Saturday nights so the weekend nights are staffed too.
      return rng.chance(0.6) ? days([7, 1, 2, 3, 4], '22:00', '06:00', 30) : days([3, 4, 5, 6], '22:00', '06:00', 30);
    case 'weekend':
      return days([6, 7], '08:00', '20:00', 60);
    case 'part_time': {
      const variant = rng.int(0, 2);
      if (variant === 0) return days([1, 3, 5], '09:00', '14:00');
      if (variant === 1) return days([2, 4, 6], '17:00', '22:00');
      return days([1, 2, 3], '10:00', '15:00');
    }
  }
}

/** Labour rules per site: Leeds runs 12-hour weekend shifts under a 48-hour week; Pune is stricter. */
const labourRules: Partial<Record<DemoLocationKey, { maxDailyMinutes: number; maxWeeklyMinutes: number; minRestMinutes: number }>> = {
  leeds: { maxDailyMinutes: 720, maxWeeklyMinutes: 2880, minRestMinutes: 660 },
  pune: { maxDailyMinutes: 540, maxWeeklyMinutes: 2880, minRestMinutes: 720 },
  // Chicago keeps the defaults (8 h a day, 40 h a week, 11 h rest).
};

interface Planned {
  id: string;
  name: string;
  departmentId: string;
  locationId: string;
  zone: string;
  today: string;
  kind: PatternKind;
  pattern: PatternShift[];
}

export const scheduleStep: DemoStep = {
  name: 'schedule',
  async run(ctx, created) {
    const { wf, rng, admin, progress } = ctx;
    const org = need(created, 'org');
    const now = wf.clock.now().getTime();
    const zoneOf = new Map(org.locations.map((l) => [l.id, l.timezone]));
    const keyOf = new Map(org.locations.map((l) => [l.id, l.key as DemoLocationKey]));
    const departmentName = new Map(org.departments.map((d) => [d.id, d.name]));

    // ---- contracts: everyone since a Monday a few months back; some changed two weeks ago ----
    const people: Planned[] = [];
    let contracts = 0;
    let changedContracts = 0;
    progress.update(0, org.employees.length, 'contracts');
    for (const [i, e] of org.employees.entries()) {
      const zone = zoneOf.get(e.locationId)!;
      const today = localDate(zone, now);
      const weights = mix[departmentName.get(e.departmentId)!] ?? mix.Packing!;
      const isDemoEmployee = e.id === org.demoEmployeeId;
      const kind: PatternKind = isDemoEmployee ? 'day' : rng.weighted(weights);
      const pattern = patternOf(kind, e.locationId, rng);
      const changed = isDemoEmployee || rng.chance(0.1);
      if (changed) {
        // The old contract from six weeks ago, replaced by today's two weeks ago: the grid explains both.
        const previousKind: PatternKind = isDemoEmployee ? 'evening' : rng.weighted(weights.filter(([k]) => k !== kind));
        await wf.schedule.putContract(admin, e.id, { effectiveFrom: addDays(mondayOf(today), -42), pattern: patternOf(previousKind, e.locationId, rng) });
        await wf.schedule.putContract(admin, e.id, { effectiveFrom: addDays(mondayOf(today), -14), pattern });
        contracts += 2;
        changedContracts++;
      } else {
        await wf.schedule.putContract(admin, e.id, { effectiveFrom: addDays(mondayOf(today), -7 * rng.int(8, 40)), pattern });
        contracts++;
      }
      people.push({ id: e.id, name: e.name, departmentId: e.departmentId, locationId: e.locationId, zone, today, kind, pattern });
      progress.update(i + 1, org.employees.length, 'contracts');
    }

    // ---- holidays, labour rules, demand ----
    let holidays = 0;
    for (const l of org.locations) {
      const today = localDate(l.timezone, now);
      for (const h of holidaysNear(l.key as DemoLocationKey, today)) {
        await wf.schedule.createHoliday(admin, { locationId: l.id, date: h.date, name: h.name });
        holidays++;
      }
      const rules = labourRules[l.key as DemoLocationKey];
      if (rules) await wf.schedule.putLabourRules(admin, l.id, rules);
      await wf.schedule.putDemand(admin, l.id, demandFor(people.filter((p) => p.locationId === l.id), l.id, today, rng));
    }

    // ---- requests: made by the people themselves, decided by their managers ----
    const adjustments = await makeAdjustments(ctx, org, people);

    return {
      schedule: {
        kinds: Object.fromEntries(people.map((p) => [p.id, p.kind])),
        contracts,
        changedContracts,
        holidays,
        adjustments: adjustments.counts,
        requesterUsers: adjustments.users,
      },
    };
  },
};

/**
 * Required headcount per weekday and local hour: what the rota schedules, a little less at quiet hours
 * and more at the morning and afternoon peaks, with a few hours clearly understaffed so coverage has gaps
 * to show; next Monday is a peak day (an override).
 */
function demandFor(people: Planned[], locationId: string, today: string, rng: Rng) {
  const heads = Array.from({ length: 8 }, () => new Array<number>(24).fill(0));
  for (const p of people) {
    for (const s of p.pattern) {
      if (s.locationId !== locationId) continue;
      const start = Number(s.start.slice(0, 2));
      const endRaw = Number(s.end.slice(0, 2)) + (Number(s.end.slice(3)) > 0 ? 1 : 0);
      const end = s.end <= s.start ? endRaw + 24 : endRaw;
      for (let h = start; h < end; h++) heads[((s.weekday - 1 + Math.floor(h / 24)) % 7) + 1]![h % 24]!++;
    }
  }
  const gaps = new Set<string>();
  while (gaps.size < 6) gaps.add(`${rng.int(1, 6)}|${rng.pick([9, 10, 11, 14, 15, 16])}`);
  const weekly: { weekday: number; hour: number; required: number }[] = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    for (let hour = 0; hour < 24; hour++) {
      const scheduled = heads[weekday]![hour]!;
      if (scheduled === 0) continue;
      const peak = hour === 10 || hour === 11 ? 1.08 : hour === 14 || hour === 15 ? 1.06 : hour < 6 || hour >= 22 ? 0.85 : 0.93;
      const factor = gaps.has(`${weekday}|${hour}`) ? 1.3 : peak;
      weekly.push({ weekday, hour, required: Math.max(1, Math.round(scheduled * factor + rng.int(-1, 1))) });
    }
  }
  const monday = addDays(mondayOf(today), 7);
  const overrides = weekly
    .filter((w) => w.weekday === 1 && w.hour >= 8 && w.hour < 18)
    .map((w) => ({ date: monday, hour: w.hour, required: Math.round(w.required * 1.25) }));
  return { weekly, overrides };
}

interface Wanted {
  who: Planned;
  kind: 'time_off' | 'extra_shift' | 'swap';
  start: number;
  end: number;
  reason: string;
  counterpart?: Planned;
  /** What happens after the request: nothing (pending), accepted by the counterpart, decided. */
  then: 'pending' | 'accepted' | 'approved' | 'rejected' | 'direct';
  note?: string;
}

/** The next (or previous, with step -1) local date at or after `from` on which the person has a shift. */
function shiftDate(p: Planned, from: string, step: 1 | -1 = 1): string {
  for (let d = from, i = 0; i < 21; d = addDays(d, step), i++) if (p.pattern.some((s) => s.weekday === weekdayOf(d))) return d;
  return from;
}
function shiftOn(p: Planned, date: string): [number, number] {
  const s = p.pattern.find((x) => x.weekday === weekdayOf(date))!;
  return shiftInstants(p.zone, date, s.start, s.end);
}
/** A free local date at or after `from` (no contract shift that day or the day before). */
function freeDate(p: Planned, from: string): string {
  for (let d = from, i = 0; i < 14; d = addDays(d, 1), i++) {
    if (!p.pattern.some((s) => s.weekday === weekdayOf(d) || s.weekday === weekdayOf(addDays(d, -1)))) return d;
  }
  return addDays(from, 1);
}

async function makeAdjustments(ctx: DemoContext, org: DemoOrg, people: Planned[]) {
  const { wf, rng, admin } = ctx;
  const byDepartment = (name: string) => {
    const id = org.departments.find((d) => d.name === name)!.id;
    // The demo employee goes first in Packing; everyone else in a drawn order.
    const list = people.filter((p) => p.departmentId === id && p.id !== org.demoEmployeeId && p.kind !== 'part_time');
    for (let i = list.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    return list;
  };
  const wanted: Wanted[] = [];
  const timeOff = (who: Planned, offset: number, then: Wanted['then'], reason: string, note?: string, days = 1) => {
    const first = shiftDate(who, addDays(who.today, offset), offset < 0 ? -1 : 1);
    let last = first;
    for (let n = 1; n < days; n++) last = shiftDate(who, addDays(last, 1));
    wanted.push({ who, kind: 'time_off', start: shiftOn(who, first)[0], end: shiftOn(who, last)[1], reason, then, note });
  };
  const extra = (who: Planned, offset: number, then: Wanted['then'], reason: string, hours = 6, on?: string) => {
    const date = on ?? freeDate(who, addDays(who.today, offset));
    const [start] = shiftInstants(who.zone, date, '08:00', '14:00');
    wanted.push({ who, kind: 'extra_shift', start, end: start + hours * 3_600_000, reason, then });
  };
  const swap = (who: Planned, other: Planned, offset: number, then: Wanted['then'], reason: string) => {
    let date = addDays(who.today, offset);
    for (let i = 0; i < 14 && !(who.pattern.some((s) => s.weekday === weekdayOf(date)) && other.pattern.some((s) => s.weekday === weekdayOf(date))); i++) date = addDays(date, 1);
    const [start, end] = shiftInstants(who.zone, date, '00:00', '23:59');
    wanted.push({ who, kind: 'swap', counterpart: other, start, end: end + 60_000, reason, then });
  };

  // Packing at Leeds: the demo manager's inbox has work, including the demo employee's request.
  const demoEmployee = people.find((p) => p.id === org.demoEmployeeId)!;
  const packing = byDepartment('Packing');
  const shiftWorkers = (list: Planned[], kind: PatternKind) => list.filter((p) => p.kind === kind);
  timeOff(demoEmployee, 9, 'pending', "My sister's wedding in York");
  timeOff(packing[0]!, 10, 'pending', 'Family holiday in Malaga', undefined, 3);
  wanted.push({ ...leaveEarly(packing[1]!, 2), then: 'pending' });
  const [early, evening] = [shiftWorkers(packing, 'early'), shiftWorkers(packing, 'evening')];
  swap(early[0]!, evening[0]!, 5, 'pending', 'Could we swap? I have a hospital appointment that morning');
  swap(early[1]!, evening[1]!, 3, 'accepted', 'Swapping so I can pick my son up from school');
  extra(packing[2]!, 3, 'pending', 'Happy to pick up an extra shift for the backlog');
  timeOff(packing[3]!, -9, 'approved', 'Moving house');
  timeOff(packing[4]!, 4, 'approved', 'Driving test', 'Good luck!');
  extra(packing[5]!, -12, 'approved', 'Covering the inbound surge', 5);
  // Saturday morning after a Friday evening shift: allowed, but the grid flags the short rest.
  const saturday = addDays(mondayOf(demoEmployee.today), 12);
  extra(evening[2] ?? packing[6]!, 0, 'direct', 'Saturday overtime for the peak', 6, saturday);
  timeOff(packing[7]!, 6, 'rejected', 'Concert in Manchester', 'Sorry, we are three short that day; could you pick another date?');
  // Elsewhere, a smaller mix for each manager.
  const picking = byDepartment('Picking');
  timeOff(picking[0]!, 7, 'pending', 'Doctor appointment');
  timeOff(picking[1]!, -6, 'approved', 'Flu');
  timeOff(picking[2]!, 2, 'rejected', 'Long weekend', 'Peak week: no leave this week, sorry');
  extra(byDepartment('Inbound')[0]!, -5, 'direct', 'Extra unloading shift for the container backlog', 6);
  timeOff(byDepartment('Returns')[0]!, 8, 'pending', 'Parents evening');
  const dispatch = byDepartment('Dispatch');
  timeOff(dispatch[0]!, 5, 'pending', 'Family visiting for Thanksgiving');
  extra(dispatch[1]!, 2, 'direct', 'Extra dispatch cover for the peak', 6);
  timeOff(byDepartment('Customer Support')[0]!, -3, 'approved', 'Jury duty');
  const printFloor = byDepartment('Print Floor');
  timeOff(printFloor[0]!, 6, 'pending', 'Travelling to my native place for a family function', undefined, 2);
  timeOff(printFloor[1]!, -8, 'approved', 'Family function in Nashik');
  extra(byDepartment('Bindery')[0]!, 3, 'pending', 'Can take an extra shift for the rush order', 5);

  // Requesters get a log-in of their own (a request is always someone's own).
  const departments = await wf.org.listDepartments(admin, { limit: 500, includeInactive: false });
  const users = await listAll<User>((cursor) => wf.org.listUsers(admin, { limit: 500, cursor, includeInactive: false }));
  const principals = new Map<string, UserPrincipal>();
  let newUsers = 0;
  const principalFor = async (p: Planned) => {
    let principal = principals.get(p.id);
    if (principal) return principal;
    let user = users.find((u) => u.employeeId === p.id);
    if (!user) {
      const employee = await wf.org.getEmployee(admin, p.id);
      user = await wf.org.createUser(admin, { email: employee.email ?? `${p.id}@northwind.example`, password: DEMO_PASSWORD, role: 'employee', employeeId: p.id, departmentIds: [], locationIds: [] });
      newUsers++;
    }
    principal = principalOf(user, departments.items);
    principals.set(p.id, principal);
    return principal;
  };
  const managers = users.filter((u) => u.role === 'manager').map((u) => principalOf(u, departments.items));
  const managerOf = (p: Planned) => managers.find((m) => m.scope.departmentIds.has(p.departmentId)) ?? admin;

  const counts = { pending: 0, approved: 0, rejected: 0 };
  for (const w of wanted) {
    const body = {
      employeeId: w.who.id,
      kind: w.kind,
      start: new Date(w.start).toISOString(),
      end: new Date(w.end).toISOString(),
      ...(w.kind === 'extra_shift' ? { locationId: w.who.locationId } : {}),
      ...(w.counterpart ? { counterpartEmployeeId: w.counterpart.id } : {}),
      reason: w.reason,
    };
    try {
      if (w.then === 'direct') {
        await wf.schedule.requestAdjustment(managerOf(w.who), body);
        counts.approved++;
        continue;
      }
      const request = await wf.schedule.requestAdjustment(await principalFor(w.who), body);
      if (w.then === 'accepted') await wf.schedule.acceptSwap(await principalFor(w.counterpart!), request.id);
      if (w.then === 'approved') await wf.schedule.approve(managerOf(w.who), request.id, w.note);
      if (w.then === 'rejected') await wf.schedule.reject(managerOf(w.who), request.id, w.note);
      counts[w.then === 'accepted' ? 'pending' : w.then]++;
    } catch (err) {
      // An approval that would make two shifts overlap is refused (409): the demo leaves that one out.
      if (!(err instanceof AppError && err.status === 409)) throw err;
      ctx.log.debug({ err: err.message, kind: w.kind }, 'demo adjustment skipped');
    }
  }
  return { counts, users: newUsers };
}

/** Time off for the last two hours of a shift a couple of days ahead. */
function leaveEarly(p: Planned, offset: number): Omit<Wanted, 'then'> {
  const date = shiftDate(p, addDays(p.today, offset));
  const [, end] = shiftOn(p, date);
  return { who: p, kind: 'time_off', start: end - 2 * 3_600_000, end, reason: "Leaving early for my daughter's school play" };
}
