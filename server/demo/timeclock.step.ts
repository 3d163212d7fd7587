import type { ScheduleItem } from '../../contract/schedule.ts';
import type { PunchKind } from '../../contract/timeclock.ts';
import type { HistoryInput } from '../features/timeclock/timeclock.service.ts';
import { addDays, localDate, MINUTE_MS } from './calendar.ts';
import { need, type DemoStep } from './demo-context.ts';
import type { Rng } from './rng.ts';

/**
 * Step `timeclock`: four weeks of punches up to now for everyone scheduled, made from the real schedule
 * (so holidays, time off and extra shifts show in them): most people on time, some late, a few absent,
 * lunch breaks around mid-shift, some overtime, now and then a forgotten clock-out on someone's latest
 * shift. Shifts running right now have only what has happened so far, so the live floor shows people on
 * shift, on break, late and absent. Written with the time clock's bulk history, one transaction a batch.
 */

export const DEMO_KIOSK_PIN = '1234';
const HISTORY_DAYS = 28;
const BATCH = 40;

export interface DemoTimeclock {
  punches: number;
  shifts: number;
  /** Shifts scheduled in the four weeks that nobody clocked in for. */
  absences: number;
  /** Shifts still open (in progress now, or a forgotten clock-out). */
  open: number;
}

/** How a person tends to punch: most are punctual, some drift in late, a few are often late. */
type Habit = 'punctual' | 'sometimes_late' | 'often_late';

interface Punch {
  kind: PunchKind;
  at: number;
  locationId: string;
  source: string;
}

/**
 * The punches of one scheduled shift, as far as they have happened by `now`. `canLeaveOpen` is true only
 * for the person's latest shift: only that one may end without a clock-out.
 */
export function punchesForShift(
  rng: Rng,
  habit: Habit,
  shift: { start: number; end: number; breakMinutes: number; locationId: string },
  now: number,
  notBefore: number,
  canLeaveOpen: boolean,
): { punches: Punch[]; absent: boolean; open: boolean } {
  const source = rng.chance(0.88) ? 'kiosk' : 'web';
  const absence = habit === 'punctual' ? 0.015 : habit === 'sometimes_late' ? 0.035 : 0.06;
  if (rng.chance(absence)) return { punches: [], absent: true, open: false };
  const lateChance = habit === 'punctual' ? 0.04 : habit === 'sometimes_late' ? 0.25 : 0.5;
  const seconds = () => rng.int(0, 59) * 1000;
  const inOffset = rng.chance(lateChance) ? rng.int(5, 40) : rng.int(-10, 4);
  let clockIn = shift.start + inOffset * MINUTE_MS + seconds();
  if (clockIn <= notBefore) clockIn = notBefore + MINUTE_MS;
  const punches: Punch[] = [];
  const add = (kind: PunchKind, at: number) => punches.push({ kind, at, locationId: shift.locationId, source });
  if (clockIn > now) return { punches, absent: false, open: false };
  add('clock_in', clockIn);

  const length = shift.end - shift.start;
  if (shift.breakMinutes > 0 && !rng.chance(0.04)) {
    const breakStart = shift.start + length / 2 + rng.int(-40, 30) * MINUTE_MS + seconds();
    const breakEnd = breakStart + (shift.breakMinutes + (rng.chance(0.15) ? rng.int(5, 20) : rng.int(-3, 3))) * MINUTE_MS + seconds();
    if (breakStart > clockIn && breakStart <= now) add('break_start', breakStart);
    if (breakStart > clockIn && breakEnd <= now) add('break_end', breakEnd);
  }
  const outOffset = rng.chance(0.08) ? rng.int(15, 75) : rng.chance(0.02) ? -rng.int(30, 90) : rng.int(-4, 9);
  const last = punches.at(-1)!.at;
  const clockOut = Math.max(shift.end + outOffset * MINUTE_MS + seconds(), last + 5 * MINUTE_MS);
  const forgot = canLeaveOpen && rng.chance(0.04);
  if (clockOut > now || forgot) return { punches, absent: false, open: true };
  add('clock_out', clockOut);
  return { punches, absent: false, open: false };
}

export const timeclockStep: DemoStep = {
  name: 'timeclock',
  async run({ wf, rng, admin, progress }, created) {
    const org = need(created, 'org');
    const now = wf.clock.now().getTime();
    const order = new Map(org.employees.map((e, i) => [e.id, i]));
    const items: ScheduleItem[] = [];
    for (const l of org.locations) {
      const today = localDate(l.timezone, now);
      const sched = await wf.schedule.getSchedule(admin, { from: addDays(today, -HISTORY_DAYS), to: today, locationId: l.id });
      items.push(...sched.items);
    }
    const byEmployee = new Map<string, ScheduleItem[]>();
    for (const item of items) {
      if (Date.parse(item.start) > now || Date.parse(item.start) < now - HISTORY_DAYS * 86_400_000) continue;
      (byEmployee.get(item.employeeId) ?? byEmployee.set(item.employeeId, []).get(item.employeeId)!).push(item);
    }
    // In the order the organisation was created, so two fresh starts draw the same punches.
    const employees = [...byEmployee.keys()].sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9));
    const result: DemoTimeclock = { punches: 0, shifts: 0, absences: 0, open: 0 };
    let batch: HistoryInput[] = [];
    const flush = async () => {
      if (!batch.length) return;
      const written = await wf.timeclock.recordHistory(admin, batch);
      result.punches += written.punches;
      result.shifts += written.shifts;
      batch = [];
    };
    progress.update(0, employees.length, 'people with clock history');
    for (const [i, employeeId] of employees.entries()) {
      const habit = rng.weighted<Habit>([['punctual', 70], ['sometimes_late', 24], ['often_late', 6]]);
      const shifts = byEmployee.get(employeeId)!.sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
      const punches: Punch[] = [];
      for (const [n, s] of shifts.entries()) {
        const shift = { start: Date.parse(s.start), end: Date.parse(s.end), breakMinutes: s.breakMinutes, locationId: s.locationId };
        const outcome = punchesForShift(rng, habit, shift, now, punches.at(-1)?.at ?? 0, n === shifts.length - 1 || Date.parse(shifts[n + 1]!.start) > now);
        if (outcome.absent) result.absences++;
        if (outcome.open) result.open++;
        punches.push(...outcome.punches);
        // Only the latest shift may stay open: an open one ends the history here.
        if (outcome.open) break;
      }
      if (punches.length) batch.push({ employeeId, punches: punches.map((p) => ({ kind: p.kind, at: new Date(p.at), locationId: p.locationId, source: p.source })) });
      if (batch.length >= BATCH) await flush();
      progress.update(i + 1, employees.length, 'people with clock history');
    }
    await flush();

    // The demo employee can use the kiosk page with a PIN.
    await wf.timeclock.setPin(admin, org.demoEmployeeId, DEMO_KIOSK_PIN);
    return { timeclock: result };
  },
};
