import { useVirtualizer } from '@tanstack/react-virtual';
import { AlertTriangle, PencilLine, Scissors } from 'lucide-react';
import { forwardRef, memo, startTransition, useCallback, useEffect, useImperativeHandle, useMemo, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import type { ScheduleItem, Violation } from '@contract/schedule.ts';
import { zoneLabel } from '@/lib/format';
import { cn } from '@/lib/utils';
import { formatDay, formatLongDay, formatMinutes, formatWeekday, localTimeOf, weekdayOf } from '../api/zoned-time';
import { cellKey, type GridRow, type ScheduleIndex } from './schedule-index';
import { ContractIcon } from './schedule-labels';
import { adjustmentChip, contractChip, holidayHatch } from './shift-chip';

export type GridView = 'week' | 'month';

export interface CellRef {
  row: number;
  col: number;
}

export interface GridHandle {
  /** Scrolls to a person's day and focuses it (from the violations panel). */
  focusCell: (employeeId: string, date: string) => void;
}

interface Props {
  rows: GridRow[];
  dates: string[];
  index: ScheduleIndex;
  view: GridView;
  today: string;
  canEdit: boolean;
  /** Enter or click on a day with shifts. */
  onOpenShift: (row: Extract<GridRow, { type: 'person' }>, date: string, items: ScheduleItem[]) => void;
  /** A drag across (or Enter on) empty days of one person. */
  onCreate: (row: Extract<GridRow, { type: 'person' }>, dates: string[]) => void;
  label: string;
}

const NAME_WIDTH = 220;
const GROUP_HEIGHT = 34;
const TOOLTIP_ID = 'schedule-cell-tip';

interface Tip {
  rect: DOMRect;
  row: Extract<GridRow, { type: 'person' }>;
  date: string;
}

/**
 * People by days. Only the rows and the day columns in view are in the DOM (two TanStack Virtual
 * instances on one scroller), and every handler is delegated to the grid element, so a row is plain
 * markup. A month is about twice as wide as the screen: drawing the days nobody sees was some 40% of
 * the main thread's work in every scroll frame. Keyboard: a roving tab stop on the active cell,
 * arrows move, Home/End go to the row's ends, PageUp/PageDown jump ten rows, Enter opens.
 */
export const ScheduleGrid = forwardRef<GridHandle, Props>(function ScheduleGrid({ rows, dates, index, view, today, canEdit, onOpenShift, onCreate, label }, ref) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const rowHeight = view === 'month' ? 38 : 46;
  const colWidth = view === 'month' ? 60 : 132;
  const firstPerson = rows.findIndex((r) => r.type === 'person');
  const [active, setActive] = useState<CellRef>({ row: Math.max(firstPerson, 0), col: Math.max(dates.indexOf(today), 0) });
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (rows[i]?.type === 'group' ? GROUP_HEIGHT : rowHeight),
    overscan: 4,
    // Render the rows a scroll reveals in React's own task, not synchronously inside the scroll event.
    useFlushSync: false,
  });
  useEffect(() => virtualizer.measure(), [virtualizer, rowHeight]);
  // Days: a column is exactly colWidth whenever the grid is wider than the scroller (the tracks are
  // minmax(colWidth, 1fr)); when it fits they are wider, so the estimate only ever renders extra days.
  const columns = useVirtualizer({
    horizontal: true,
    count: dates.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => colWidth,
    paddingStart: NAME_WIDTH,
    overscan: 1,
    useFlushSync: false,
  });
  useEffect(() => columns.measure(), [columns, colWidth]);
  // A stable array while the range holds, so the memoised rows skip a vertical scroll's re-render.
  const colKey = columns.getVirtualIndexes().join(',');
  const cols = useMemo(() => (colKey ? colKey.split(',').map(Number) : []), [colKey]);
  // The active day stays in its row's DOM wherever the grid is scrolled: it holds the roving tab stop,
  // and a keyboard move focuses it, which scrolls it into view (and so brings its neighbours).
  const activeCols = useMemo(
    () => (cols.includes(active.col) || active.col >= dates.length ? cols : [...cols, active.col].sort((a, b) => a - b)),
    [cols, active.col, dates.length],
  );
  const [drag, setDrag] = useState<{ row: number; from: number; to: number } | null>(null);
  const [tip, setTip] = useState<Tip | null>(null);
  const focusPending = useRef(false);
  // A grid's first paint is the page, the day headers and an empty scroller (which the virtualizers
  // measure); the rows follow in a transition. Drawn in one commit, the two were one frame of up to
  // 180 ms on the bench's month of 320 people.
  const [drawRows, setDrawRows] = useState(false);
  useEffect(() => startTransition(() => setDrawRows(true)), []);

  // Keep the active cell valid when the rows or the dates change under it.
  useEffect(() => {
    setActive((a) => {
      const row = rows[a.row]?.type === 'person' ? a.row : Math.max(firstPerson, 0);
      const col = Math.min(a.col, dates.length - 1);
      return row === a.row && col === a.col ? a : { row, col };
    });
  }, [rows, dates, firstPerson]);

  const cellElement = (cell: CellRef) => scrollRef.current?.querySelector<HTMLElement>(`[data-cell="${cell.row}:${cell.col}"]`) ?? null;

  const moveTo = useCallback(
    (cell: CellRef) => {
      setActive(cell);
      focusPending.current = true;
      virtualizer.scrollToIndex(cell.row, { align: 'auto' });
    },
    [virtualizer],
  );

  // After a keyboard move the target may only exist once the virtualizer has rendered it.
  useEffect(() => {
    if (!focusPending.current) return;
    let tries = 0;
    let frame = 0;
    const attempt = () => {
      const el = cellElement(active);
      if (el) {
        focusPending.current = false;
        el.focus({ preventScroll: false });
      } else if (tries++ < 10) frame = requestAnimationFrame(attempt);
    };
    attempt();
    return () => cancelAnimationFrame(frame);
  });

  useImperativeHandle(
    ref,
    () => ({
      focusCell: (employeeId, date) => {
        const row = rows.findIndex((r) => r.type === 'person' && r.employee.id === employeeId);
        const col = dates.indexOf(date);
        if (row >= 0 && col >= 0) moveTo({ row, col });
      },
    }),
    [rows, dates, moveTo],
  );

  const personRowAt = (row: number) => {
    const r = rows[row];
    return r?.type === 'person' ? r : undefined;
  };
  const step = (from: number, delta: number) => {
    let row = from;
    for (let moved = 0; moved < Math.abs(delta); ) {
      const next = row + Math.sign(delta);
      if (next < 0 || next >= rows.length) break;
      row = next;
      if (rows[row]?.type === 'person') moved++;
    }
    return rows[row]?.type === 'person' ? row : from;
  };

  const open = (cell: CellRef) => {
    const row = personRowAt(cell.row);
    const date = dates[cell.col];
    if (!row || !date) return;
    const items = index.shifts.get(cellKey(row.employee.id, date));
    if (items?.length) onOpenShift(row, date, items);
    else if (canEdit) onCreate(row, [date]);
  };

  const cellFrom = (target: EventTarget | null): CellRef | null => {
    const el = (target as HTMLElement | null)?.closest?.('[data-cell]');
    if (!el) return null;
    const [row, col] = (el.getAttribute('data-cell') ?? '').split(':').map(Number) as [number, number];
    return { row, col };
  };

  const showTip = (target: EventTarget | null) => {
    const cell = cellFrom(target);
    const el = cell && cellElement(cell);
    const row = cell && personRowAt(cell.row);
    const date = cell && dates[cell.col];
    if (!el || !row || !date) return;
    setTip((t) => (t && t.row === row && t.date === date ? t : { rect: el.getBoundingClientRect(), row, date }));
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    const cell = cellFrom(e.target);
    if (!cell) return;
    const last = dates.length - 1;
    let next: CellRef | null = null;
    switch (e.key) {
      case 'ArrowRight': next = { row: cell.row, col: Math.min(cell.col + 1, last) }; break;
      case 'ArrowLeft': next = { row: cell.row, col: Math.max(cell.col - 1, 0) }; break;
      case 'ArrowDown': next = { row: step(cell.row, 1), col: cell.col }; break;
      case 'ArrowUp': next = { row: step(cell.row, -1), col: cell.col }; break;
      case 'PageDown': next = { row: step(cell.row, 10), col: cell.col }; break;
      case 'PageUp': next = { row: step(cell.row, -10), col: cell.col }; break;
      case 'Home': next = e.ctrlKey ? { row: Math.max(firstPerson, 0), col: 0 } : { row: cell.row, col: 0 }; break;
      case 'End': next = e.ctrlKey ? { row: step(rows.length - 1, 0), col: last } : { row: cell.row, col: last }; break;
      case 'Enter':
      case ' ':
        e.preventDefault();
        open(cell);
        return;
      case 'Escape':
        setTip(null);
        return;
      default:
        return;
    }
    e.preventDefault();
    moveTo(next);
  };

  const onPointerDown = (e: ReactPointerEvent) => {
    if (e.button !== 0 || !canEdit) return;
    const cell = cellFrom(e.target);
    const row = cell && personRowAt(cell.row);
    const date = cell && dates[cell.col];
    if (!cell || !row || !date || index.shifts.has(cellKey(row.employee.id, date))) return;
    e.preventDefault(); // no text selection while dragging
    setActive(cell);
    cellElement(cell)?.focus({ preventScroll: true });
    setDrag({ row: cell.row, from: cell.col, to: cell.col });
  };
  const onPointerOver = (e: ReactPointerEvent) => {
    showTip(e.target);
    if (!drag) return;
    const cell = cellFrom(e.target);
    if (cell && cell.row === drag.row && cell.col !== drag.to) setDrag({ ...drag, to: cell.col });
  };

  // Finishing a drag anywhere on the page (also outside the grid) ends it.
  useEffect(() => {
    if (!drag) return;
    const up = () => {
      setDrag(null);
      const row = personRowAt(drag.row);
      if (!row) return;
      const [a, b] = drag.from <= drag.to ? [drag.from, drag.to] : [drag.to, drag.from];
      const picked = dates.slice(a, b + 1).filter((d) => !index.shifts.has(cellKey(row.employee.id, d)));
      if (picked.length) onCreate(row, picked);
    };
    const cancel = (e: KeyboardEvent) => e.key === 'Escape' && setDrag(null);
    window.addEventListener('pointerup', up);
    window.addEventListener('keydown', cancel);
    return () => {
      window.removeEventListener('pointerup', up);
      window.removeEventListener('keydown', cancel);
    };
  });

  const onClick = (e: React.MouseEvent) => {
    const cell = cellFrom(e.target);
    if (!cell) return;
    const row = personRowAt(cell.row);
    const date = dates[cell.col];
    const items = row && date ? index.shifts.get(cellKey(row.employee.id, date)) : undefined;
    if (row && date && items?.length) {
      setActive(cell);
      onOpenShift(row, date, items);
    } else if (!canEdit) setActive(cell);
  };

  const dayLabels = useMemo(() => dates.map(formatDay), [dates]);
  // The day headers change with the range, not with a scroll: built once, not on every render.
  const dayHeaders = useMemo(
    () =>
      dates.map((d, i) => {
        const weekend = weekdayOf(d) >= 6;
        return (
          <div
            key={d}
            role="columnheader"
            aria-colindex={i + 2}
            aria-label={formatLongDay(d)}
            className={cn(
              'flex flex-col items-center justify-center border-l py-1.5 text-center text-xs leading-tight',
              weekend && 'bg-muted/60',
              d === today && 'bg-primary/10 font-semibold text-primary',
            )}
          >
            <span className={cn(d !== today && 'text-muted-foreground')}>{view === 'month' ? formatWeekday(d).slice(0, 2) : formatWeekday(d)}</span>
            <span className="tabular-nums">{view === 'month' ? Number(d.slice(8)) : formatDay(d).replace(/^\w+ /, '')}</span>
          </div>
        );
      }),
    [dates, today, view],
  );
  const template = `${NAME_WIDTH}px repeat(${dates.length}, minmax(${colWidth}px, 1fr))`;
  const minWidth = NAME_WIDTH + dates.length * colWidth;
  const items = drawRows ? virtualizer.getVirtualItems() : [];
  const activeRow = rows[active.row];
  const tipForActive = tip && activeRow?.type === 'person' && tip.row.employee.id === activeRow.employee.id && tip.date === dates[active.col];

  return (
    <div className="relative">
      <div
        ref={scrollRef}
        className="h-[calc(100vh-19rem)] min-h-[420px] overflow-auto overscroll-contain"
        onScroll={() => tip && setTip(null)}
        data-testid="schedule-scroll"
      >
        <div
          role="grid"
          aria-label={label}
          aria-rowcount={rows.length + 1}
          aria-colcount={dates.length + 1}
          aria-multiselectable={canEdit || undefined}
          onKeyDown={onKeyDown}
          onPointerDown={onPointerDown}
          onPointerOver={onPointerOver}
          onPointerLeave={() => setTip(null)}
          onFocus={(e) => showTip(e.target)}
          onBlur={(e) => !e.currentTarget.contains(e.relatedTarget as Node | null) && setTip(null)}
          onClick={onClick}
          style={{ minWidth }}
          className="relative select-none"
        >
          <div role="rowgroup" className="sticky top-0 z-20">
            <div role="row" aria-rowindex={1} className="grid border-b bg-card" style={{ gridTemplateColumns: template }}>
              <div role="columnheader" aria-colindex={1} className="sticky left-0 z-10 flex items-end bg-card px-3 pb-2 text-xs font-medium text-muted-foreground">
                Person
              </div>
              {dayHeaders}
            </div>
          </div>
          <div role="rowgroup" className="relative" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((v) => {
              const row = rows[v.index]!;
              const style = { transform: `translateY(${v.start}px)`, height: v.size, gridTemplateColumns: template };
              if (row.type === 'group') {
                return (
                  <div key={row.key} role="row" aria-rowindex={v.index + 2} className="absolute inset-x-0 top-0 grid" style={style}>
                    <div
                      role="rowheader"
                      aria-colspan={dates.length + 1}
                      className="sticky left-0 col-span-full flex items-center gap-2 border-b bg-muted px-3 text-xs"
                    >
                      <span className="sticky left-3 flex items-center gap-2">
                        <span className="font-semibold">{row.department?.name ?? 'Department'}</span>
                        <span className="text-muted-foreground">
                          {row.location?.name} · {row.location ? zoneLabel(row.location.timezone) : ''} · {row.count} {row.count === 1 ? 'person' : 'people'}
                        </span>
                      </span>
                    </div>
                  </div>
                );
              }
              return (
                <PersonRow
                  key={row.key}
                  row={row}
                  rowIndex={v.index}
                  start={v.start}
                  size={v.size}
                  template={template}
                  dates={dates}
                  cols={active.row === v.index ? activeCols : cols}
                  index={index}
                  view={view}
                  today={today}
                  activeCol={active.row === v.index ? active.col : null}
                  selection={drag && drag.row === v.index ? (drag.from <= drag.to ? [drag.from, drag.to] : [drag.to, drag.from]) : null}
                  describedBy={tipForActive ? TOOLTIP_ID : undefined}
                  dayLabels={dayLabels}
                />
              );
            })}
          </div>
        </div>
      </div>
      {tip && <CellTooltip tip={tip} index={index} canEdit={canEdit} />}
    </div>
  );
});

const PersonRow = memo(function PersonRow({
  row,
  rowIndex,
  start,
  size,
  template,
  dates,
  cols,
  index,
  view,
  today,
  activeCol,
  selection,
  describedBy,
  dayLabels,
}: {
  row: Extract<GridRow, { type: 'person' }>;
  rowIndex: number;
  start: number;
  size: number;
  template: string;
  dates: string[];
  /** The day columns to draw (the ones in view, and in the active row the active one), ascending. */
  cols: number[];
  index: ScheduleIndex;
  view: GridView;
  today: string;
  activeCol: number | null;
  selection: [number, number] | null;
  describedBy: string | undefined;
  dayLabels: string[];
}) {
  const id = row.employee.id;
  const minutes = index.minutes.get(id) ?? 0;
  const flagged = index.violationCount.get(id) ?? 0;
  const compact = view === 'month';
  let previous = -1;
  return (
    <div
      role="row"
      aria-rowindex={rowIndex + 2}
      className="absolute inset-x-0 top-0 grid border-b [contain:layout_paint]"
      style={{ transform: `translateY(${start}px)`, height: size, gridTemplateColumns: template }}
    >
      <div role="rowheader" aria-colindex={1} className="sticky left-0 z-10 flex min-w-0 items-center gap-2 border-r bg-card px-3">
        <div className="min-w-0 flex-1">
          <p className="truncate text-sm font-medium leading-tight">{row.employee.name}</p>
          <p className="truncate text-[11px] leading-tight text-muted-foreground tabular-nums">{`${formatMinutes(minutes)} scheduled`}</p>
        </div>
        {flagged > 0 && (
          <span className="flex items-center gap-0.5 text-[11px] font-medium text-destructive" title={`${flagged} labour-rule violation${flagged === 1 ? '' : 's'}`}>
            <AlertTriangle aria-hidden className="size-3.5" />
            <span className="sr-only">{flagged} violations</span>
            {flagged}
          </span>
        )}
      </div>
      {cols.map((col) => {
        const date = dates[col]!;
        // Cells after the first of a run follow by auto-placement; the first of a run names its track.
        const placed = col === previous + 1;
        previous = col;
        const key = cellKey(id, date);
        const shifts = index.shifts.get(key);
        const text = index.text.get(key);
        const violations = index.violations.get(key);
        const holiday = index.holidays.get(`${row.employee.locationId}|${date}`);
        const selected = selection !== null && col >= selection[0] && col <= selection[1];
        const isActive = activeCol === col;
        const shown = shifts ? shifts.slice(0, compact ? 1 : 2) : [];
        return (
          <div
            key={date}
            role="gridcell"
            aria-colindex={col + 2}
            aria-selected={selected || undefined}
            aria-describedby={isActive ? describedBy : undefined}
            aria-label={
              (text ? text.aria : `${dayLabels[col]}: no shift`) +
              (holiday ? `, holiday: ${holiday}` : '') +
              (violations ? `. Violation: ${violations.map((v) => v.message).join(' ')}` : '')
            }
            tabIndex={isActive ? 0 : -1}
            style={placed ? undefined : { gridColumnStart: col + 2 }}
            data-cell={`${rowIndex}:${col}`}
            data-employee={id}
            data-filled={shifts ? 'true' : undefined}
            className={
              // Plain concatenation, not cn()/tailwind-merge: this runs for every visible cell on every scroll.
              // wf-cell (styles.css) is the cell's layout, border and focus ring as plain CSS: a fast
              // scroll styles some 300 new cells a frame.
              // Positioned only when it holds the violation mark: a positioned box gets a paint layer of
              // its own, a cost per cell that only those need. The focus ring's z-index works without it
              // (a grid item with a z-index stacks).
              'wf-cell' +
              (violations ? ' relative' : '') +
              (selected
                ? ' bg-primary/20 ring-2 ring-inset ring-primary'
                : violations
                  ? ' bg-destructive/8'
                  : date === today
                    ? ' bg-primary/5'
                    : weekdayOfCache(date) >= 6
                      ? ' bg-muted/40'
                      : '') +
              (holiday ? ` ${holidayHatch}` : '') +
              (shifts ? ' cursor-pointer' : ' cursor-cell')
            }
          >
            {shown.map((s, i) => {
              const adjustment = s.source.layer === 'adjustment';
              const cut = s.notes.length > 0 && s.notes.some((n) => n.kind === 'removed');
              if (compact) {
                const short = (adjustment ? '✎' : '') + text!.short[i] + (cut ? '✂' : '');
                return (
                  <span
                    key={i}
                    aria-hidden
                    data-layer={s.source.layer}
                    className={chipBase + (short.length > CHIP_FITS ? 'truncate ' : '') + (adjustment ? adjustmentChip : contractChip)}
                  >
                    {short}
                  </span>
                );
              }
              return (
                <span key={i} aria-hidden data-layer={s.source.layer} className={chipBaseWide + (adjustment ? adjustmentChip : contractChip)}>
                  {adjustment ? <PencilLine className="size-3 shrink-0 opacity-70" /> : <ContractIcon className="size-3 shrink-0 opacity-70" />}
                  <span className="truncate">{text!.long[i]}</span>
                  {cut && <Scissors className="size-3 shrink-0 opacity-70" />}
                </span>
              );
            })}
            {shifts && shifts.length > shown.length && (
              <span aria-hidden className="text-[10px] leading-none text-muted-foreground">
                +{shifts.length - shown.length}
              </span>
            )}
            {violations && <AlertTriangle aria-hidden className="absolute right-0.5 top-0.5 size-3 text-destructive" />}
          </div>
        );
      })}
    </div>
  );
});

/** The month chip's box and type as plain CSS (styles.css): cheaper to style than the utilities, same look. */
const chipBase = 'wf-chip ';
/**
 * The longest month label ("8–16:30") that fits a 60 px day unclipped. Only longer ones get
 * `truncate`: its overflow clip makes each chip a paint chunk of its own, and a screenful of those
 * was a third of a scroll frame's layerisation.
 */
const CHIP_FITS = 7;
const chipBaseWide = 'flex h-6 min-w-0 items-center gap-1 rounded px-1 text-xs leading-tight tabular-nums ';

const weekdays = new Map<string, number>();
function weekdayOfCache(date: string) {
  let w = weekdays.get(date);
  if (w === undefined) weekdays.set(date, (w = weekdayOf(date)));
  return w;
}

function CellTooltip({ tip, index, canEdit }: { tip: Tip; index: ScheduleIndex; canEdit: boolean }) {
  const key = cellKey(tip.row.employee.id, tip.date);
  const shifts = index.shifts.get(key) ?? [];
  const violations: Violation[] = index.violations.get(key) ?? [];
  const holiday = index.holidays.get(`${tip.row.employee.locationId}|${tip.date}`);
  const width = 340;
  const below = tip.rect.bottom + 6;
  const top = below + 200 > window.innerHeight ? Math.max(8, tip.rect.top - 6) : below;
  const left = Math.min(Math.max(8, tip.rect.left), window.innerWidth - width - 8);
  const above = top !== below;
  return (
    <div
      id={TOOLTIP_ID}
      role="tooltip"
      className="pointer-events-none fixed z-40 rounded-lg border bg-popover p-3 text-xs text-foreground shadow-xl"
      style={{ top, left, width, transform: above ? 'translateY(-100%)' : undefined }}
    >
      <p className="font-medium">
        {tip.row.employee.name} · {formatLongDay(tip.date)}
      </p>
      <p className="mb-2 text-muted-foreground">Times in {zoneLabel(tip.row.zone)}</p>
      {holiday && <p className="mb-1.5">Holiday: {holiday}</p>}
      {shifts.length === 0 && <p className="text-muted-foreground">No shift{canEdit ? '. Drag across empty days, or press Enter, to add an extra shift.' : '.'}</p>}
      <ul className="grid gap-2">
        {shifts.map((s, i) => (
          <li key={i} className="grid gap-0.5">
            <p className="font-medium tabular-nums">
              {localTimeOf(s.start, tip.row.zone)}–{localTimeOf(s.end, tip.row.zone)} · {formatMinutes(s.minutes)}
              {s.breakMinutes ? ` (break ${s.breakMinutes} min)` : ''} · {s.source.layer === 'contract' ? 'contract' : 'adjustment'}
            </p>
            <p data-testid="provenance">{s.provenance}</p>
          </li>
        ))}
      </ul>
      {violations.length > 0 && (
        <ul className="mt-2 grid gap-1 border-t pt-2 text-destructive">
          {violations.map((v, i) => (
            <li key={i} className="flex gap-1.5">
              <AlertTriangle aria-hidden className="mt-px size-3.5 shrink-0" />
              {v.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
