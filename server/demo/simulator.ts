import type { Logger } from 'pino';
import pino from 'pino';
import type { Workfloor } from '../app.ts';
import { resolveDemoActors, type DemoActors } from './demo-actors.ts';
import { floorActivity } from './floor.behaviour.ts';
import { orgChurn } from './org.behaviour.ts';
import { createRng, type Rng } from './rng.ts';

/**
 * The live simulator: keeps the demo organisation moving while the server runs, through the same
 * services people use, so every change shows in the log, the audit trail and on every open screen.
 *
 * It is a list of behaviours, each on its own random timer. Runs never overlap (one queue), an error
 * is logged and the next run goes ahead, and stopping waits for the run in flight.
 */

export interface SimContext {
  wf: Workfloor;
  rng: Rng;
  log: Logger;
  /** The demo's admin and managers as principals, resolved fresh for every run. */
  actors: DemoActors;
}

/** What a run did, for the log and for tests. */
export interface SimOutcome {
  action: string;
  summary: string;
  entityIds: string[];
}

export interface SimBehaviour {
  name: string;
  /** Each run is scheduled this many milliseconds after the previous one ends (uniform in the range). */
  everyMs: readonly [number, number];
  /** Does one thing; answers undefined when there was nothing to do this time. */
  run(ctx: SimContext): Promise<SimOutcome | undefined>;
}

/** Later capabilities append theirs here (clock-ins near shift starts, breaks, activity...). */
export const simulatorBehaviours: readonly SimBehaviour[] = [orgChurn, floorActivity];

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  // unref: a pending simulator step never keeps the process alive on its own.
  set: (fn, ms) => setTimeout(fn, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface SimulatorOptions {
  /** Defaults to the start time, so each run of the server tells a slightly different story. */
  seed?: number;
  behaviours?: readonly SimBehaviour[];
  timers?: Timers;
}

/** Starts the behaviours' timers; the answer stops them and resolves once any run in flight ended. */
export function startSimulator(wf: Workfloor, log: Logger, options: SimulatorOptions = {}): () => Promise<void> {
  const simLog = log.child({ module: 'simulator' });
  const timers = options.timers ?? realTimers;
  const rng = createRng(options.seed ?? Date.now() % 2 ** 32);
  const handles = new Set<unknown>();
  let queue: Promise<void> = Promise.resolve();
  let stopped = false;
  let idle = false;

  async function runOnce(behaviour: SimBehaviour, behaviourRng: Rng) {
    if (stopped || idle) return;
    try {
      const actors = await resolveDemoActors(wf);
      if (!actors) {
        // Never move a real organisation: without the demo's admin the simulator stays idle.
        idle = true;
        simLog.info('no demo organisation in this database; the simulator stays idle');
        return;
      }
      const outcome = await behaviour.run({ wf, rng: behaviourRng, log: simLog, actors });
      if (outcome) simLog.info({ behaviour: behaviour.name, action: outcome.action, entityIds: outcome.entityIds }, outcome.summary);
    } catch (err) {
      simLog.warn({ behaviour: behaviour.name, err }, 'simulator step failed; carrying on');
    }
  }

  function schedule(behaviour: SimBehaviour, behaviourRng: Rng, first: boolean) {
    if (stopped || idle) return;
    const [min, max] = behaviour.everyMs;
    // The first run comes sooner, so someone who just opened the app sees movement quickly.
    const delay = first ? behaviourRng.int(Math.floor(min / 4), min) : behaviourRng.int(min, max);
    const handle = timers.set(() => {
      handles.delete(handle);
      queue = queue.then(() => runOnce(behaviour, behaviourRng));
      void queue.then(() => schedule(behaviour, behaviourRng, false));
    }, delay);
    handles.add(handle);
  }

  for (const behaviour of options.behaviours ?? simulatorBehaviours) schedule(behaviour, rng.fork(behaviour.name), true);
  simLog.debug('simulator started');

  return async () => {
    stopped = true;
    for (const handle of handles) timers.clear(handle);
    handles.clear();
    await queue;
  };
}

/**
 * One run of a behaviour (the organisation's churn unless told otherwise), outside any timer: for
 * tests and scripts. Answers undefined when the database holds no demo organisation.
 */
export async function simulateStep(
  wf: Workfloor,
  rng: Rng,
  options: { behaviour?: SimBehaviour; log?: Logger } = {},
): Promise<SimOutcome | undefined> {
  const actors = await resolveDemoActors(wf);
  if (!actors) return undefined;
  const behaviour = options.behaviour ?? orgChurn;
  return behaviour.run({ wf, rng, log: options.log ?? pino({ level: 'silent' }), actors });
}
