import { useQuery } from '@tanstack/react-query';
import { ChevronDown, ChevronLeft, ChevronRight, ChevronRight as Chevron, Download, Lock, ReceiptText, Upload } from 'lucide-react';
import { Fragment, useId, useMemo, useState } from 'react';
import { toast } from 'sonner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog } from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import { PageHeader } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { errorMessage } from '@/lib/api';
import { formatDateTime, formatTime, viewerZone, zoneLabel, zoneOffset } from '@/lib/format';
import { cn } from '@/lib/utils';
import { downloadTimesheetCsv, timesheetQuery, useLockPeriod, type TimesheetFilters, type TimesheetRow } from '../api/timeclock-queries';
import { addDays, formatLocalDate, minutes, mondayOf, todayIn } from './clock-format';
import { ImportPunchesDialog } from './import-dialog';
import { LocationPicker, useFloorLocations } from './location-picker';

export interface TimesheetSearch {
  from?: string;
  to?: string;
  locationId?: string;
  departmentId?: string;
}

export function TimesheetsPage({ search, onSearchChange }: { search: TimesheetSearch; onSearchChange: (next: TimesheetSearch) => void }) {
  const ids = useId();
  const org = useFloorLocations();
  const zone = (search.locationId && org.location.get(search.locationId)?.timezone) || viewerZone;
  const thisWeek = mondayOf(todayIn(zone));
  const from = search.from ?? thisWeek;
  const to = search.to && search.to >= from ? search.to : addDays(from, 6);
  const filters: TimesheetFilters = { from, to, locationId: search.locationId, departmentId: search.departmentId };
  const sheet = useQuery(timesheetQuery(filters));
  const lock = useLockPeriod();
  const [confirming, setConfirming] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [importing, setImporting] = useState(false);
  const [open, setOpen] = useState<Set<string>>(() => new Set());

  const shift = (days: number) => onSearchChange({ ...search, from: addDays(from, days), to: addDays(to, days) });
  const spanDays = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;
  const departments = org.departments.filter((d) => d.active && (!search.locationId || d.locationId === search.locationId));
  const locationName = search.locationId ? org.location.get(search.locationId)?.name : undefined;
  const locks = sheet.data?.locks ?? [];
  const lockedHere = search.locationId ? locks.filter((l) => l.locationId === search.locationId) : [];

  const totals = useMemo(() => {
    const t = { worked: 0, overtime: 0, scheduled: 0, open: 0, people: 0 };
    for (const r of sheet.data?.items ?? []) {
      t.worked += r.workedMinutes;
      t.overtime += r.overtimeMinutes;
      t.scheduled += r.scheduledMinutes;
      t.open += r.openShifts;
      if (r.shifts.length || r.scheduledMinutes) t.people++;
    }
    return t;
  }, [sheet.data]);

  const rows = useMemo(() => (sheet.data?.items ?? []).filter((r) => r.shifts.length > 0 || r.scheduledMinutes > 0).sort((a, b) => a.name.localeCompare(b.name)), [sheet.data]);

  const toggle = (id: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <>
      <PageHeader
        title="Timesheets"
        description="Worked shifts per person against the schedule, with overtime by each location's labour rules."
        actions={
          <>
            <Button variant="outline" onClick={() => setImporting(true)}>
              <Upload aria-hidden /> Import punches
            </Button>
            <Button
              variant="outline"
              disabled={exporting}
              onClick={async () => {
                setExporting(true);
                try {
                  const name = await downloadTimesheetCsv(filters);
                  toast.success(`Exported ${name}`);
                } catch (err) {
                  toast.error(errorMessage(err));
                } finally {
                  setExporting(false);
                }
              }}
            >
              <Download aria-hidden /> {exporting ? 'Exporting…' : 'Export CSV'}
            </Button>
            <Button onClick={() => setConfirming(true)} disabled={!search.locationId || lockedHere.length > 0} title={!search.locationId ? 'Choose a location to approve its period' : undefined}>
              <Lock aria-hidden /> {lockedHere.length > 0 ? 'Period locked' : 'Approve & lock'}
            </Button>
          </>
        }
      />

      <Card className="mb-4">
        <div className="flex flex-wrap items-end gap-x-6 gap-y-3 px-5 py-4">
          <fieldset className="grid gap-1.5">
            <legend className="mb-1.5 text-sm font-medium">Period</legend>
            <div className="flex flex-wrap items-center gap-2">
              <Button variant="outline" size="icon" aria-label={`Previous ${spanDays === 7 ? 'week' : 'period'}`} onClick={() => shift(-spanDays)}>
                <ChevronLeft />
              </Button>
              <label className="sr-only" htmlFor={`${ids}-from`}>
                From
              </label>
              <Input id={`${ids}-from`} type="date" className="w-40" value={from} max={to} onChange={(e) => e.target.value && onSearchChange({ ...search, from: e.target.value, to: e.target.value > to ? addDays(e.target.value, 6) : to })} />
              <span aria-hidden className="text-muted-foreground">
                –
              </span>
              <label className="sr-only" htmlFor={`${ids}-to`}>
                To
              </label>
              <Input id={`${ids}-to`} type="date" className="w-40" value={to} min={from} max={addDays(from, 62)} onChange={(e) => e.target.value && onSearchChange({ ...search, to: e.target.value })} />
              <Button variant="outline" size="icon" aria-label={`Next ${spanDays === 7 ? 'week' : 'period'}`} onClick={() => shift(spanDays)}>
                <ChevronRight />
              </Button>
              <Button variant="ghost" size="sm" onClick={() => onSearchChange({ ...search, from: thisWeek, to: addDays(thisWeek, 6) })} disabled={from === thisWeek && to === addDays(thisWeek, 6)}>
                This week
              </Button>
            </div>
          </fieldset>
          <LocationPicker locations={org.floorLocations} value={search.locationId} allowAll onChange={(locationId) => onSearchChange({ ...search, locationId, departmentId: undefined })} />
          <div className="flex items-center gap-2">
            <label htmlFor={`${ids}-dept`} className="text-sm font-medium text-muted-foreground">
              Department
            </label>
            <Select id={`${ids}-dept`} className="min-w-48" value={search.departmentId ?? ''} onChange={(e) => onSearchChange({ ...search, departmentId: e.target.value || undefined })}>
              <option value="">All departments</option>
              {departments.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                  {search.locationId ? '' : ` · ${org.location.get(d.locationId)?.name ?? ''}`}
                </option>
              ))}
            </Select>
          </div>
        </div>
        {!search.locationId && <p className="border-t px-5 py-2.5 text-xs text-muted-foreground">Timesheets are approved and locked per location: choose one to approve its period.</p>}
      </Card>

      {locks.length > 0 && (
        <div role="status" className="mb-4 grid gap-1 rounded-lg border border-success/30 bg-success/10 px-4 py-3 text-sm" data-testid="timesheet-locks">
          {locks.map((l) => (
            <p key={l.id} className="flex items-center gap-2">
              <Lock aria-hidden className="size-4 text-success" />
              <span>
                <strong>{org.location.get(l.locationId)?.name ?? 'A location'}</strong>: {formatLocalDate(l.from)} – {formatLocalDate(l.to)} approved and locked
                {l.lockedBy ? ` by ${l.lockedBy}` : ''} on {formatDateTime(l.lockedAt)} ({zoneOffset(viewerZone)}). Punches in it are refused.
              </span>
            </p>
          ))}
        </div>
      )}

      {sheet.isPending ? (
        <Card>
          <LoadingState label="Loading timesheets" rows={8} />
        </Card>
      ) : sheet.isError ? (
        <Card>
          <ErrorState error={sheet.error} onRetry={() => void sheet.refetch()} />
        </Card>
      ) : rows.length === 0 ? (
        <Card>
          <EmptyState icon={<ReceiptText />} title="No worked or scheduled time in this period" description="Choose another period, location or department." />
        </Card>
      ) : (
        <div className={cn('grid gap-4', sheet.isPlaceholderData && 'opacity-60')} aria-busy={sheet.isFetching || undefined}>
          <dl className="grid grid-cols-2 gap-3 sm:grid-cols-5">
            <Stat label="People" value={String(totals.people)} />
            <Stat label="Worked" value={minutes(totals.worked)} />
            <Stat label="Scheduled" value={minutes(totals.scheduled)} />
            <Stat label="Overtime" value={minutes(totals.overtime)} tone={totals.overtime > 0 ? 'warning' : undefined} />
            <Stat label="Open shifts" value={String(totals.open)} tone={totals.open > 0 ? 'warning' : undefined} />
          </dl>

          <Card className="overflow-hidden">
            <CardHeader>
              <div>
                <CardTitle>People</CardTitle>
                <CardDescription>
                  {formatLocalDate(from)} – {formatLocalDate(to)}
                  {locationName ? ` · ${locationName}` : ''}. Open a row for its shifts; times are in each shift's location zone.
                </CardDescription>
              </div>
            </CardHeader>
            <div className="overflow-x-auto">
              <Table aria-label={`Timesheets, ${rows.length} people`}>
                <THead>
                  <tr>
                    <Th scope="col">Person</Th>
                    <Th scope="col" className="text-right">Shifts</Th>
                    <Th scope="col" className="text-right">Worked</Th>
                    <Th scope="col" className="text-right">Overtime</Th>
                    <Th scope="col" className="text-right">Scheduled</Th>
                    <Th scope="col" className="text-right">Difference</Th>
                    <Th scope="col" className="text-right">Open shifts</Th>
                  </tr>
                </THead>
                <TBody>
                  {rows.map((r) => (
                    <PersonRows key={r.employeeId} row={r} open={open.has(r.employeeId)} onToggle={() => toggle(r.employeeId)} department={org.department.get(r.departmentId)?.name ?? ''} zoneOf={(id) => org.location.get(id)?.timezone ?? 'UTC'} />
                  ))}
                </TBody>
              </Table>
            </div>
          </Card>

          <Card className="overflow-hidden">
            <CardHeader>
              <CardTitle>Department totals</CardTitle>
            </CardHeader>
            <Table aria-label="Department totals">
              <THead>
                <tr>
                  <Th scope="col">Department</Th>
                  <Th scope="col" className="text-right">Worked</Th>
                  <Th scope="col" className="text-right">Overtime</Th>
                  <Th scope="col" className="text-right">Scheduled</Th>
                  <Th scope="col" className="text-right">Difference</Th>
                </tr>
              </THead>
              <TBody>
                {[...(sheet.data?.departments ?? [])]
                  .sort((a, b) => (org.department.get(a.departmentId)?.name ?? '').localeCompare(org.department.get(b.departmentId)?.name ?? ''))
                  .map((d) => (
                    <Tr key={d.departmentId}>
                      <Th scope="row" className="h-auto py-2.5 text-sm font-medium normal-case tracking-normal text-foreground">
                        {org.department.get(d.departmentId)?.name ?? 'Unknown'}
                        <span className="ml-2 text-xs font-normal text-muted-foreground">{org.location.get(org.department.get(d.departmentId)?.locationId ?? '')?.name}</span>
                      </Th>
                      <Td className="text-right tabular-nums">{minutes(d.workedMinutes)}</Td>
                      <Td className="text-right tabular-nums">{minutes(d.overtimeMinutes)}</Td>
                      <Td className="text-right tabular-nums">{minutes(d.scheduledMinutes)}</Td>
                      <Td className="text-right tabular-nums">{minutes(d.workedMinutes - d.scheduledMinutes, true)}</Td>
                    </Tr>
                  ))}
              </TBody>
            </Table>
          </Card>
        </div>
      )}

      <ImportPunchesDialog open={importing} onOpenChange={setImporting} />

      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title={`Approve and lock ${locationName ?? ''}?`}
        description={
          <>
            <p>
              The timesheets of <strong className="text-foreground">{locationName}</strong> for {formatLocalDate(from)} – {formatLocalDate(to)} are approved for payroll. After this, punches and
              corrections in the period are refused.
            </p>
            {totals.open > 0 && <p className="mt-2 font-medium text-warning">{totals.open} shift(s) in the period are still open (no clock-out).</p>}
          </>
        }
        confirmLabel="Approve & lock"
        pending={lock.isPending}
        onConfirm={() =>
          search.locationId &&
          lock.mutate(
            { locationId: search.locationId, from, to },
            {
              onSuccess: () => {
                toast.success(`${locationName}: ${from} to ${to} approved and locked`);
                setConfirming(false);
              },
              onError: (err) => {
                toast.error(errorMessage(err));
                setConfirming(false);
              },
            },
          )
        }
      />
    </>
  );
}

function Stat({ label, value, tone }: { label: string; value: string; tone?: 'warning' }) {
  return (
    <div className="rounded-xl border bg-card px-4 py-3 shadow-xs">
      <dt className="text-xs font-medium text-muted-foreground">{label}</dt>
      <dd className={cn('mt-1 text-lg font-semibold tabular-nums', tone === 'warning' && 'text-warning')}>{value}</dd>
    </div>
  );
}

function PersonRows({ row, open, onToggle, department, zoneOf }: { row: TimesheetRow; open: boolean; onToggle: () => void; department: string; zoneOf: (locationId: string) => string }) {
  const panel = `shifts-${row.employeeId}`;
  return (
    <Fragment>
      <Tr data-testid="timesheet-row">
        <Td>
          <button
            type="button"
            aria-expanded={open}
            aria-controls={open ? panel : undefined}
            onClick={onToggle}
            className="flex cursor-pointer items-center gap-2 rounded-md text-left focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
          >
            {open ? <ChevronDown aria-hidden className="size-4 shrink-0 text-muted-foreground" /> : <Chevron aria-hidden className="size-4 shrink-0 text-muted-foreground" />}
            <span>
              <span className="block font-medium">{row.name}</span>
              <span className="block text-xs text-muted-foreground">{department}</span>
            </span>
          </button>
        </Td>
        <Td className="text-right tabular-nums">{row.shifts.length}</Td>
        <Td className="text-right tabular-nums">{minutes(row.workedMinutes)}</Td>
        <Td className={cn('text-right tabular-nums', row.overtimeMinutes > 0 && 'font-medium text-warning')}>{minutes(row.overtimeMinutes)}</Td>
        <Td className="text-right tabular-nums">{minutes(row.scheduledMinutes)}</Td>
        <Td className={cn('text-right tabular-nums', row.differenceMinutes < 0 && 'text-destructive')}>{minutes(row.differenceMinutes, true)}</Td>
        <Td className="text-right">{row.openShifts > 0 ? <Badge variant="warning">{row.openShifts} open</Badge> : <span className="tabular-nums text-muted-foreground">0</span>}</Td>
      </Tr>
      {open && (
        <tr id={panel} className="border-b bg-muted/30">
          <td colSpan={7} className="px-3 py-3">
            {row.shifts.length === 0 ? (
              <p className="px-8 text-sm text-muted-foreground">No worked shifts in this period.</p>
            ) : (
              <Table aria-label={`Shifts of ${row.name}`} className="ml-6 w-[calc(100%-1.5rem)] rounded-md border bg-card">
                <THead>
                  <tr>
                    <Th scope="col">Date</Th>
                    <Th scope="col">In</Th>
                    <Th scope="col">Out</Th>
                    <Th scope="col">Breaks</Th>
                    <Th scope="col" className="text-right">Break</Th>
                    <Th scope="col" className="text-right">Worked</Th>
                  </tr>
                </THead>
                <TBody>
                  {row.shifts.map((s) => {
                    const zone = zoneOf(s.locationId);
                    return (
                      <Tr key={s.id}>
                        <Td className="whitespace-nowrap">{formatLocalDate(s.date)}</Td>
                        <Td className="tabular-nums">
                          <time dateTime={s.clockIn}>{formatTime(s.clockIn, zone)}</time> <span className="text-xs text-muted-foreground">{zoneOffset(zone, new Date(s.clockIn))}</span>
                        </Td>
                        <Td className="tabular-nums">{s.clockOut ? <time dateTime={s.clockOut}>{formatTime(s.clockOut, zone)}</time> : <Badge variant="warning">Open</Badge>}</Td>
                        <Td className="text-xs tabular-nums text-muted-foreground">
                          {s.breaks.length === 0
                            ? '—'
                            : s.breaks.map((b, i) => (
                                <span key={i} className="mr-2 inline-block">
                                  {formatTime(b.start, zone)}–{b.end ? formatTime(b.end, zone) : 'now'}
                                </span>
                              ))}
                        </Td>
                        <Td className="text-right tabular-nums">{minutes(s.breakMinutes)}</Td>
                        <Td className="text-right tabular-nums">{s.clockOut ? minutes(s.workedMinutes) : '—'}</Td>
                      </Tr>
                    );
                  })}
                </TBody>
                <caption className="caption-bottom px-3 py-2 text-left text-xs text-muted-foreground">Times in {zoneLabel(zoneOf(row.shifts[0]!.locationId))}</caption>
              </Table>
            )}
          </td>
        </tr>
      )}
    </Fragment>
  );
}
