import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, seedSmallOrg, type TestApp } from '../../testing/test-app.ts';

/**
 * The web kiosk's outbox (web/src/features/timeclock/api/kiosk-queue.ts) against a real server: the
 * browser's storage, connectivity and same-origin fetch are the only stand-ins.
 */
// The web modules are loaded by path held in variables: they are browser code, type-checked by
// web/tsconfig.json, not by the server's (which has no DOM library).
const WEB_API = '../../../web/src/lib/api.ts';
const WEB_QUEUE = '../../../web/src/features/timeclock/api/kiosk-queue.ts';
vi.mock('@/lib/api', async () => await import(/* @vite-ignore */ WEB_API));

const storage = new Map<string, string>();
vi.stubGlobal('localStorage', {
  getItem: (k: string) => storage.get(k) ?? null,
  setItem: (k: string, v: string) => void storage.set(k, v),
  removeItem: (k: string) => void storage.delete(k),
});
vi.stubGlobal('navigator', { onLine: true });

let t: TestApp;
let org: Awaited<ReturnType<typeof seedSmallOrg>>;
interface Outcome {
  status: 'sent' | 'queued' | 'refused';
}
interface QueuedPunch {
  id: string;
  employeeId: string;
  name: string;
  kind: string;
  at: string;
  locationId: string;
  pin: string;
}
let queue: { punch(p: QueuedPunch): Promise<Outcome>; enqueue(p: QueuedPunch): QueuedPunch; flush(): Promise<Map<string, Outcome>> };
let client: { setAccessToken(token: string | null): void; onSessionEnded(handler: (reason: string) => void): void };

beforeAll(async () => {
  t = await createTestApp();
  org = await seedSmallOrg(t);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.server.address() as { port: number };
  const realFetch = globalThis.fetch;
  // The web app calls its own origin ('/api/v1/...'); a browser would resolve it against the page.
  vi.stubGlobal('fetch', (input: string, init?: RequestInit) => realFetch(`http://127.0.0.1:${port}${input}`, init));
  queue = await import(/* @vite-ignore */ WEB_QUEUE);
  client = await import(/* @vite-ignore */ WEB_API);
  expect((await t.call(t.adminToken, { method: 'PUT', url: `/api/v1/employees/${org.employee.id}/pin`, payload: { pin: '2468' } })).status).toBe(204);
});
afterAll(() => t.close());

const queued = () => JSON.parse(storage.get('workfloor.kiosk.queue') ?? '[]') as { id: string }[];
const refused = () => JSON.parse(storage.get('workfloor.kiosk.refused') ?? '[]') as { id: string; code: string }[];
const stored = async (id: string) =>
  (await t.call(t.adminToken, { method: 'GET', url: `/api/v1/clock-events?employeeId=${org.employee.id}&from=2020-01-01&to=2100-01-01` })).body.items.filter((e: any) => e.id === id).length;

describe('kiosk queue', () => {
  it('keeps a punch queued while the kiosk is signed out, and sends it once someone signs in', async () => {
    client.onSessionEnded(() => {});
    client.setAccessToken('expired-or-revoked-token'); // the server answers 401 TOKEN_INVALID; no refresh cookie here
    const id = randomUUID();
    const outcome = await queue.punch({ id, employeeId: org.employee.id, name: 'Ada Employee', kind: 'clock_in', at: new Date().toISOString(), locationId: org.location.id, pin: '2468' });
    expect(outcome.status).toBe('queued');
    expect(queued().map((q) => q.id)).toEqual([id]);
    expect(refused()).toEqual([]);
    expect(await stored(id)).toBe(0);

    client.setAccessToken(t.adminToken); // a manager signs in again on the kiosk
    const deadline = Date.now() + 10_000;
    while (queued().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(queued()).toEqual([]);
    expect(await stored(id)).toBe(1);
  });

  it('still refuses what the server refuses for the punch itself: a wrong PIN, a transition that does not fit', async () => {
    const wrongPin = queue.enqueue({ id: randomUUID(), employeeId: org.employee.id, name: 'Ada Employee', kind: 'clock_out', at: new Date().toISOString(), locationId: org.location.id, pin: '1111' });
    const badTransition = queue.enqueue({ id: randomUUID(), employeeId: org.employee.id, name: 'Ada Employee', kind: 'break_end', at: new Date().toISOString(), locationId: org.location.id, pin: '2468' });
    const outcomes = await queue.flush();
    expect(outcomes.get(wrongPin.id)?.status).toBe('refused');
    expect(outcomes.get(badTransition.id)?.status).toBe('refused');
    expect(refused().map((r) => [r.id, r.code])).toEqual([
      [wrongPin.id, 'INVALID_CREDENTIALS'],
      [badTransition.id, 'NOT_ON_BREAK'],
    ]);
    expect(queued()).toEqual([]);
  });
});
