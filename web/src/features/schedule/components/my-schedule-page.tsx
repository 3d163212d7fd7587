import { useQuery } from '@tanstack/react-query';
import { ArrowLeftRight, CalendarDays, CalendarPlus, CalendarX2, Check, Copy, Link2, RefreshCw, UserRound } from 'lucide-react';
import { useState } from 'react';
import { toast } from 'sonner';
import { adjustmentCreate, type Adjustment, type ScheduleItem, type SwapCandidate } from '@contract/schedule.ts';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog, Dialog } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { PageHeader } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { errorMessage } from '@/lib/api';
import { relativeTime, zoneLabel } from '@/lib/format';
import { useUser } from '@/lib/session';
import { cn } from '@/lib/utils';
import { employeeQuery, useOrgLookups } from '@/features/org/api/org-queries';
import { useCreateAdjustment, useDecide, useRotateCalendarToken } from '../api/schedule-mutations';
import { calendarTokenQuery, recentAdjustmentsQuery, scheduleQuery, swapCandidatesQuery } from '../api/schedule-queries';
import { addDays, formatDay, formatLongDay, formatMinutes, formatRange, localDateOf, localTimeOf, shiftInstants, startOfWeek, today as todayIn, zonedToInstant } from '../api/zoned-time';
import { KindLabel, StatusBadge } from './schedule-labels';
import { adjustmentChip, contractChip } from './shift-chip';

const WEEKS = 4;

/** An employee's own schedule: the next four weeks, requests and their status, and the calendar feed. */
export function MySchedulePage() {
  const me = useUser();
  if (!me.employeeId) {
    return (
      <>
        <PageHeader title="My schedule" />
        <Card>
          <EmptyState icon={<UserRound />} title="No person record is linked to this account" description="Ask an admin to link your log-in to your record in the directory to see your shifts." />
        </Card>
      </>
    );
  }
  return <MySchedule employeeId={me.employeeId} />;
}

type RequestDraft = { kind: 'time_off' | 'extra_shift' | 'swap'; date: string; start: string; endDate: string; end: string };

/** A swap exchanges the shifts that start within its window: a whole local day covers both people's shifts that day. */
const swapDraft = (date: string): RequestDraft => ({ kind: 'swap', date, start: '00:00', endDate: addDays(date, 1), end: '00:00' });

function MySchedule({ employeeId }: { employeeId: string }) {
  const me = useUser();
  const employee = useQuery(employeeQuery(employeeId));
  const lookups = useOrgLookups();
  const location = employee.data ? lookups.location.get(employee.data.locationId) : undefined;
  const zone = location?.timezone ?? 'UTC';
  const from = todayIn(zone);
  const to = addDays(from, WEEKS * 7 - 1);
  const schedule = useQuery({ ...scheduleQuery({ from, to, employeeId }), enabled: !!location });
  const requests = useQuery(recentAdjustmentsQuery());
  const candidates = useQuery(swapCandidatesQuery(employeeId));
  const [draft, setDraft] = useState<RequestDraft | null>(null);
  const zoneOf = (locationId: string | null) => lookups.location.get(locationId ?? '')?.timezone ?? zone;
  const colleagueName = (id: string | null) => candidates.data?.find((c) => c.id === id)?.name;

  const now = Date.now();
  const upcoming = (schedule.data?.items ?? []).filter((s) => Date.parse(s.end) > now);
  // Calendar weeks (Monday to Sunday) covering the next four weeks from today.
  const weeks: { label: string; items: ScheduleItem[]; minutes: number }[] = [];
  for (let a = startOfWeek(from), w = 0; a <= to; a = addDays(a, 7), w++) {
    const b = addDays(a, 6);
    const items = upcoming.filter((s) => s.date >= a && s.date <= b);
    weeks.push({ label: w === 0 ? 'This week' : w === 1 ? 'Next week' : `${formatDay(a)} – ${formatDay(b)}`, items, minutes: items.reduce((n, s) => n + s.minutes, 0) });
  }

  const mine = requests.data ?? [];
  const awaitingMe = mine.filter((a) => a.kind === 'swap' && a.status === 'pending' && a.counterpartEmployeeId === employeeId && !a.counterpartAcceptedAt);

  return (
    <>
      <PageHeader
        title="My schedule"
        description={location ? `Your shifts for the next ${WEEKS} weeks. Times in ${zoneLabel(zone)}.` : 'Your shifts for the next four weeks.'}
        actions={
          <>
            <Button variant="outline" onClick={() => setDraft({ kind: 'extra_shift', date: addDays(from, 1), start: '09:00', endDate: addDays(from, 1), end: '17:00' })}>
              <CalendarPlus /> Offer an extra shift
            </Button>
            <Button variant="outline" onClick={() => setDraft(swapDraft(addDays(from, 1)))}>
              <ArrowLeftRight /> Ask for a swap
            </Button>
            <Button onClick={() => setDraft({ kind: 'time_off', date: addDays(from, 1), start: '00:00', endDate: addDays(from, 2), end: '00:00' })}>
              <CalendarX2 /> Request time off
            </Button>
          </>
        }
      />
      {awaitingMe.length > 0 && (
        <Card className="mb-4 border-primary/40">
          <CardHeader>
            <CardTitle>Swaps waiting for you</CardTitle>
          </CardHeader>
          <CardContent>
            <RequestList items={awaitingMe} employeeId={employeeId} userId={me.id} zoneOf={zoneOf} colleagueName={colleagueName} />
          </CardContent>
        </Card>
      )}
      <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_24rem]">
        <Card aria-labelledby="upcoming-heading">
          <CardHeader>
            <div>
              <CardTitle id="upcoming-heading">Upcoming shifts</CardTitle>
              <CardDescription>Focus or hover a shift to see where it comes from.</CardDescription>
            </div>
          </CardHeader>
          {employee.isPending || lookups.isPending || (schedule.isPending && !!location) ? (
            <LoadingState label="Loading your shifts" rows={6} />
          ) : employee.isError || schedule.isError ? (
            <ErrorState
              error={employee.error ?? schedule.error}
              onRetry={() => {
                void employee.refetch();
                void schedule.refetch();
              }}
            />
          ) : upcoming.length === 0 ? (
            <EmptyState icon={<CalendarDays />} title="No shifts in the next four weeks" description="When a contract or an approved extra shift puts you on the schedule, it shows here." />
          ) : (
            <div className="grid gap-4 px-5 pb-5">
              {weeks.map((w) => (
                <section key={w.label} aria-label={w.label}>
                  <h3 className="mb-1.5 flex justify-between text-xs font-medium uppercase tracking-wide text-muted-foreground">
                    <span>{w.label}</span>
                    <span className="normal-case tracking-normal tabular-nums">{formatMinutes(w.minutes)}</span>
                  </h3>
                  {w.items.length === 0 ? (
                    <p className="rounded-md border border-dashed px-3 py-2 text-sm text-muted-foreground">No shifts.</p>
                  ) : (
                    <ul className="grid gap-1.5" aria-label={`Shifts, ${w.label}`}>
                      {w.items.map((s) => (
                        <ShiftRow
                          key={`${s.start}|${s.source.id}`}
                          item={s}
                          zone={zoneOf(s.locationId)}
                          locationName={lookups.location.get(s.locationId)?.name ?? ''}
                          onTimeOff={() => {
                            const z = zoneOf(s.locationId);
                            setDraft({ kind: 'time_off', date: s.date, start: localTimeOf(s.start, z), endDate: localDateOf(s.end, z), end: localTimeOf(s.end, z) });
                          }}
                          onSwap={() => setDraft(swapDraft(s.date))}
                        />
                      ))}
                    </ul>
                  )}
                </section>
              ))}
            </div>
          )}
        </Card>
        <div className="grid content-start gap-4">
          <Card aria-labelledby="requests-heading">
            <CardHeader>
              <div>
                <CardTitle id="requests-heading">My requests</CardTitle>
                <CardDescription>Pending requests can be cancelled until a manager decides.</CardDescription>
              </div>
            </CardHeader>
            {requests.isPending ? (
              <LoadingState label="Loading your requests" rows={3} />
            ) : requests.isError ? (
              <ErrorState error={requests.error} onRetry={() => void requests.refetch()} />
            ) : mine.length === 0 ? (
              <EmptyState title="No requests yet" description="Ask for time off from a shift, or offer to work extra." />
            ) : (
              <CardContent>
                <RequestList items={mine.slice(0, 20)} employeeId={employeeId} userId={me.id} zoneOf={zoneOf} colleagueName={colleagueName} />
              </CardContent>
            )}
          </Card>
          <CalendarFeed employeeId={employeeId} />
        </div>
      </div>
      <RequestDialog draft={draft} employeeId={employeeId} zone={zone} locationId={employee.data?.locationId} candidates={candidates} onClose={() => setDraft(null)} />
    </>
  );
}

function ShiftRow({ item, zone, locationName, onTimeOff, onSwap }: { item: ScheduleItem; zone: string; locationName: string; onTimeOff: () => void; onSwap: () => void }) {
  const adjustment = item.source.layer === 'adjustment';
  const id = `prov-${item.source.id}-${item.start}`;
  return (
    <li
      tabIndex={0}
      aria-describedby={id}
      data-testid="my-shift"
      data-date={item.date}
      data-start={item.start}
      data-end={item.end}
      className={cn('group grid gap-1 rounded-lg px-3 py-2 outline-none focus-visible:ring-2 focus-visible:ring-ring', adjustment ? adjustmentChip : contractChip)}
    >
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <span className="w-28 shrink-0 text-sm font-medium">{formatDay(item.date)}</span>
        <span className="shrink-0 text-sm tabular-nums" data-testid="my-shift-time">
          {localTimeOf(item.start, zone)}–{localTimeOf(item.end, zone)}
        </span>
        {/* The details give way (wrap inside their own box) so the actions stay on the shift's line. */}
        <span className="min-w-32 flex-1 text-xs opacity-80">
          {formatMinutes(item.minutes)}
          {item.breakMinutes ? ` incl. ${item.breakMinutes} min break` : ''} · {locationName}
        </span>
        <span className="flex shrink-0 items-center gap-2">
          <span className="text-xs font-medium">{adjustment ? 'Adjusted' : 'Contract'}</span>
          <Button variant="outline" size="sm" className="h-7" onClick={onTimeOff} aria-label={`Request time off from the shift on ${formatLongDay(item.date)}`}>
            <CalendarX2 /> Time off
          </Button>
          <Button variant="outline" size="sm" className="h-7" onClick={onSwap} aria-label={`Ask a colleague to swap the shift on ${formatLongDay(item.date)}`}>
            <ArrowLeftRight /> Swap
          </Button>
        </span>
      </div>
      <p id={id} className="hidden text-xs group-hover:block group-focus-within:block group-focus:block" data-testid="provenance">
        {item.provenance}
      </p>
    </li>
  );
}

function RequestList({
  items,
  employeeId,
  userId,
  zoneOf,
  colleagueName,
}: {
  items: Adjustment[];
  employeeId: string;
  userId: string;
  zoneOf: (locationId: string | null) => string;
  colleagueName: (id: string | null) => string | undefined;
}) {
  const decide = useDecide();
  const [cancelling, setCancelling] = useState<Adjustment | null>(null);
  const act = async (a: Adjustment, verb: 'cancel' | 'accept') => {
    try {
      await decide.mutateAsync({ id: a.id, verb });
      toast.success(verb === 'cancel' ? `Request #${a.number} cancelled` : `You accepted swap #${a.number}: a manager decides next`);
      setCancelling(null);
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };
  return (
    <>
      <ul className="grid gap-2" aria-label="Requests">
        {items.map((a) => {
          const waitingForMe = a.kind === 'swap' && a.status === 'pending' && a.counterpartEmployeeId === employeeId && !a.counterpartAcceptedAt;
          return (
            <li key={a.id} className="grid gap-1 rounded-lg border px-3 py-2 text-sm" data-testid="my-request" data-number={a.number} data-status={a.status}>
              <div className="flex items-center justify-between gap-2">
                <KindLabel kind={a.kind} />
                <StatusBadge status={a.status} />
              </div>
              <p className="text-xs tabular-nums">{formatRange(a.start, a.end, zoneOf(a.locationId))}</p>
              <p className="truncate text-xs text-muted-foreground">
                #{a.number} · {a.employeeId === employeeId ? a.reason : `${a.employeeName} asks to swap: ${a.reason}`}
              </p>
              {a.kind === 'swap' && a.status === 'pending' && !waitingForMe && (
                <p className="text-xs text-muted-foreground">
                  {a.counterpartAcceptedAt
                    ? `Accepted by ${colleagueName(a.counterpartEmployeeId) ?? 'your colleague'}; waiting for a manager.`
                    : `Waiting for ${colleagueName(a.counterpartEmployeeId) ?? 'your colleague'} to accept.`}
                </p>
              )}
              {a.decidedAt && (
                <p className="text-xs text-muted-foreground">
                  {a.status} by {a.decidedByName ?? 'a manager'} {relativeTime(a.decidedAt)}
                  {a.decisionNote ? `: “${a.decisionNote}”` : ''}
                </p>
              )}
              {a.status === 'pending' && (a.requestedBy === userId || waitingForMe) && (
                <div className="mt-1 flex gap-2">
                  {waitingForMe && (
                    <Button size="sm" onClick={() => void act(a, 'accept')} disabled={decide.isPending}>
                      <Check /> Accept swap
                    </Button>
                  )}
                  {a.requestedBy === userId && (
                    <Button size="sm" variant="outline" onClick={() => setCancelling(a)} disabled={decide.isPending}>
                      Cancel request
                    </Button>
                  )}
                </div>
              )}
            </li>
          );
        })}
      </ul>
      <ConfirmDialog
        open={cancelling !== null}
        onOpenChange={(open) => !open && setCancelling(null)}
        title="Cancel this request?"
        description={cancelling ? `Request #${cancelling.number} will be withdrawn; you can make a new one at any time.` : ''}
        confirmLabel="Cancel request"
        pending={decide.isPending}
        onConfirm={() => cancelling && void act(cancelling, 'cancel')}
      />
    </>
  );
}

type Candidates = { data?: SwapCandidate[]; isPending: boolean; isError: boolean };

function RequestDialog({
  draft,
  employeeId,
  zone,
  locationId,
  candidates,
  onClose,
}: {
  draft: RequestDraft | null;
  employeeId: string;
  zone: string;
  locationId?: string;
  candidates: Candidates;
  onClose: () => void;
}) {
  return (
    <Dialog
      open={draft !== null}
      onOpenChange={(open) => !open && onClose()}
      title={draft?.kind === 'extra_shift' ? 'Offer an extra shift' : draft?.kind === 'swap' ? 'Ask for a swap' : 'Request time off'}
      description={draft?.kind === 'swap' ? `Your colleague accepts first, then a manager decides. Times in ${zoneLabel(zone)}.` : `A manager decides. Times in ${zoneLabel(zone)}.`}
    >
      {draft && <RequestForm key={JSON.stringify(draft)} draft={draft} employeeId={employeeId} zone={zone} locationId={locationId} candidates={candidates} onDone={onClose} />}
    </Dialog>
  );
}

type FieldName = 'start' | 'end' | 'counterpartEmployeeId' | 'reason';
/** The schema's own words where they read well; plainer ones where they name a field. */
const friendly: Partial<Record<FieldName, string>> = {
  start: 'Check the start day and time.',
  counterpartEmployeeId: 'Choose the colleague to swap with.',
  reason: 'Say briefly why: your manager reads it.',
};

const asSentence = (message: string) => `${message.charAt(0).toUpperCase()}${message.slice(1)}${message.endsWith('.') ? '' : '.'}`;

function RequestForm({
  draft,
  employeeId,
  zone,
  locationId,
  candidates,
  onDone,
}: {
  draft: RequestDraft;
  employeeId: string;
  zone: string;
  locationId?: string;
  candidates: Candidates;
  onDone: () => void;
}) {
  const [form, setForm] = useState(draft);
  const [reason, setReason] = useState('');
  const [counterpart, setCounterpart] = useState('');
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const create = useCreateAdjustment();
  const colleagues = candidates.data ?? [];
  const noColleagues = form.kind === 'swap' && !candidates.isPending && !candidates.isError && colleagues.length === 0;
  const set = (patch: Partial<RequestDraft>) => {
    setForm((f) => ({ ...f, ...patch }));
    if ('start' in patch || 'date' in patch) clear('start');
    if ('end' in patch || 'endDate' in patch) clear('end');
  };
  // A field's message goes once it is edited; the next submit checks everything again.
  const clear = (name: FieldName) => {
    setErrors((e) => (e[name] ? { ...e, [name]: undefined } : e));
    setError(null);
  };
  const invalid = (name: FieldName, id: string) => (errors[name] ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-error` } : {});

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    setErrors({});
    let range: { start: string; end: string };
    try {
      range =
        form.kind === 'extra_shift'
          ? shiftInstants(form.date, form.start, form.end, zone)
          : { start: zonedToInstant(form.date, form.start, zone), end: zonedToInstant(form.endDate, form.end, zone) };
    } catch {
      return setError('Check the dates and times.');
    }
    // The same schema the server validates with: what passes here is what the server accepts.
    const parsed = adjustmentCreate.safeParse({
      employeeId,
      kind: form.kind,
      ...range,
      locationId: form.kind === 'extra_shift' ? locationId : undefined,
      counterpartEmployeeId: form.kind === 'swap' ? counterpart || undefined : undefined,
      reason,
    });
    if (!parsed.success) {
      const found: Partial<Record<FieldName, string>> = {};
      let other: string | null = null;
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] as FieldName | undefined;
        if (field && ['start', 'end', 'counterpartEmployeeId', 'reason'].includes(field)) found[field] ??= friendly[field] ?? asSentence(issue.message);
        else other ??= asSentence(issue.message);
      }
      setErrors(found);
      return setError(other ?? (Object.keys(found).length ? 'Check the highlighted fields.' : null));
    }
    try {
      const a = await create.mutateAsync(parsed.data);
      const who = colleagues.find((c) => c.id === a.counterpartEmployeeId)?.name;
      toast.success(
        a.kind === 'swap'
          ? `Swap request #${a.number} sent: ${who ?? 'your colleague'} accepts first, then a manager decides`
          : `Request #${a.number} sent: ${a.status === 'approved' ? 'approved' : 'a manager decides'}`,
      );
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="grid gap-4">
      <Field id="req-kind" label="Request">
        <Select id="req-kind" value={form.kind} onChange={(e) => set({ kind: e.target.value as RequestDraft['kind'] })}>
          <option value="time_off">Time off</option>
          <option value="extra_shift">An extra shift</option>
          <option value="swap">A swap with a colleague</option>
        </Select>
      </Field>
      {form.kind === 'extra_shift' ? (
        <div className="grid grid-cols-3 gap-3">
          <Field id="req-date" label="Day">
            <Input id="req-date" type="date" required value={form.date} onChange={(e) => set({ date: e.target.value })} />
          </Field>
          <Field id="req-start" label="From" error={errors.start}>
            <Input id="req-start" type="time" required value={form.start} onChange={(e) => set({ start: e.target.value })} {...invalid('start', 'req-start')} />
          </Field>
          <Field id="req-end" label="Until" hint={form.end <= form.start ? 'the next day' : undefined} error={errors.end}>
            <Input id="req-end" type="time" required value={form.end} onChange={(e) => set({ end: e.target.value })} {...invalid('end', 'req-end')} />
          </Field>
        </div>
      ) : (
        <div className="grid grid-cols-2 gap-3">
          <Field id="req-date" label="From day">
            <Input id="req-date" type="date" required value={form.date} onChange={(e) => set({ date: e.target.value })} />
          </Field>
          <Field id="req-start" label="From time" error={errors.start}>
            <Input id="req-start" type="time" required value={form.start} onChange={(e) => set({ start: e.target.value })} {...invalid('start', 'req-start')} />
          </Field>
          <Field id="req-end-date" label="Until day">
            <Input id="req-end-date" type="date" required value={form.endDate} min={form.date} onChange={(e) => set({ endDate: e.target.value })} />
          </Field>
          <Field id="req-end" label="Until time" error={errors.end}>
            <Input id="req-end" type="time" required value={form.end} onChange={(e) => set({ end: e.target.value })} {...invalid('end', 'req-end')} />
          </Field>
        </div>
      )}
      {form.kind === 'swap' && (
        <Field
          id="req-counterpart"
          label="Swap with"
          hint={
            candidates.isPending
              ? 'Loading your colleagues…'
              : candidates.isError
                ? 'Your colleagues could not be loaded; close this and try again.'
                : noColleagues
                  ? 'Nobody else works in your department or at your location yet.'
                  : 'Colleagues in your department or at your location. Your shifts and theirs starting in this window are exchanged once they accept and a manager approves.'
          }
          error={errors.counterpartEmployeeId}
        >
          <Select
            id="req-counterpart"
            value={counterpart}
            disabled={colleagues.length === 0}
            onChange={(e) => {
              setCounterpart(e.target.value);
              clear('counterpartEmployeeId');
            }}
            {...invalid('counterpartEmployeeId', 'req-counterpart')}
          >
            <option value="">Choose a colleague</option>
            {colleagues.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} · {c.departmentName}
              </option>
            ))}
          </Select>
        </Field>
      )}
      <Field id="req-reason" label="Reason" error={errors.reason}>
        <Input
          id="req-reason"
          value={reason}
          maxLength={500}
          onChange={(e) => {
            setReason(e.target.value);
            clear('reason');
          }}
          placeholder={form.kind === 'time_off' ? 'e.g. Dentist appointment' : form.kind === 'swap' ? 'e.g. School run that morning' : 'e.g. Happy to help with the backlog'}
          {...invalid('reason', 'req-reason')}
        />
      </Field>
      <FormError message={error} />
      <div className="flex justify-end gap-2">
        <Button variant="outline" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" disabled={create.isPending || noColleagues}>
          {create.isPending ? 'Sending…' : form.kind === 'swap' ? 'Ask for the swap' : 'Send request'}
        </Button>
      </div>
    </form>
  );
}

function CalendarFeed({ employeeId }: { employeeId: string }) {
  const token = useQuery(calendarTokenQuery(employeeId));
  const rotate = useRotateCalendarToken(employeeId);
  const [confirming, setConfirming] = useState(false);
  const url = token.data ? new URL(token.data.url, window.location.origin).toString() : '';
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      toast.success('Calendar link copied');
    } catch {
      toast.error('Could not copy: select the link and copy it by hand');
    }
  };
  return (
    <Card aria-labelledby="feed-heading">
      <CardHeader>
        <div>
          <CardTitle id="feed-heading" className="flex items-center gap-2">
            <Link2 aria-hidden className="size-4" /> Calendar feed
          </CardTitle>
          <CardDescription>Subscribe in Google Calendar, Outlook or Apple Calendar; it follows every change. Keep the link private.</CardDescription>
        </div>
      </CardHeader>
      <CardContent>
        {token.isPending ? (
          <LoadingState label="Loading your calendar link" rows={1} />
        ) : token.isError ? (
          <ErrorState error={token.error} onRetry={() => void token.refetch()} />
        ) : (
          <div className="grid gap-2">
            <label htmlFor="calendar-url" className="sr-only">
              Calendar feed link
            </label>
            <Input id="calendar-url" readOnly value={url} onFocus={(e) => e.currentTarget.select()} className="font-mono text-xs" data-testid="calendar-url" />
            <div className="flex gap-2">
              <Button size="sm" onClick={() => void copy()}>
                <Copy /> Copy link
              </Button>
              <Button size="sm" variant="outline" onClick={() => setConfirming(true)} disabled={rotate.isPending}>
                <RefreshCw /> New link
              </Button>
            </div>
          </div>
        )}
      </CardContent>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title="Make a new calendar link?"
        description="The current link stops working at once; calendars subscribed to it need the new one."
        confirmLabel="Make a new link"
        pending={rotate.isPending}
        onConfirm={() =>
          rotate.mutate(undefined, {
            onSuccess: () => {
              setConfirming(false);
              toast.success('New calendar link made: the old one no longer works');
            },
            onError: (err) => toast.error(errorMessage(err)),
          })
        }
      />
    </Card>
  );
}
