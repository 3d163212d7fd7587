import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { DemoEmployee } from './demo-db.ts';

/**
 * Posts punches to Workfloor over plain keep-alive HTTP (node:http, one agent per simulated client),
 * keeping every punch valid: each employee alternates clock-in and clock-out from the state they are
 * in, and never has two punches in flight.
 */
export interface PunchResult {
  status: number;
  /** performance.now() when the request was sent and when its response had been read. */
  sentAt: number;
  returnedAt: number;
  id: string;
  body: string;
}

export function createPuncher(baseUrl: string, token: string, maxSockets = 1) {
  const url = new URL('/api/v1/clock-events', baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  function post(body: string, id: string): Promise<PunchResult> {
    return new Promise((resolve, reject) => {
      const sentAt = performance.now();
      const req = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, sentAt, returnedAt: performance.now(), id, body: text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
  return {
    /** Punches the next valid kind for `employee` (and flips its state when accepted). */
    async punch(employee: DemoEmployee): Promise<PunchResult> {
      const id = randomUUID();
      const kind = employee.open ? 'clock_out' : 'clock_in';
      const result = await post(JSON.stringify({ id, employeeId: employee.id, kind }), id);
      if (result.status === 201) employee.open = !employee.open;
      return result;
    },
    close: () => agent.destroy(),
  };
}

/**
 * Round-robin over employees, skipping one whose previous punch is still in flight: an open-loop
 * poster (fixed rate) uses it so that one person never has two punches racing.
 */
export function employeeRotation(employees: DemoEmployee[]) {
  const busy = new Set<string>();
  let next = 0;
  return {
    take(): DemoEmployee | undefined {
      for (let i = 0; i < employees.length; i++) {
        const e = employees[(next + i) % employees.length]!;
        if (!busy.has(e.id)) {
          next = (next + i + 1) % employees.length;
          busy.add(e.id);
          return e;
        }
      }
      return undefined;
    },
    release(e: DemoEmployee) {
      busy.delete(e.id);
    },
  };
}

/**
 * Fires `punch` at a fixed rate for `seconds` (open loop: it does not wait for answers, as independent
 * devices would not). Answers every result; a punch that is not 201 fails the run.
 */
export async function punchAtRate(
  poster: ReturnType<typeof createPuncher>,
  employees: DemoEmployee[],
  perSecond: number,
  seconds: number,
  onResult?: (r: PunchResult, employee: DemoEmployee) => void,
): Promise<{ results: PunchResult[]; skipped: number; errors: string[] }> {
  const rotation = employeeRotation(employees);
  const results: PunchResult[] = [];
  const errors: string[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let skipped = 0;
  const total = Math.round(perSecond * seconds);
  const interval = 1000 / perSecond;
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    // Sleep to the i-th slot (catching up if the loop fell behind, never sending in a burst of more than one slot).
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const employee = rotation.take();
    if (!employee) {
      skipped++;
      continue;
    }
    const p = poster
      .punch(employee)
      .then((r) => {
        if (r.status !== 201) errors.push(`${r.status} ${r.body.slice(0, 200)}`);
        results.push(r);
        onResult?.(r, employee);
      })
      .catch((err: unknown) => errors.push(String(err)))
      .finally(() => {
        rotation.release(employee);
        inFlight.delete(p);
      });
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  return { results, skipped, errors };
}
