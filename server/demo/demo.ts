import type { Logger } from 'pino';
import type { Workfloor } from '../app.ts';
import {
  DEMO_COMPANY,
  DEMO_LOGINS,
  DEMO_PASSWORD,
  DEMO_SEED,
  findUserByEmail,
  generatorPrincipal,
  principalOf,
  type DemoCreated,
  type DemoStep,
} from './demo-context.ts';
import { DEMO_ADMIN_NAME, DEMO_DEPARTMENT, demoLocations, orgStep } from './org.step.ts';
import { createProgress, type ProgressOutput } from './progress.ts';
import { createRng } from './rng.ts';
import { scheduleStep } from './schedule.step.ts';
import { DEMO_KIOSK_PIN, timeclockStep } from './timeclock.step.ts';

export { startSimulator } from './simulator.ts';

/**
 * The demo generator, in order. Later capabilities append their own step (contracts, clock events,
 * activity, board, datasets); see README.md. Each step gets its own random stream forked by name, so
 * adding a step never changes what the steps before it generate.
 */
export const demoSteps: readonly DemoStep[] = [orgStep, scheduleStep, timeclockStep];

export interface SeedOptions {
  /** Where progress and the log-ins are printed; `null` prints nothing (tests). */
  output?: ProgressOutput | null;
  seed?: number;
  steps?: readonly DemoStep[];
}

export interface SeedResult {
  created: boolean;
  durationMs: number;
  /** What the steps created (ids), when `created`. */
  demo?: DemoCreated;
}

/**
 * Generates "Northwind Fulfilment" when the database has no location at all, so it never touches an
 * organisation someone set up. Every row goes through the services and so is an event in the log.
 * A start that dies half way leaves a partial demo; delete DATA_DIR to generate it again.
 */
export async function seedDemoIfEmpty(wf: Workfloor, log: Logger, options: SeedOptions = {}): Promise<SeedResult> {
  const output = options.output === undefined ? process.stdout : options.output;
  const started = performance.now();
  const existing = await wf.org.listLocations(generatorPrincipal(), { limit: 1, includeInactive: true });
  if (existing.items.length > 0) {
    // Print the log-ins on every start, but only when this database really holds the demo.
    if (output && (await findUserByEmail(wf, DEMO_LOGINS.admin))) printLogins(output);
    return { created: false, durationMs: performance.now() - started };
  }

  const progress = createProgress(output, `Creating demo organisation "${DEMO_COMPANY}"`);
  const admin = await ensureDemoAdmin(wf);
  const rng = createRng(options.seed ?? DEMO_SEED);
  const created: DemoCreated = {};
  for (const step of options.steps ?? demoSteps) {
    const stepStarted = performance.now();
    Object.assign(created, await step.run({ wf, rng: rng.fork(step.name), log, progress, admin }, created));
    log.debug({ step: step.name, ms: Math.round(performance.now() - stepStarted) }, 'demo step done');
  }
  const durationMs = performance.now() - started;
  log.info({ company: DEMO_COMPANY, ms: Math.round(durationMs) }, 'demo organisation created');
  progress.line(`Created demo organisation "${DEMO_COMPANY}" in ${(durationMs / 1000).toFixed(1)} s`);
  if (output) printLogins(output);
  return { created: true, durationMs, demo: created };
}

/** The demo admin, created as the bootstrap admin when there is none yet, else by the generator. */
async function ensureDemoAdmin(wf: Workfloor) {
  if (!(await wf.auth.ensureAdmin(DEMO_LOGINS.admin, DEMO_PASSWORD, DEMO_ADMIN_NAME))) {
    if (!(await findUserByEmail(wf, DEMO_LOGINS.admin))) {
      await wf.org.createUser(generatorPrincipal(), {
        email: DEMO_LOGINS.admin,
        name: DEMO_ADMIN_NAME,
        password: DEMO_PASSWORD,
        role: 'admin',
        departmentIds: [],
        locationIds: [],
      });
    }
  }
  const user = await findUserByEmail(wf, DEMO_LOGINS.admin);
  if (!user || user.role !== 'admin' || !user.active) throw new Error(`${DEMO_LOGINS.admin} exists but is not an active admin`);
  return principalOf(user, []);
}

function printLogins(output: ProgressOutput) {
  const first = demoLocations[0].name;
  output.write(
    [
      '',
      `Demo log-ins for "${DEMO_COMPANY}" (password: ${DEMO_PASSWORD})`,
      `  admin     ${DEMO_LOGINS.admin}`,
      `  manager   ${DEMO_LOGINS.manager}   (${DEMO_DEPARTMENT}, ${first})`,
      `  employee  ${DEMO_LOGINS.employee}  (${DEMO_DEPARTMENT}, ${first}; kiosk PIN ${DEMO_KIOSK_PIN})`,
      '',
      '',
    ].join('\n'),
  );
}
