import { useQuery } from '@tanstack/react-query';
import { Check, CheckCheck, Inbox, X } from 'lucide-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { toast } from 'sonner';
import type { Adjustment } from '@contract/schedule.ts';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Checkbox, Input } from '@/components/ui/input';
import { Kbd, PageHeader } from '@/components/ui/page';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { relativeTime } from '@/lib/format';
import { useUser } from '@/lib/session';
import { cn } from '@/lib/utils';
import { employeesQuery, useOrgLookups } from '@/features/org/api/org-queries';
import { useDecide } from '../api/schedule-mutations';
import { pendingAdjustmentsQuery, recentAdjustmentsQuery } from '../api/schedule-queries';
import { formatRange } from '../api/zoned-time';
import { AdjustmentPreview } from './adjustment-preview';
import { KindLabel, StatusBadge } from './schedule-labels';
import { toastRefusal } from './shift-dialogs';

type Tab = 'pending' | 'decided';

/** Why the signed-in person cannot approve this one (null when they can). */
function blockedReason(a: Adjustment, userId: string): string | null {
  if (a.requestedBy === userId) return 'You made this request: someone else approves it.';
  if (a.kind === 'swap' && !a.counterpartAcceptedAt) return 'Waiting for the colleague to accept the swap.';
  return null;
}

const isTyping = (el: Element | null) => !!el && (el.closest('input, textarea, select, [contenteditable="true"]') !== null || el.closest('dialog[open]') !== null);

export function ApprovalsInbox() {
  const me = useUser();
  const [tab, setTab] = useState<Tab>('pending');
  const pending = useQuery(pendingAdjustmentsQuery);
  const recent = useQuery({ ...recentAdjustmentsQuery(), enabled: tab === 'decided' });
  const lookups = useOrgLookups();
  const employees = useQuery(employeesQuery);
  const names = useMemo(() => new Map((employees.data ?? []).map((e) => [e.id, e.name])), [employees.data]);
  const items = pending.data ?? [];
  const [activeId, setActiveId] = useState<string | null>(null);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [rejecting, setRejecting] = useState<Adjustment | null>(null);
  const decide = useDecide();
  const listRef = useRef<HTMLUListElement>(null);

  // Keep a valid active request as the list changes under us (live arrivals, decisions).
  const active = items.find((a) => a.id === activeId) ?? items[0] ?? null;
  useEffect(() => {
    setChecked((c) => {
      const ids = new Set(items.map((a) => a.id));
      const next = new Set([...c].filter((id) => ids.has(id)));
      return next.size === c.size ? c : next;
    });
  }, [items]);

  const focusRow = (id: string) => requestAnimationFrame(() => listRef.current?.querySelector<HTMLElement>(`[data-request="${id}"]`)?.focus());
  const move = (delta: number) => {
    if (!items.length) return;
    const i = Math.max(0, items.findIndex((a) => a.id === active?.id));
    const next = items[Math.min(items.length - 1, Math.max(0, i + delta))]!;
    setActiveId(next.id);
    focusRow(next.id);
  };
  const after = (id: string) => {
    const i = items.findIndex((a) => a.id === id);
    return items[i + 1] ?? items[i - 1] ?? null;
  };

  const approve = async (a: Adjustment) => {
    const blocked = blockedReason(a, me.id);
    if (blocked) return toast.info(blocked);
    const next = after(a.id);
    try {
      await decide.mutateAsync({ id: a.id, verb: 'approve' });
      toast.success(`Approved #${a.number}: ${a.employeeName}`);
      if (next) {
        setActiveId(next.id);
        focusRow(next.id);
      }
    } catch (err) {
      toastRefusal(err, `Approving #${a.number}`);
    }
  };
  const reject = async (a: Adjustment, note: string) => {
    const next = after(a.id);
    try {
      await decide.mutateAsync({ id: a.id, verb: 'reject', note: note.trim() || undefined });
      toast.success(`Rejected #${a.number}: ${a.employeeName}`);
      setRejecting(null);
      if (next) {
        setActiveId(next.id);
        focusRow(next.id);
      }
    } catch (err) {
      toastRefusal(err, `Rejecting #${a.number}`);
    }
  };
  const approveChecked = async () => {
    const chosen = items.filter((a) => checked.has(a.id));
    let done = 0;
    const refused: string[] = [];
    for (const a of chosen) {
      if (blockedReason(a, me.id)) {
        refused.push(`#${a.number}: ${blockedReason(a, me.id)}`);
        continue;
      }
      try {
        await decide.mutateAsync({ id: a.id, verb: 'approve' });
        done++;
      } catch (err) {
        refused.push(`#${a.number}: ${err instanceof Error ? err.message : 'refused'}`);
      }
    }
    setChecked(new Set());
    if (done) toast.success(`Approved ${done} request${done === 1 ? '' : 's'}`);
    if (refused.length) toast.error(`${refused.length} not approved`, { description: refused.join('\n') });
  };

  useEffect(() => {
    if (tab !== 'pending') return;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(document.activeElement)) return;
      switch (e.key) {
        case 'j':
          e.preventDefault();
          move(1);
          break;
        case 'k':
          e.preventDefault();
          move(-1);
          break;
        case 'a':
          if (active && !decide.isPending) {
            e.preventDefault();
            void approve(active);
          }
          break;
        case 'r':
          if (active) {
            e.preventDefault();
            setRejecting(active);
          }
          break;
        case 'x':
          if (active) {
            e.preventDefault();
            toggle(active.id);
          }
          break;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const toggle = (id: string) =>
    setChecked((c) => {
      const next = new Set(c);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const zoneFor = (a: Adjustment) => lookups.location.get(a.locationId ?? lookups.department.get(a.departmentId)?.locationId ?? '')?.timezone ?? 'UTC';

  return (
    <>
      <PageHeader
        title="Approvals"
        description="Requests to change the schedule, with their effect shown before you decide. New requests appear as they are made."
        actions={
          <p className="flex flex-wrap items-center gap-1.5 text-xs text-muted-foreground">
            <Kbd>j</Kbd>/<Kbd>k</Kbd> move · <Kbd>a</Kbd> approve · <Kbd>r</Kbd> reject · <Kbd>x</Kbd> select
          </p>
        }
      />
      <div role="tablist" aria-label="Requests" className="mb-4 flex gap-1 border-b">
        {(
          [
            ['pending', `Pending${pending.data ? ` (${pending.data.length})` : ''}`],
            ['decided', 'Decided'],
          ] as const
        ).map(([value, label]) => (
          <button
            key={value}
            type="button"
            role="tab"
            id={`tab-${value}`}
            aria-selected={tab === value}
            aria-controls={`panel-${value}`}
            tabIndex={tab === value ? 0 : -1}
            onClick={() => setTab(value)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
                const next = tab === 'pending' ? 'decided' : 'pending';
                setTab(next);
                document.getElementById(`tab-${next}`)?.focus();
              }
            }}
            className={cn(
              '-mb-px border-b-2 px-3 py-2 text-sm font-medium',
              tab === value ? 'border-primary text-foreground' : 'border-transparent text-muted-foreground hover:text-foreground',
            )}
          >
            {label}
          </button>
        ))}
      </div>

      {tab === 'pending' ? (
        <div role="tabpanel" id="panel-pending" aria-labelledby="tab-pending">
          {pending.isPending ? (
            <Card>
              <LoadingState label="Loading requests" rows={6} />
            </Card>
          ) : pending.isError ? (
            <Card>
              <ErrorState error={pending.error} onRetry={() => void pending.refetch()} />
            </Card>
          ) : items.length === 0 ? (
            <Card>
              <EmptyState icon={<Inbox />} title="Nothing waiting for you" description="New requests from your teams appear here the moment they are made." />
            </Card>
          ) : (
            <div className="grid gap-4 lg:grid-cols-[minmax(0,24rem)_minmax(0,1fr)]">
              <Card className="overflow-hidden">
                <div className="flex items-center gap-3 border-b px-4 py-2">
                  <Checkbox
                    id="check-all"
                    aria-label="Select all pending requests"
                    checked={checked.size > 0 && checked.size === items.length}
                    ref={(el) => {
                      if (el) el.indeterminate = checked.size > 0 && checked.size < items.length;
                    }}
                    onChange={(e) => setChecked(e.target.checked ? new Set(items.map((a) => a.id)) : new Set())}
                  />
                  <span className="flex-1 text-xs text-muted-foreground">{checked.size ? `${checked.size} selected` : `${items.length} pending`}</span>
                  <Button size="sm" disabled={!checked.size || decide.isPending} onClick={() => void approveChecked()}>
                    <CheckCheck /> Approve selected
                  </Button>
                </div>
                <ul ref={listRef} aria-label="Pending requests" className="max-h-[calc(100vh-16rem)] divide-y overflow-y-auto">
                  {items.map((a) => {
                    const isActive = a.id === active?.id;
                    return (
                      <li key={a.id} className={cn('flex items-start gap-3 px-4 py-3', isActive && 'bg-accent')}>
                        <Checkbox className="mt-1" aria-label={`Select request #${a.number} from ${a.employeeName}`} checked={checked.has(a.id)} onChange={() => toggle(a.id)} />
                        <button
                          type="button"
                          data-request={a.id}
                          aria-current={isActive || undefined}
                          onClick={() => setActiveId(a.id)}
                          className="min-w-0 flex-1 rounded text-left"
                        >
                          <span className="flex items-center justify-between gap-2">
                            <span className="truncate text-sm font-medium">{a.employeeName}</span>
                            <span className="shrink-0 text-xs text-muted-foreground">#{a.number}</span>
                          </span>
                          <span className="block text-xs">
                            <KindLabel kind={a.kind} /> · <span className="tabular-nums">{formatRange(a.start, a.end, zoneFor(a))}</span>
                          </span>
                          <span className="block truncate text-xs text-muted-foreground">
                            {a.reason} · {relativeTime(a.requestedAt)}
                          </span>
                        </button>
                      </li>
                    );
                  })}
                </ul>
              </Card>
              {active && (
                <Card className="p-5" aria-labelledby="request-heading">
                  <RequestDetail
                    a={active}
                    blocked={blockedReason(active, me.id)}
                    zone={zoneFor(active)}
                    counterpart={active.counterpartEmployeeId ? (names.get(active.counterpartEmployeeId) ?? 'a colleague') : null}
                    pending={decide.isPending}
                    onApprove={() => void approve(active)}
                    onReject={() => setRejecting(active)}
                  />
                  <div className="mt-5 border-t pt-4">
                    <h3 className="mb-3 text-sm font-semibold">Before and after</h3>
                    <AdjustmentPreview id={active.id} locations={lookups.location} names={names} />
                  </div>
                </Card>
              )}
            </div>
          )}
        </div>
      ) : (
        <div role="tabpanel" id="panel-decided" aria-labelledby="tab-decided">
          <Card>
            {recent.isPending ? (
              <LoadingState label="Loading decided requests" rows={6} />
            ) : recent.isError ? (
              <ErrorState error={recent.error} onRetry={() => void recent.refetch()} />
            ) : (
              <DecidedList items={(recent.data ?? []).filter((a) => a.status !== 'pending')} zoneFor={zoneFor} />
            )}
          </Card>
        </div>
      )}

      <RejectDialog target={rejecting} pending={decide.isPending} onCancel={() => setRejecting(null)} onReject={(a, note) => void reject(a, note)} />
    </>
  );
}

function RequestDetail({
  a,
  blocked,
  zone,
  counterpart,
  pending,
  onApprove,
  onReject,
}: {
  a: Adjustment;
  blocked: string | null;
  zone: string;
  counterpart: string | null;
  pending: boolean;
  onApprove: () => void;
  onReject: () => void;
}) {
  return (
    <div className="grid gap-3">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id="request-heading" className="text-base font-semibold">
            #{a.number} · {a.employeeName}
          </h2>
          <p className="text-sm">
            <KindLabel kind={a.kind} />
            {counterpart && <> with {counterpart}</>} · <span className="tabular-nums">{formatRange(a.start, a.end, zone)}</span>{' '}
            <span className="text-muted-foreground">({zone})</span>
          </p>
        </div>
        <div className="flex gap-2">
          <Button variant="outline" onClick={onReject} disabled={pending} aria-keyshortcuts="r">
            <X /> Reject
          </Button>
          <Button onClick={onApprove} disabled={pending || blocked !== null} aria-keyshortcuts="a">
            <Check /> Approve
          </Button>
        </div>
      </div>
      <p className="rounded-md bg-muted/60 px-3 py-2 text-sm">“{a.reason}”</p>
      <p className="text-xs text-muted-foreground">
        Requested by {a.requestedByName ?? 'someone'} {relativeTime(a.requestedAt)}
        {a.kind === 'swap' && (a.counterpartAcceptedAt ? ` · accepted by ${counterpart} ${relativeTime(a.counterpartAcceptedAt)}` : '')}
      </p>
      {blocked && <p className="text-sm text-warning">{blocked}</p>}
    </div>
  );
}

function DecidedList({ items, zoneFor }: { items: Adjustment[]; zoneFor: (a: Adjustment) => string }) {
  if (!items.length) return <EmptyState icon={<Inbox />} title="No decided requests yet" />;
  return (
    <ul aria-label="Decided requests" className="divide-y">
      {items.map((a) => (
        <li key={a.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-3 text-sm">
          <span className="w-12 text-xs text-muted-foreground">#{a.number}</span>
          <span className="min-w-40 flex-1 font-medium">{a.employeeName}</span>
          <span className="w-32">
            <KindLabel kind={a.kind} />
          </span>
          <span className="min-w-56 text-xs tabular-nums">{formatRange(a.start, a.end, zoneFor(a))}</span>
          <StatusBadge status={a.status} />
          <span className="min-w-48 text-xs text-muted-foreground">
            {a.decidedByName ? `by ${a.decidedByName}` : ''} {a.decidedAt ? relativeTime(a.decidedAt) : ''}
            {a.decisionNote ? ` · “${a.decisionNote}”` : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}

function RejectDialog({ target, pending, onCancel, onReject }: { target: Adjustment | null; pending: boolean; onCancel: () => void; onReject: (a: Adjustment, note: string) => void }) {
  const [note, setNote] = useState('');
  useEffect(() => setNote(''), [target?.id]);
  return (
    <Dialog
      open={target !== null}
      onOpenChange={(open) => !open && onCancel()}
      title={target ? `Reject #${target.number} from ${target.employeeName}?` : 'Reject'}
      description="The requester sees your note."
    >
      {target && (
        <form
          className="grid gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            onReject(target, note);
          }}
        >
          <Field id="reject-note" label="Note (optional)">
            <Input id="reject-note" value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} placeholder="e.g. We are short-staffed that week" />
          </Field>
          <div className="flex justify-end gap-2">
            <Button variant="outline" onClick={onCancel}>
              Cancel
            </Button>
            <Button type="submit" variant="destructive" disabled={pending}>
              Reject
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
