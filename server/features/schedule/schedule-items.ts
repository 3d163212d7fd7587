import type * as c from '../../../contract/schedule.ts';
import { toZonedIso, type EngineAdjustment, type ScheduledShift, type Violation } from './schedule-engine.ts';

/**
 * How engine output becomes the API's items and violations: instants as ISO 8601 in the location's
 * zone, minutes from those same instants, and one provenance sentence per shift. Pure, so the mapping
 * is property-tested with the engine (schedule-engine.test.ts).
 */

export interface ItemContext {
  /** locationId -> IANA zone. */
  zones: Map<string, string>;
  locationNames: Map<string, string>;
  /** The adjustments the shifts were expanded with, for the sentence about the one that made a shift. */
  adjustments: Pick<EngineAdjustment, 'id' | 'number' | 'kind' | 'decidedByName'>[];
  /** employeeId -> name, for "Bo's contract" on a swapped shift. */
  names: Map<string, string>;
}

const kindLabel: Record<c.Adjustment['kind'], string> = {
  time_off: 'time off',
  extra_shift: 'extra shift',
  change_shift: 'changed shift',
  swap: 'swap',
};
const weekdayNames = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export function provenanceOf(s: ScheduledShift, ctx: ItemContext): string {
  const zone = ctx.zones.get(s.locationId)!;
  const time = (ms: number) => toZonedIso(zone, ms).slice(11, 16);
  const where = ctx.locationNames.get(s.locationId) ?? 'an unknown location';
  const parts: string[] = [];
  const adjustment = s.source.layer === 'adjustment' ? ctx.adjustments.find((a) => a.id === s.source.id) : undefined;
  if (s.origin && (!adjustment || adjustment.kind === 'swap')) {
    const p = s.origin.pattern;
    const whose = s.origin.employeeId !== s.employeeId ? `${ctx.names.get(s.origin.employeeId) ?? 'a colleague'}'s contract` : 'Contract';
    parts.push(`${whose} from ${s.origin.effectiveFrom}, ${weekdayNames[p.weekday]} ${p.start}-${p.end} at ${where}`);
  }
  if (adjustment) {
    const by = adjustment.decidedByName ? ` approved by ${adjustment.decidedByName}` : '';
    parts.push(adjustment.kind === 'swap' ? `swapped by swap #${adjustment.number}${by}` : `${kindLabel[adjustment.kind]} #${adjustment.number} at ${where}${by}`);
  }
  for (const n of s.notes) {
    if (n.kind === 'removed') parts.push(`${time(n.fromMs)}-${time(n.toMs)} removed by ${kindLabel[n.adjustmentKind!]} #${n.number}${n.by ? ` approved by ${n.by}` : ''}`);
    if (n.kind === 'replaced') parts.push(`replaces the shift ${time(n.fromMs)}-${time(n.toMs)}`);
  }
  return parts.join('; ');
}

export function toScheduleItems(shifts: ScheduledShift[], ctx: ItemContext): c.ScheduleItem[] {
  return shifts.map((s) => {
    const zone = ctx.zones.get(s.locationId)!;
    return {
      employeeId: s.employeeId,
      locationId: s.locationId,
      date: s.date,
      start: toZonedIso(zone, s.startMs),
      end: toZonedIso(zone, s.endMs),
      minutes: Math.round((s.endMs - s.startMs) / 60_000),
      breakMinutes: s.breakMinutes,
      source: s.source,
      provenance: provenanceOf(s, ctx),
      notes: s.notes.map((n) => ({
        kind: n.kind,
        adjustmentId: n.adjustmentId,
        number: n.number,
        adjustmentKind: n.adjustmentKind,
        from: toZonedIso(zone, n.fromMs),
        to: toZonedIso(zone, n.toMs),
        by: n.by,
      })),
    };
  });
}

/** Violations in the employee's home zone (UTC when it is unknown). */
export function toScheduleViolations(violations: Violation[], zones: Map<string, string>, homeOf: (employeeId: string) => string | undefined): c.Violation[] {
  return violations.map((v) => {
    const zone = zones.get(homeOf(v.employeeId) ?? '') ?? 'UTC';
    return {
      rule: v.rule,
      employeeId: v.employeeId,
      start: toZonedIso(zone, v.startMs),
      end: toZonedIso(zone, v.endMs),
      minutes: v.minutes,
      limitMinutes: v.limitMinutes,
      date: v.date,
      message: v.message,
    };
  });
}
