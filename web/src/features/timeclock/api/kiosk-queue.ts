import { useSyncExternalStore } from 'react';
import { api, ApiError, onAccessToken } from '@/lib/api';
import type { ClockEvent, PunchKind } from './timeclock-queries';

/**
 * The kiosk's outbox. Every punch is written here first, with the id and the time it was made on
 * this device, and removed only once the server has answered for it. Sending is strictly in order
 * and one at a time; the server is idempotent by id (a replay answers 200 with the stored punch),
 * so a punch whose answer was lost on the way is simply sent again and never stored twice.
 *
 * The PIN travels with the punch because only the server can check it. It stays in this browser's
 * localStorage only until the punch is sent or refused.
 *
 * Only the server's verdict on the punch itself refuses it (a wrong PIN, a transition that does not
 * fit, too late). When the kiosk's own session has ended (its manager's token expired and could not
 * be renewed), nothing is wrong with the punches: they stay queued and sending pauses until someone
 * signs in again on this device.
 */
export interface QueuedPunch {
  id: string;
  employeeId: string;
  name: string;
  kind: PunchKind;
  /** When the button was pressed, as an ISO instant: the punch's time, however late it is sent. */
  at: string;
  locationId: string;
  pin: string;
  attempts: number;
}

export interface RefusedPunch extends Omit<QueuedPunch, 'pin'> {
  code: string;
  message: string;
}

export type SendOutcome =
  | { status: 'sent'; punch: QueuedPunch; event: ClockEvent | null }
  | { status: 'queued'; punch: QueuedPunch }
  | { status: 'refused'; punch: QueuedPunch; error: ApiError };

interface State {
  queue: QueuedPunch[];
  refused: RefusedPunch[];
  sending: boolean;
  online: boolean;
  lastError: string | null;
  /** The kiosk's session ended while sending: punches wait for someone to sign in. */
  needsSignIn: boolean;
}

const QUEUE_KEY = 'workfloor.kiosk.queue';
const REFUSED_KEY = 'workfloor.kiosk.refused';

function load<T>(key: string): T[] {
  try {
    const raw = localStorage.getItem(key);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? (parsed as T[]) : [];
  } catch {
    return [];
  }
}

let state: State = {
  queue: typeof localStorage === 'undefined' ? [] : load<QueuedPunch>(QUEUE_KEY),
  refused: typeof localStorage === 'undefined' ? [] : load<RefusedPunch>(REFUSED_KEY),
  sending: false,
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  lastError: null,
  needsSignIn: false,
};
const listeners = new Set<() => void>();

function set(patch: Partial<State>) {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

function persist(queue: QueuedPunch[], refused = state.refused) {
  localStorage.setItem(QUEUE_KEY, JSON.stringify(queue));
  localStorage.setItem(REFUSED_KEY, JSON.stringify(refused.slice(-50)));
  set({ queue, refused });
}

/** Re-reads storage: another tab of the kiosk may have sent or added punches. */
function reload() {
  set({ queue: load<QueuedPunch>(QUEUE_KEY), refused: load<RefusedPunch>(REFUSED_KEY) });
}

export function enqueue(punch: Omit<QueuedPunch, 'attempts'>): QueuedPunch {
  reload();
  const queued = { ...punch, attempts: 0 };
  persist([...state.queue, queued]);
  return queued;
}

export function dismissRefused(id: string) {
  reload();
  persist(state.queue, state.refused.filter((r) => r.id !== id));
}

/** A network failure, or a server that cannot answer right now: keep the punch and try later. */
function retryable(err: unknown) {
  if (!(err instanceof ApiError)) return true; // fetch itself failed: offline, DNS, connection reset
  return err.status === 0 || err.status >= 500 || err.status === 429 || err.status === 408;
}

/** Codes of contract/errors.ts that are about the kiosk's session, not about the punch. */
const SESSION_CODES = new Set(['UNAUTHENTICATED', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_REUSED']);

/**
 * The kiosk is not signed in any more. A 401 is also how the server answers a wrong PIN
 * (INVALID_CREDENTIALS): that one is about the punch and refuses it.
 */
export function isSessionError(err: unknown): boolean {
  if (!(err instanceof ApiError) || err.status !== 401) return false;
  return SESSION_CODES.has(err.code) || err.code === 'HTTP_ERROR';
}

function send(p: QueuedPunch) {
  return api<ClockEvent>('/kiosk/punch', {
    method: 'POST',
    body: { id: p.id, employeeId: p.employeeId, kind: p.kind, at: p.at, locationId: p.locationId, pin: p.pin },
  });
}

let flushing: Promise<Map<string, SendOutcome>> | null = null;

async function drain(): Promise<Map<string, SendOutcome>> {
  const outcomes = new Map<string, SendOutcome>();
  set({ sending: true });
  try {
    for (;;) {
      reload();
      const head = state.queue[0];
      if (!head) break;
      if (state.needsSignIn) {
        outcomes.set(head.id, { status: 'queued', punch: head });
        break;
      }
      if (typeof navigator !== 'undefined' && !navigator.onLine) {
        outcomes.set(head.id, { status: 'queued', punch: head });
        break;
      }
      try {
        const event = await send(head);
        reload();
        persist(state.queue.filter((q) => q.id !== head.id));
        outcomes.set(head.id, { status: 'sent', punch: head, event });
        set({ lastError: null });
      } catch (err) {
        reload();
        if (isSessionError(err)) {
          // Kept as it is, in order: sent as soon as someone signs in again (see onAccessToken below).
          outcomes.set(head.id, { status: 'queued', punch: head });
          set({ needsSignIn: true, lastError: 'Signed out: the punches waiting here are sent once a manager signs in again' });
          break;
        }
        if (retryable(err)) {
          persist(state.queue.map((q) => (q.id === head.id ? { ...q, attempts: q.attempts + 1 } : q)));
          outcomes.set(head.id, { status: 'queued', punch: head });
          set({ lastError: err instanceof Error ? err.message : 'Network error' });
          break;
        }
        // Refused for good (wrong PIN, not a valid transition, too late): it can never be sent, so it
        // leaves the queue and is listed for a manager instead of blocking everyone behind it.
        const error = err as ApiError;
        const { pin: _pin, ...rest } = head;
        persist(
          state.queue.filter((q) => q.id !== head.id),
          [...state.refused, { ...rest, code: error.code, message: error.message }],
        );
        outcomes.set(head.id, { status: 'refused', punch: head, error });
      }
    }
  } finally {
    set({ sending: false });
  }
  return outcomes;
}

/** Sends what is queued, in order; one drain at a time, across tabs too (Web Lock). */
export function flush(): Promise<Map<string, SendOutcome>> {
  flushing ??= (async () => {
    try {
      if (typeof navigator !== 'undefined' && navigator.locks) return await navigator.locks.request('workfloor-kiosk-queue', drain);
      return await drain();
    } finally {
      flushing = null;
    }
  })();
  return flushing;
}

/**
 * Sends one freshly made punch: it is queued first (so a crash or a lost answer cannot lose it), then
 * the queue is drained. A punch refused at once (wrong PIN) is not kept among the refused ones: the
 * person is still at the kiosk and sees the reason.
 */
export async function punch(p: Omit<QueuedPunch, 'attempts'>): Promise<SendOutcome> {
  const queued = enqueue(p);
  if (!navigator.onLine) return { status: 'queued', punch: queued };
  // A drain already running re-reads the queue before each send, so it may send this punch too.
  const running = flushing;
  let outcome = running ? (await running).get(queued.id) : undefined;
  outcome ??= (await flush()).get(queued.id);
  if (!outcome) {
    // Sent by another tab of the kiosk meanwhile, or still waiting behind a punch that cannot go yet.
    reload();
    outcome = state.queue.some((q) => q.id === queued.id) ? { status: 'queued', punch: queued } : { status: 'sent', punch: queued, event: null };
  }
  if (outcome.status === 'refused') persist(state.queue, state.refused.filter((r) => r.id !== queued.id));
  return outcome;
}

// A new access token (someone signed in again, or a refresh elsewhere): resume a queue paused for it.
onAccessToken((token) => {
  if (!token || !state.needsSignIn) return;
  set({ needsSignIn: false, lastError: null });
  if (state.queue.length) void flush();
});

let started = 0;
let retryTimer: ReturnType<typeof setInterval> | null = null;
const onOnline = () => {
  set({ online: true });
  void flush();
};
const onOffline = () => set({ online: false });
const onStorage = (e: StorageEvent) => {
  if (e.key === QUEUE_KEY || e.key === REFUSED_KEY) reload();
};

/** Starts watching the connection while a kiosk is open: sends on `online`, and retries every few seconds while anything waits. */
export function startKioskQueue() {
  if (started++ === 0) {
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    window.addEventListener('storage', onStorage);
    set({ online: navigator.onLine });
    // navigator.onLine can say "online" while requests still fail (captive portal, server down):
    // a retry timer covers that. It only sends queued punches; it never polls for data.
    retryTimer = setInterval(() => {
      if (state.queue.length && !state.sending && !state.needsSignIn && navigator.onLine) void flush();
    }, 5_000);
    if (state.queue.length && navigator.onLine) void flush();
  }
  return () => {
    if (--started === 0) {
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      window.removeEventListener('storage', onStorage);
      if (retryTimer) clearInterval(retryTimer);
      retryTimer = null;
    }
  };
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => void listeners.delete(l);
};
const snapshot = () => state;

export function useKioskQueue(): State {
  return useSyncExternalStore(subscribe, snapshot);
}
