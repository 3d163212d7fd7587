import type { CoverageHour } from '@contract/coverage.ts';
import { useMemo, useRef, type KeyboardEvent } from 'react';
import { zoneOffset } from '@/lib/format';
import { useTheme } from '@/lib/theme';
import { cn } from '@/lib/utils';
import { deltaLabel, fmtCount, formatLocalDate, gridOf, hoursPerDay, levelOf, monthShort, pad2, PALETTE, phaseOf, TONE_LABEL, toneOf, weekdayShort, type Tone } from './coverage-model';

export interface CellRef {
  date: string;
  hour: number;
}

const HOURS = Array.from({ length: 24 }, (_, h) => h);
/** Future hours are drawn with a light hatch: they are judged on the schedule, not on punches. */
const HATCH = 'repeating-linear-gradient(135deg, transparent 0 4px, rgb(127 127 127 / 0.22) 4px 5px)';

/** What a screen reader hears for one cell, and what the details panel starts from. */
export function describeCell(buckets: CoverageHour[], date: string, hour: number, zone: string, nowMs: number, dayHours: number | undefined): string {
  const when = `${formatLocalDate(date)}, ${pad2(hour)}:00`;
  if (!buckets.length) {
    return dayHours === 23 ? `${when}: no such hour, the clocks went forward` : `${when}: no data`;
  }
  const parts = buckets.map((h, i) => {
    const { value, basis } = levelOf(h, nowMs);
    // The same wall-clock hour twice: told apart by the zone's offset.
    const which = `${i === 0 ? 'first' : 'second'} (${zoneOffset(zone, new Date(h.hourStart))})`;
    const status = h.status === 'ok' ? 'on target' : h.status;
    return `${buckets.length > 1 ? `${which}: ` : ''}${fmtCount(value)} ${basis} of ${h.required} required, ${status}`;
  });
  return `${when}${buckets.length > 1 ? ' (clocks went back: two hours)' : ''}: ${parts.join('; ')}`;
}

/**
 * Hours (rows, 0-23 local) by days (columns). An ARIA grid with one tab stop: arrow keys move, focus
 * selects, so a keyboard user reads the figures of each hour in the panel beside it.
 */
export function CoverageHeatmap({
  items,
  days,
  today,
  zone,
  nowMs,
  selected,
  onSelect,
}: {
  items: CoverageHour[];
  days: string[];
  today: string;
  zone: string;
  nowMs: number;
  selected: CellRef;
  onSelect: (cell: CellRef) => void;
}) {
  const { resolved } = useTheme();
  const palette = PALETTE[resolved];
  const grid = useMemo(() => gridOf(items), [items]);
  const perDay = useMemo(() => hoursPerDay(items), [items]);
  const tableRef = useRef<HTMLTableElement>(null);

  const move = (e: KeyboardEvent, cell: CellRef) => {
    const col = days.indexOf(cell.date);
    let next: CellRef | null = null;
    switch (e.key) {
      case 'ArrowUp': next = { date: cell.date, hour: Math.max(0, cell.hour - 1) }; break;
      case 'ArrowDown': next = { date: cell.date, hour: Math.min(23, cell.hour + 1) }; break;
      case 'ArrowLeft': next = { date: days[Math.max(0, col - 1)]!, hour: cell.hour }; break;
      case 'ArrowRight': next = { date: days[Math.min(days.length - 1, col + 1)]!, hour: cell.hour }; break;
      case 'Home': next = { date: days[0]!, hour: e.ctrlKey ? 0 : cell.hour }; break;
      case 'End': next = { date: days.at(-1)!, hour: e.ctrlKey ? 23 : cell.hour }; break;
      case 'PageUp': next = { date: cell.date, hour: 0 }; break;
      case 'PageDown': next = { date: cell.date, hour: 23 }; break;
      default: return;
    }
    e.preventDefault();
    onSelect(next);
    tableRef.current?.querySelector<HTMLElement>(`[data-cell="${next.date}|${next.hour}"]`)?.focus();
  };

  return (
    <div className="overflow-x-auto pb-1">
      <table ref={tableRef} role="grid" aria-label={`Coverage by hour and day, local time (${zone})`} aria-describedby="coverage-legend" className="w-full min-w-[640px] border-separate border-spacing-[2px] text-[11px]">
        <thead>
          <tr>
            <th scope="col" className="w-12 text-left text-[10px] font-medium text-muted-foreground">
              <span className="sr-only">Local hour</span>
            </th>
            {days.map((d, i) => {
              const isToday = d === today;
              const dayOfMonth = Number(d.slice(8));
              return (
                <th key={d} scope="col" aria-label={`${formatLocalDate(d)}${isToday ? ', today' : ''}`} className={cn('px-0 pb-1 text-center align-bottom font-medium leading-tight text-muted-foreground', isToday && 'text-foreground')}>
                  {(i === 0 || dayOfMonth === 1) && <span className="block text-[10px] font-normal">{monthShort(d)}</span>}
                  <span className="block text-[10px]">{weekdayShort(d)}</span>
                  <span className={cn('mx-auto block w-fit min-w-5 rounded px-0.5 tabular-nums', isToday && 'bg-foreground text-background')}>{dayOfMonth}</span>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {HOURS.map((hour) => (
            <tr key={hour}>
              <th scope="row" className="pr-1 text-right align-middle font-normal tabular-nums text-muted-foreground">
                {pad2(hour)}:00
              </th>
              {days.map((date) => {
                const buckets = grid.get(`${date}|${hour}`) ?? [];
                const isSelected = selected.date === date && selected.hour === hour;
                const label = describeCell(buckets, date, hour, zone, nowMs, perDay.get(date));
                const isNow = buckets.some((h) => phaseOf(h, nowMs) === 'now');
                return (
                  <td
                    key={date}
                    role="gridcell"
                    data-cell={`${date}|${hour}`}
                    data-testid={isNow ? 'coverage-now-cell' : undefined}
                    tabIndex={isSelected ? 0 : -1}
                    aria-selected={isSelected}
                    aria-label={label}
                    title={label}
                    onClick={() => onSelect({ date, hour })}
                    onFocus={() => !isSelected && onSelect({ date, hour })}
                    onKeyDown={(e) => move(e, { date, hour })}
                    className={cn(
                      'h-[18px] cursor-pointer rounded-[3px] p-0 outline-none',
                      'focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-ring',
                      isSelected && 'outline-2 outline-offset-1 outline-foreground',
                      isNow && !isSelected && 'outline-1 outline-offset-0 outline-foreground/70',
                    )}
                  >
                    {buckets.length === 0 ? (
                      <span aria-hidden className="flex h-full items-center justify-center rounded-[3px] border border-dashed border-border text-[9px] text-muted-foreground">
                        {perDay.get(date) === 23 ? '–' : ''}
                      </span>
                    ) : (
                      <span aria-hidden className="flex h-full flex-col gap-px overflow-hidden rounded-[3px]">
                        {buckets.map((h) => {
                          const tone: Tone = toneOf(h, nowMs);
                          const sw = palette[tone];
                          const future = phaseOf(h, nowMs) === 'future';
                          return (
                            <span
                              key={h.hourStart}
                              className={cn('flex min-h-0 flex-1 items-center justify-center font-medium tabular-nums leading-none', tone === 'none' && 'border border-border')}
                              style={{ backgroundColor: sw.bg, color: sw.fg, backgroundImage: future ? HATCH : undefined }}
                            >
                              {buckets.length === 1 ? deltaLabel(h, nowMs) : ''}
                            </span>
                          );
                        })}
                      </span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const LEGEND: Tone[] = ['short3', 'short2', 'short1', 'ok', 'over1', 'over2', 'over3', 'none'];

export function CoverageLegend() {
  const { resolved } = useTheme();
  const palette = PALETTE[resolved];
  return (
    <div id="coverage-legend" className="flex flex-wrap items-center gap-x-4 gap-y-2 text-xs text-muted-foreground">
      <span className="sr-only">Legend: cells show people on the floor (past hours) or scheduled (future hours) against the required headcount. </span>
      <ul className="flex flex-wrap items-center gap-x-3 gap-y-1.5" aria-label="Colour scale">
        {LEGEND.map((t) => (
          <li key={t} className="flex items-center gap-1.5">
            <span aria-hidden className={cn('inline-block size-3 rounded-[3px]', t === 'none' && 'border border-border')} style={{ backgroundColor: palette[t].bg }} />
            {TONE_LABEL[t]}
          </li>
        ))}
      </ul>
      <span className="flex items-center gap-1.5">
        <span aria-hidden className="inline-block size-3 rounded-[3px] border border-border" style={{ backgroundImage: HATCH }} />
        Hatched: future hour, judged on the schedule
      </span>
      <span className="flex items-center gap-1.5">
        <span aria-hidden className="inline-block h-3 w-4 rounded-[3px] border border-dashed border-border text-center text-[9px] leading-3">–</span>
        Hour skipped by a clock change
      </span>
      <span>Numbers: people short (−) or over (+)</span>
    </div>
  );
}
