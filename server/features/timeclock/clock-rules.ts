import type { ErrorCode } from '../../../contract/errors.ts';
import type { PunchKind } from '../../../contract/timeclock.ts';

/**
 * The time-clock state machine, pure: in -> (break start -> break end)* -> out.
 * A clock-out during a break ends the break too (people forget to punch back from lunch before leaving).
 */
export type ClockState = 'out' | 'in' | 'break';

export function nextState(state: ClockState, kind: PunchKind): ClockState | { error: ErrorCode; message: string } {
  switch (kind) {
    case 'clock_in':
      return state === 'out' ? 'in' : { error: 'ALREADY_CLOCKED_IN', message: 'Already clocked in: clock out first' };
    case 'clock_out':
      return state === 'out' ? { error: 'NOT_CLOCKED_IN', message: 'Not clocked in: there is no open shift to clock out of' } : 'out';
    case 'break_start':
      if (state === 'out') return { error: 'NOT_CLOCKED_IN', message: 'Not clocked in: a break needs an open shift' };
      return state === 'in' ? 'break' : { error: 'ALREADY_ON_BREAK', message: 'Already on a break' };
    case 'break_end':
      if (state === 'out') return { error: 'NOT_CLOCKED_IN', message: 'Not clocked in: there is no break to end' };
      return state === 'break' ? 'in' : { error: 'NOT_ON_BREAK', message: 'Not on a break' };
  }
}

export const nextAction = (state: ClockState): PunchKind => (state === 'out' ? 'clock_in' : state === 'break' ? 'break_end' : 'clock_out');

export interface TimelinePunch {
  id: string;
  kind: PunchKind;
  atMs: number;
  /** When the server accepted it: orders punches that claim the same instant. */
  recordedMs: number;
  locationId: string;
}

export interface DerivedShift {
  locationId: string;
  clockIn: TimelinePunch;
  clockOut: TimelinePunch | null;
  breaks: { startMs: number; endMs: number | null }[];
}

// Punches that claim the same instant keep the order in which they were accepted.
export const timelineOrder = (a: TimelinePunch, b: TimelinePunch) => a.atMs - b.atMs || a.recordedMs - b.recordedMs;

/** Replays a timeline that starts "out"; answers the shifts it forms, or the first punch that does not fit. */
export function replayTimeline(timeline: TimelinePunch[]):
  | { ok: true; shifts: DerivedShift[]; state: ClockState }
  | { ok: false; index: number; error: ErrorCode; message: string } {
  let state: ClockState = 'out';
  const shifts: DerivedShift[] = [];
  for (let i = 0; i < timeline.length; i++) {
    const p = timeline[i]!;
    const next = nextState(state, p.kind);
    if (typeof next !== 'string') return { ok: false, index: i, ...next };
    const open = shifts.at(-1);
    if (p.kind === 'clock_in') shifts.push({ locationId: p.locationId, clockIn: p, clockOut: null, breaks: [] });
    else if (p.kind === 'break_start') open!.breaks.push({ startMs: p.atMs, endMs: null });
    else if (p.kind === 'break_end') open!.breaks.at(-1)!.endMs = p.atMs;
    else {
      const lastBreak = open!.breaks.at(-1);
      if (lastBreak && lastBreak.endMs === null) lastBreak.endMs = p.atMs;
      open!.clockOut = p;
    }
    state = next;
  }
  return { ok: true, shifts, state };
}

/** Minutes worked in a shift up to `nowMs` for an open one, breaks excluded. */
export function workedMinutes(shift: { clockInMs: number; clockOutMs: number | null; breaks: { startMs: number; endMs: number | null }[] }, nowMs: number) {
  const end = shift.clockOutMs ?? nowMs;
  const breakMs = shift.breaks.reduce((t, b) => t + Math.max(0, Math.min(b.endMs ?? end, end) - b.startMs), 0);
  return { worked: Math.max(0, Math.round((end - shift.clockInMs - breakMs) / 60_000)), breaks: Math.round(breakMs / 60_000) };
}
