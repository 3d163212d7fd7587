import type { Logger } from 'pino';
import type { Department, User } from '../../contract/org.ts';
import type { Workfloor } from '../app.ts';
import type { UserPrincipal } from '../lib/principal.ts';
import type { DemoProgress } from './progress.ts';
import type { Rng } from './rng.ts';
import type { DemoSchedule } from './schedule.step.ts';
import type { DemoTimeclock } from './timeclock.step.ts';

export const DEMO_COMPANY = 'Northwind Fulfilment';
export const DEMO_PASSWORD = 'workfloor-demo';
export const DEMO_LOGINS = {
  admin: 'admin@northwind.example',
  manager: 'manager@northwind.example',
  employee: 'employee@northwind.example',
} as const;
/** Fixed so that two fresh starts generate the same organisation. */
export const DEMO_SEED = 0x5eed_2026;

/** What the steps before this one created; each step adds its own key. */
export interface DemoCreated {
  org?: DemoOrg;
  schedule?: DemoSchedule;
  timeclock?: DemoTimeclock;
}

export interface DemoOrg {
  locations: { id: string; key: string; name: string; timezone: string }[];
  departments: { id: string; name: string; locationId: string }[];
  employees: { id: string; name: string; departmentId: string; locationId: string }[];
  users: { admin: string; manager: string; employee: string; managers: string[] };
  /** The department manager@ manages and employee@ works in. */
  demoDepartmentId: string;
  /** The employee behind employee@northwind.example. */
  demoEmployeeId: string;
}

export interface DemoContext {
  wf: Workfloor;
  /** This step's own stream: forked from the demo seed by step name. */
  rng: Rng;
  log: Logger;
  progress: DemoProgress;
  /** The demo admin: every generated change is recorded as theirs in the audit trail. */
  admin: UserPrincipal;
}

/**
 * One stage of the demo generator. Steps run in order; each receives what earlier steps created and
 * answers what it created, for the steps after it.
 */
export interface DemoStep {
  name: string;
  run(ctx: DemoContext, created: DemoCreated): Promise<Partial<DemoCreated>>;
}

/** The key an earlier step must have produced, or a clear error naming the missing step. */
export function need<K extends keyof DemoCreated>(created: DemoCreated, key: K): NonNullable<DemoCreated[K]> {
  const value = created[key];
  if (!value) throw new Error(`demo step order: "${key}" must run before this step`);
  return value as NonNullable<DemoCreated[K]>;
}

/**
 * Acts for the generator before the demo admin exists (and reads as an admin). It only creates the
 * demo admin when another admin already holds the bootstrap slot (ADMIN_EMAIL, tests); everything
 * else is recorded as the demo admin's doing.
 */
export function generatorPrincipal(): UserPrincipal {
  return {
    kind: 'user',
    userId: '00000000-0000-0000-0000-000000000000',
    sessionId: 'demo-generator',
    email: 'demo-generator@workfloor.local',
    name: 'Demo generator',
    role: 'admin',
    employeeId: null,
    departmentIds: [],
    locationIds: [],
    scope: { locationIds: new Set(), departmentIds: new Set() },
  };
}

/** The principal a user would have when signed in, with a manager's scope expanded as auth does. */
export function principalOf(user: User, departments: Department[]): UserPrincipal {
  const inScope = departments.filter((d) => user.departmentIds.includes(d.id) || user.locationIds.includes(d.locationId));
  return {
    kind: 'user',
    userId: user.id,
    sessionId: 'demo-generator',
    email: user.email,
    name: user.name,
    role: user.role,
    employeeId: user.employeeId,
    departmentIds: user.departmentIds,
    locationIds: user.locationIds,
    scope: {
      departmentIds: new Set(inScope.map((d) => d.id)),
      locationIds: new Set([...user.locationIds, ...inScope.map((d) => d.locationId)]),
    },
  };
}

/** Every page of a list endpoint's service call. */
export async function listAll<T>(
  fetch: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetch(cursor);
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

export async function findUserByEmail(wf: Workfloor, email: string): Promise<User | undefined> {
  const page = await wf.org.listUsers(generatorPrincipal(), { q: email, limit: 20, includeInactive: true });
  return page.items.find((u) => u.email.toLowerCase() === email.toLowerCase());
}
