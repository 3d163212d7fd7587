import { randomUUID } from 'node:crypto';
import type { LivePerson } from '../../contract/timeclock.ts';
import { AppError } from '../lib/app-error.ts';
import { MINUTE_MS } from './calendar.ts';
import { createRng } from './rng.ts';
import type { SimBehaviour, SimContext } from './simulator.ts';

/**
 * The live floor keeps moving: people clock in around the start of their shift (most on time, some late,
 * a few not at all), take their break around mid-shift, and clock out around the end (some stay on, a
 * few forget). Each run reads the live floor of every site (today's schedule beside the open shifts) and
 * makes only the punch that is each person's next valid action, through the time clock with a client-made
 * id, as the kiosk would. A manager fixes a forgotten clock-out with a correction before the next shift.
 */

const MAX_PUNCHES_PER_RUN = 8;

/** How one person handles one scheduled shift; the same every time it is asked (seeded by person and shift). */
export interface ShiftPlan {
  absent: boolean;
  /** Minutes after the scheduled start they clock in (negative: early). */
  inMinutes: number;
  /** Minutes from mid-shift they go on break. */
  breakMinutes: number;
  breakLength: number;
  /** Minutes after the scheduled end they clock out. */
  outMinutes: number;
  forgetsClockOut: boolean;
}

function hash(text: string) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function planFor(employeeId: string, scheduledStart: string): ShiftPlan {
  const rng = createRng(hash(`${employeeId}|${scheduledStart}`));
  return {
    absent: rng.chance(0.025),
    inMinutes: rng.chance(0.12) ? rng.int(6, 40) : rng.int(-9, 3),
    breakMinutes: rng.int(-30, 30),
    breakLength: 30 + (rng.chance(0.15) ? rng.int(5, 15) : rng.int(-2, 3)),
    outMinutes: rng.chance(0.08) ? rng.int(15, 60) : rng.int(-3, 8),
    forgetsClockOut: rng.chance(0.015),
  };
}

type Move = { person: LivePerson; kind: 'clock_in' | 'clock_out' | 'break_start' | 'break_end' | 'fix_clock_out'; locationName: string; lateBy?: number };

/** Shifts (employee and clock-in) known to have had their break: saves asking again every run. */
const hadBreak = new Map<string, boolean>();

async function tookBreak({ wf, actors }: SimContext, person: LivePerson): Promise<boolean> {
  const clockIn = person.actual!.clockIn;
  const key = `${person.employeeId}|${clockIn}`;
  const known = hadBreak.get(key);
  if (known !== undefined) return known;
  const inMs = Date.parse(clockIn);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const punches = await wf.timeclock.listPunches(actors.admin, { employeeId: person.employeeId, from: day(inMs), to: day(wf.clock.now().getTime()) });
  const took = punches.items.some((p) => p.kind === 'break_start' && Date.parse(p.at) >= inMs && !p.supersededBy);
  if (hadBreak.size > 5_000) hadBreak.clear();
  hadBreak.set(key, took);
  return took;
}

async function nextMove(ctx: SimContext, person: LivePerson, now: number, locationName: string): Promise<Move | undefined> {
  const slot = person.scheduled ? { start: Date.parse(person.scheduled.start), end: Date.parse(person.scheduled.end) } : null;
  const plan = slot ? planFor(person.employeeId, person.scheduled!.start) : null;
  switch (person.status) {
    case 'scheduled':
    case 'late':
      if (!slot || !plan || plan.absent || now < slot.start + plan.inMinutes * MINUTE_MS) return undefined;
      return { person, kind: 'clock_in', locationName, lateBy: Math.round((now - slot.start) / MINUTE_MS) };
    case 'on_shift': {
      if (!slot || !plan) return undefined;
      if (now >= slot.end + plan.outMinutes * MINUTE_MS) return plan.forgetsClockOut ? undefined : { person, kind: 'clock_out', locationName };
      const mid = (slot.start + slot.end) / 2 + plan.breakMinutes * MINUTE_MS;
      const long = slot.end - slot.start >= 6 * 60 * MINUTE_MS;
      if (long && now >= mid && now < slot.end - 60 * MINUTE_MS && !(await tookBreak(ctx, person))) return { person, kind: 'break_start', locationName };
      return undefined;
    }
    case 'on_break': {
      const since = Date.parse(person.since ?? person.actual?.onBreakSince ?? '');
      const length = plan?.breakLength ?? 30;
      return now >= since + length * MINUTE_MS ? { person, kind: 'break_end', locationName } : undefined;
    }
    case 'overtime':
      if (!slot || !plan || plan.forgetsClockOut) return undefined;
      return now >= slot.end + plan.outMinutes * MINUTE_MS ? { person, kind: 'clock_out', locationName } : undefined;
    case 'missed_clock_out':
      // The manager adds the missing clock-out before the person's next shift (or on a quiet moment).
      if ((slot && now >= slot.start - 30 * MINUTE_MS) || ctx.rng.chance(0.005)) return { person, kind: 'fix_clock_out', locationName };
      return undefined;
    default:
      return undefined;
  }
}

export const floorActivity: SimBehaviour = {
  name: 'floor',
  everyMs: [4_000, 9_000],
  async run(ctx) {
    const { wf, rng, actors, log } = ctx;
    const now = wf.clock.now().getTime();
    const moves: Move[] = [];
    for (const location of actors.locations) {
      const live = await wf.timeclock.live(actors.admin, { locationId: location.id });
      for (const person of live.items) {
        const move = await nextMove(ctx, person, now, location.name);
        if (move) moves.push(move);
      }
    }
    if (moves.length === 0) return undefined;
    // A human pace: a handful of punches a run, in no particular order.
    for (let i = moves.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [moves[i], moves[j]] = [moves[j]!, moves[i]!];
    }
    const done: string[] = [];
    const ids: string[] = [];
    for (const move of moves.slice(0, MAX_PUNCHES_PER_RUN)) {
      const { person } = move;
      const by = actors.actorFor({ departmentId: person.departmentId, locationId: person.locationId });
      try {
        if (move.kind === 'fix_clock_out') {
          const clockIn = Date.parse(person.actual!.clockIn);
          const event = await wf.timeclock.correct(by, {
            id: randomUUID(),
            employeeId: person.employeeId,
            kind: 'clock_out',
            at: new Date(clockIn + 8.5 * 60 * MINUTE_MS).toISOString(),
            reason: 'Forgot to clock out; end of shift confirmed by the team leader',
          });
          ids.push(event.id);
          done.push(`${by.name} added ${person.name}'s missed clock-out`);
          continue;
        }
        const { event } = await wf.timeclock.recordPunch(by, { id: randomUUID(), employeeId: person.employeeId, kind: move.kind, source: 'kiosk' }, 'kiosk');
        ids.push(event.id);
        if (move.kind === 'break_start') hadBreak.set(`${person.employeeId}|${person.actual!.clockIn}`, true);
        const late = move.kind === 'clock_in' && move.lateBy !== undefined && move.lateBy > 5 ? ` (${move.lateBy} min late)` : '';
        done.push(`${person.name} ${verbs[move.kind]} at ${move.locationName}${late}`);
      } catch (err) {
        // Someone punched at the same moment (a kiosk, a manager): their punch stands, ours is dropped.
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        log.debug({ employeeId: person.employeeId, kind: move.kind, code: err.code }, 'floor punch skipped');
      }
    }
    if (ids.length === 0) return undefined;
    return { action: 'punch', summary: done.join('; '), entityIds: ids };
  },
};

const verbs = { clock_in: 'clocked in', clock_out: 'clocked out', break_start: 'went on break', break_end: 'came back from break' } as const;
