import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { CheckCircle2, CloudOff, Delete, LogOut, MapPin, Search, Wifi, X } from 'lucide-react';
import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { Button, buttonVariants } from '@/components/ui/button';
import { LocalClock } from '@/components/ui/local-clock';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { ApiError, errorMessage } from '@/lib/api';
import { formatTime, zoneLabel } from '@/lib/format';
import { cn } from '@/lib/utils';
import { dismissRefused, punch, startKioskQueue, useKioskQueue, type QueuedPunch, type SendOutcome } from '../api/kiosk-queue';
import { kioskRosterQuery, kioskSearchQuery, newPunchId, timeclockKeys, type KioskPerson, type PunchKind } from '../api/timeclock-queries';
import { PUNCH_DONE, PUNCH_LABEL } from './clock-format';
import { useFloorLocations } from './location-picker';

const RETURN_AFTER_S = 6;

/** What a person can do next, given the punches of theirs still waiting in this kiosk's queue. */
function afterQueued(person: KioskPerson, queue: QueuedPunch[]): PunchKind {
  const last = queue.filter((q) => q.employeeId === person.employeeId).at(-1);
  if (!last) return person.nextAction;
  return last.kind === 'clock_out' ? 'clock_in' : last.kind === 'break_start' ? 'break_end' : 'clock_out';
}

export function KioskPage({ locationId }: { locationId: string | undefined }) {
  const org = useFloorLocations();
  const location = locationId ? org.location.get(locationId) : undefined;
  useEffect(() => startKioskQueue(), []);

  return (
    <div className="flex min-h-screen flex-col bg-background text-foreground">
      <KioskHeader name={location?.name} zone={location?.timezone} locationId={locationId} />
      <main id="main" tabIndex={-1} className="mx-auto flex w-full max-w-5xl flex-1 flex-col px-4 py-6 outline-none sm:px-8">
        {org.isPending ? (
          <LoadingState label="Loading the kiosk" rows={4} />
        ) : org.error ? (
          <ErrorState error={org.error} onRetry={org.refetch} />
        ) : !location ? (
          <ChooseLocation />
        ) : (
          <Terminal key={location.id} locationId={location.id} zone={location.timezone} />
        )}
      </main>
      <RefusedPunches zone={location?.timezone} />
    </div>
  );
}

function KioskHeader({ name, zone, locationId }: { name?: string; zone?: string; locationId?: string }) {
  const { queue, online, sending, needsSignIn } = useKioskQueue();
  return (
    <header className="flex flex-wrap items-center gap-x-4 gap-y-2 border-b bg-card px-4 py-3 sm:px-8">
      <div className="flex items-center gap-3">
        <img src="/favicon.svg" alt="" className="size-8" />
        <div>
          <p className="text-lg font-semibold leading-tight">{name ?? 'Workfloor kiosk'}</p>
          {zone && <LocalClock zone={zone} className="text-sm" />}
        </div>
      </div>
      <div className="ml-auto flex flex-wrap items-center gap-3">
        <p role="status" aria-live="polite" data-testid="kiosk-queue" data-count={queue.length} data-online={online} className="flex items-center gap-3 text-sm">
          {online ? (
            <span className="flex items-center gap-1.5 rounded-full border border-success/40 bg-success/10 px-3 py-1 font-medium text-success">
              <Wifi aria-hidden className="size-4" /> Online
            </span>
          ) : (
            <span className="flex items-center gap-1.5 rounded-full border border-warning/40 bg-warning/10 px-3 py-1 font-medium text-warning">
              <CloudOff aria-hidden className="size-4" /> Offline
            </span>
          )}
          {queue.length > 0 ? (
            <span className="font-medium">
              {queue.length} {queue.length === 1 ? 'punch' : 'punches'} waiting to send
              {needsSignIn ? ' · kept until a manager signs in again' : sending && online ? ' · sending…' : ''}
            </span>
          ) : (
            <span className="text-muted-foreground">All punches sent</span>
          )}
        </p>
        <Link to="/live" search={locationId ? { locationId } : {}} className={buttonVariants({ variant: 'ghost', size: 'sm' })}>
          <LogOut aria-hidden /> Exit kiosk
        </Link>
      </div>
    </header>
  );
}

function ChooseLocation() {
  const org = useFloorLocations();
  return (
    <div className="grid gap-6">
      <h1 className="text-3xl font-semibold tracking-tight">Which location is this kiosk at?</h1>
      {org.floorLocations.length === 0 ? (
        <EmptyState title="No location in your scope" />
      ) : (
        <ul className="grid gap-3 sm:grid-cols-2">
          {org.floorLocations.map((l) => (
            <li key={l.id}>
              <Link to="/kiosk" search={{ locationId: l.id }} className="flex min-h-20 items-center gap-3 rounded-xl border bg-card px-6 text-xl font-medium shadow-xs hover:bg-accent focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring">
                <MapPin aria-hidden className="size-6 text-muted-foreground" /> {l.name}
                <span className="ml-auto text-sm font-normal text-muted-foreground">{zoneLabel(l.timezone)}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

type Step = { step: 'find' } | { step: 'pin'; person: KioskPerson } | { step: 'done'; person: KioskPerson; outcome: SendOutcome };

function Terminal({ locationId, zone }: { locationId: string; zone: string }) {
  const [step, setStep] = useState<Step>({ step: 'find' });
  const client = useQueryClient();
  const reset = () => {
    setStep({ step: 'find' });
    if (navigator.onLine) void client.invalidateQueries({ queryKey: timeclockKeys.kioskRoster(locationId) });
  };
  if (step.step === 'pin') return <PinStep person={step.person} locationId={locationId} onCancel={reset} onDone={(outcome) => setStep({ step: 'done', person: step.person, outcome })} />;
  if (step.step === 'done') return <DoneStep person={step.person} outcome={step.outcome} zone={zone} onDone={reset} />;
  return <FindStep locationId={locationId} onPick={(person) => setStep({ step: 'pin', person })} />;
}

function useDebounced<T>(value: T, ms: number) {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

function FindStep({ locationId, onPick }: { locationId: string; onPick: (p: KioskPerson) => void }) {
  const id = useId();
  const { queue, online } = useKioskQueue();
  const [text, setText] = useState('');
  const q = useDebounced(text.trim(), 200);
  const roster = useQuery(kioskRosterQuery(locationId));
  const remote = useQuery({ ...kioskSearchQuery(locationId, q), enabled: online && q.length > 0 });

  // Offline (or the server unreachable), the kiosk searches the roster it loaded while online.
  const local = !online || remote.isError;
  const results = useMemo(() => {
    if (!q) return [];
    if (!local) return remote.data;
    const needle = q.toLowerCase();
    return roster.data?.filter((p) => p.name.toLowerCase().includes(needle) || p.badge === q).slice(0, 24);
  }, [q, local, remote.data, roster.data]);

  return (
    <div className="grid gap-6">
      <div className="grid gap-2">
        <h1 className="text-3xl font-semibold tracking-tight sm:text-4xl">Clock in or out</h1>
        <p className="text-lg text-muted-foreground">Find yourself by name or badge number, then confirm with your PIN.</p>
      </div>
      <div className="relative">
        <label htmlFor={id} className="sr-only">
          Your name or badge number
        </label>
        <Search aria-hidden className="pointer-events-none absolute left-5 top-1/2 size-7 -translate-y-1/2 text-muted-foreground" />
        <input
          id={id}
          autoFocus
          autoComplete="off"
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="Your name or badge number"
          className="h-20 w-full rounded-2xl border border-input bg-card pl-16 pr-16 text-2xl shadow-xs placeholder:text-muted-foreground focus-visible:outline-3 focus-visible:outline-offset-0 focus-visible:outline-ring"
        />
        {text && (
          <button type="button" aria-label="Clear" onClick={() => setText('')} className="absolute right-3 top-1/2 grid size-14 -translate-y-1/2 cursor-pointer place-items-center rounded-xl text-muted-foreground hover:bg-accent">
            <X aria-hidden className="size-7" />
          </button>
        )}
      </div>
      {!q ? (
        <p className="text-center text-lg text-muted-foreground">{roster.isPending && online ? 'Getting ready…' : 'Start typing to find yourself.'}</p>
      ) : (local ? roster.isPending : remote.isPending) ? (
        <LoadingState label="Searching" rows={3} />
      ) : local && roster.isError ? (
        <ErrorState title="Cannot search while offline" error={roster.error} />
      ) : !results || results.length === 0 ? (
        <EmptyState title={`Nobody found for “${q}”`} description="Check the spelling, or try your badge number." />
      ) : (
        <ul aria-label="People found" className="grid gap-3 sm:grid-cols-2">
          {results.map((p) => {
            const next = afterQueued(p, queue);
            return (
              <li key={p.employeeId}>
                <button
                  type="button"
                  onClick={() => onPick({ ...p, nextAction: next })}
                  className="flex min-h-24 w-full cursor-pointer items-center gap-4 rounded-2xl border bg-card px-6 py-4 text-left shadow-xs transition-colors hover:bg-accent focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-ring"
                >
                  <span className="min-w-0 flex-1">
                    <span className="block truncate text-2xl font-semibold">{p.name}</span>
                    {p.badge && <span className="block text-base text-muted-foreground">Badge {p.badge}</span>}
                  </span>
                  <span className="rounded-full bg-primary/12 px-3 py-1 text-base font-medium text-primary">{PUNCH_LABEL[next]}</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {local && q && <p className="text-center text-sm text-muted-foreground">Offline: searching the list loaded earlier.</p>}
    </div>
  );
}

function PinStep({ person, locationId, onCancel, onDone }: { person: KioskPerson; locationId: string; onCancel: () => void; onDone: (o: SendOutcome) => void }) {
  const id = useId();
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<PunchKind | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const valid = /^\d{4,8}$/.test(pin);
  const actions: PunchKind[] = person.nextAction === 'clock_out' ? ['clock_out', 'break_start'] : [person.nextAction];

  useEffect(() => input.current?.focus(), []);

  const press = (digit: string) => {
    setError(null);
    setPin((p) => (p.length < 8 ? p + digit : p));
    input.current?.focus();
  };

  const submit = async (kind: PunchKind) => {
    if (!valid || busy) return;
    setBusy(kind);
    setError(null);
    const outcome = await punch({ id: newPunchId(), employeeId: person.employeeId, name: person.name, kind, at: new Date().toISOString(), locationId, pin });
    setBusy(null);
    if (outcome.status === 'refused') {
      const e = outcome.error;
      setError(e instanceof ApiError && e.code === 'INVALID_CREDENTIALS' ? `${e.message}. Try again.` : errorMessage(e));
      setPin('');
      input.current?.focus();
      return;
    }
    onDone(outcome);
  };

  return (
    <form
      className="grid gap-8 md:grid-cols-[minmax(0,26rem)_auto] md:items-start md:justify-center md:gap-20"
      onSubmit={(e) => {
        e.preventDefault();
        void submit(actions[0]!);
      }}
    >
      <div className="grid content-start gap-6">
        <div>
          <p className="text-lg text-muted-foreground">Hello,</p>
          <h1 className="text-4xl font-semibold tracking-tight">{person.name}</h1>
        </div>
        <div className="grid gap-2">
          <label htmlFor={id} className="text-lg font-medium">
            Enter your PIN
          </label>
          <input
            ref={input}
            id={id}
            type="password"
            inputMode="numeric"
            autoComplete="off"
            maxLength={8}
            value={pin}
            onChange={(e) => {
              setError(null);
              setPin(e.target.value.replace(/\D/g, '').slice(0, 8));
            }}
            aria-invalid={!!error || undefined}
            aria-describedby={error ? `${id}-error` : undefined}
            className="h-20 w-full max-w-sm rounded-2xl border border-input bg-card px-6 text-center font-mono text-4xl tracking-[0.5em] shadow-xs focus-visible:outline-3 focus-visible:outline-offset-0 focus-visible:outline-ring aria-invalid:border-destructive"
          />
          {error && (
            <p id={`${id}-error`} role="alert" className="text-lg font-medium text-destructive">
              {error}
            </p>
          )}
        </div>
        <div className="grid max-w-sm gap-3">
          {actions.map((kind, i) => (
            <Button
              key={kind}
              type={i === 0 ? 'submit' : 'button'}
              variant={i === 0 ? 'default' : 'outline'}
              disabled={!valid || busy !== null}
              onClick={i === 0 ? undefined : () => void submit(kind)}
              className={cn('rounded-2xl text-2xl font-semibold [&_svg]:size-7', i === 0 ? 'h-24' : 'h-16 text-xl')}
            >
              {busy === kind ? 'Sending…' : PUNCH_LABEL[kind]}
            </Button>
          ))}
          <Button variant="ghost" className="h-14 rounded-2xl text-lg" onClick={onCancel}>
            Not you? Back
          </Button>
        </div>
      </div>
      <div role="group" aria-label="PIN pad" className="grid w-full max-w-sm grid-cols-3 gap-3 justify-self-center md:w-80">
        {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => (
          <PadKey key={d} label={d} onClick={() => press(d)} />
        ))}
        <PadKey label="Clear" onClick={() => setPin('')} className="text-lg">
          Clear
        </PadKey>
        <PadKey label="0" onClick={() => press('0')} />
        <PadKey label="Delete last digit" onClick={() => setPin((p) => p.slice(0, -1))}>
          <Delete aria-hidden className="size-8" />
        </PadKey>
      </div>
    </form>
  );
}

function PadKey({ label, onClick, children, className }: { label: string; onClick: () => void; children?: ReactNode; className?: string }) {
  return (
    <button
      type="button"
      aria-label={label}
      onClick={onClick}
      className={cn(
        'grid h-20 cursor-pointer place-items-center rounded-2xl border bg-card text-3xl font-semibold shadow-xs transition-colors hover:bg-accent active:bg-accent focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-ring',
        className,
      )}
    >
      {children ?? label}
    </button>
  );
}

function DoneStep({ person, outcome, zone, onDone }: { person: KioskPerson; outcome: SendOutcome; zone: string; onDone: () => void }) {
  const [left, setLeft] = useState(RETURN_AFTER_S);
  const { queue } = useKioskQueue();
  const done = useRef<HTMLButtonElement>(null);
  useEffect(() => done.current?.focus(), []);
  useEffect(() => {
    if (left <= 0) {
      onDone();
      return;
    }
    const t = setTimeout(() => setLeft((n) => n - 1), 1000);
    return () => clearTimeout(t);
  }, [left, onDone]);

  const queued = outcome.status === 'queued';
  const p = outcome.punch;
  const stillQueued = queued && queue.some((q) => q.id === p.id);
  return (
    <div className="grid flex-1 place-items-center py-8 text-center" data-testid="kiosk-done" data-outcome={stillQueued ? 'queued' : 'sent'}>
      <div className="grid max-w-xl justify-items-center gap-5">
        {stillQueued ? <CloudOff aria-hidden className="size-24 text-warning" /> : <CheckCircle2 aria-hidden className="size-24 text-success" />}
        <h1 className="text-4xl font-semibold tracking-tight" role="status">
          {PUNCH_DONE[p.kind]}
          {stillQueued ? ' (saved on this kiosk)' : ''}
        </h1>
        <p className="text-2xl">
          {person.name} at <time dateTime={p.at}>{formatTime(p.at, zone)}</time> <span className="text-base text-muted-foreground">{zoneLabel(zone)}</span>
        </p>
        {stillQueued && (
          <p className="rounded-xl border border-warning/40 bg-warning/10 px-5 py-3 text-lg">
            No connection right now. Your punch is queued with its time and will be sent automatically when the network is back; the PIN is checked then. Nothing more to do.
          </p>
        )}
        {queued && !stillQueued && <p className="text-lg text-success">The connection is back: sent.</p>}
        <Button ref={done} className="mt-2 h-16 min-w-48 rounded-2xl text-xl" onClick={onDone}>
          Done
        </Button>
        <p className="text-muted-foreground" aria-live="off">
          Back to the start in {left} s
        </p>
      </div>
    </div>
  );
}

function RefusedPunches({ zone }: { zone?: string }) {
  const { refused } = useKioskQueue();
  if (!refused.length) return null;
  return (
    <section aria-labelledby="refused-title" className="border-t bg-destructive/5 px-4 py-3 sm:px-8">
      <h2 id="refused-title" className="text-sm font-semibold text-destructive">
        Not recorded: sent after the connection returned, but refused. A manager should add these as corrections.
      </h2>
      <ul className="mt-2 grid gap-1 text-sm">
        {refused.map((r) => (
          <li key={r.id} className="flex flex-wrap items-center gap-2">
            <span className="font-medium">{r.name}</span>
            <span>
              {PUNCH_LABEL[r.kind]} at {formatTime(r.at, zone)}
            </span>
            <span className="text-muted-foreground">: {r.message}</span>
            <Button variant="ghost" size="sm" onClick={() => dismissRefused(r.id)} aria-label={`Dismiss the refused punch of ${r.name}`}>
              Dismiss
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
}
