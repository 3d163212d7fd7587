import { AlertTriangle, Scissors } from 'lucide-react';
import type { ScheduleItem } from '@contract/schedule.ts';
import { cn } from '@/lib/utils';
import { localTimeOf, shortTimeOf } from '../api/zoned-time';
import { ContractIcon, KIND_ICON } from './schedule-labels';

/**
 * Contract shifts and adjustment shifts differ in colour AND in form: contract shifts are solid with
 * a document icon, adjustment shifts are striped with a dashed border and a pencil icon, so the
 * difference survives greyscale, colour blindness and print.
 */
/** Diagonal stripes, as arbitrary Tailwind properties (the shared stylesheet stays untouched). */
const stripes =
  '[background-image:repeating-linear-gradient(135deg,transparent_0_5px,rgb(180_83_9/0.16)_5px_7px)] dark:[background-image:repeating-linear-gradient(135deg,transparent_0_5px,rgb(252_211_77/0.14)_5px_7px)]';
export const holidayHatch =
  '[background-image:repeating-linear-gradient(45deg,transparent_0_6px,rgb(120_120_140/0.14)_6px_8px)]';
/** A contract shift's colours, light and dark, are plain CSS (.wf-chip-contract in styles.css): the month grid styles hundreds a frame. */
export const contractChip = 'border wf-chip-contract';
export const adjustmentChip =
  'border border-dashed border-amber-700/60 bg-amber-50 text-amber-950 dark:border-amber-300/60 dark:bg-amber-950 dark:text-amber-50 ' + stripes;

export function ShiftChip({ item, zone, compact, className }: { item: ScheduleItem; zone: string; compact?: boolean; className?: string }) {
  const adjustment = item.source.layer === 'adjustment';
  const Icon = adjustment ? KIND_ICON.change_shift : ContractIcon;
  const cut = item.notes.some((n) => n.kind === 'removed');
  const label = compact ? `${shortTimeOf(item.start, zone)}–${shortTimeOf(item.end, zone)}` : `${localTimeOf(item.start, zone)}–${localTimeOf(item.end, zone)}`;
  return (
    <span
      data-layer={item.source.layer}
      className={
        'flex min-w-0 items-center gap-1 rounded px-1 leading-tight tabular-nums ' +
        (compact ? 'h-5 text-[10.5px] tracking-tight ' : 'h-6 text-xs ') +
        (adjustment ? adjustmentChip : contractChip) +
        (className ? ` ${className}` : '')
      }
    >
      {!compact && <Icon aria-hidden className="size-3 shrink-0 opacity-70" />}
      {compact && adjustment && <span aria-hidden className="-mr-0.5 font-bold">✎</span>}
      <span className="truncate">{label}</span>
      {cut && <Scissors aria-hidden className="size-3 shrink-0 opacity-70" />}
    </span>
  );
}

export function ShiftLegend() {
  return (
    <ul aria-label="Legend" className="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-muted-foreground">
      <li className="flex items-center gap-1.5">
        <span className={cn('flex h-5 items-center gap-1 rounded px-1.5', contractChip)}>
          <ContractIcon aria-hidden className="size-3" /> 08–16
        </span>
        Contract shift
      </li>
      <li className="flex items-center gap-1.5">
        <span className={cn('flex h-5 items-center gap-1 rounded px-1.5', adjustmentChip)}>
          <KIND_ICON.change_shift aria-hidden className="size-3" /> 08–16
        </span>
        Adjustment (extra, changed or swapped)
      </li>
      <li className="flex items-center gap-1.5">
        <Scissors aria-hidden className="size-3.5" /> Partly removed by time off
      </li>
      <li className="flex items-center gap-1.5">
        <AlertTriangle aria-hidden className="size-3.5 text-destructive" /> Labour-rule violation
      </li>
      <li className="flex items-center gap-1.5">
        <span aria-hidden className={cn('inline-block h-4 w-5 rounded border', holidayHatch)} /> Holiday
      </li>
    </ul>
  );
}
