import type { Department, Location, User } from '../../contract/org.ts';
import type { Workfloor } from '../app.ts';
import { inScope, type UserPrincipal } from '../lib/principal.ts';
import { DEMO_LOGINS, generatorPrincipal, listAll, principalOf } from './demo-context.ts';

/**
 * Who acts in the running demo, read from the database (not remembered from generation, so an admin
 * who deactivates a demo manager is obeyed): the demo admin and the active managers as principals.
 */
export interface DemoActors {
  admin: UserPrincipal;
  managers: UserPrincipal[];
  locations: Location[];
  departments: Department[];
  /** Users linked to an employee: the simulator never moves or removes those people. */
  linkedEmployeeIds: ReadonlySet<string>;
  /** A manager who may make a change touching all these places, else the admin (as in real life, HR). */
  actorFor(...places: { departmentId: string; locationId: string }[]): UserPrincipal;
}

export async function resolveDemoActors(wf: Workfloor): Promise<DemoActors | undefined> {
  const reader = generatorPrincipal();
  const users = await listAll<User>((cursor) => wf.org.listUsers(reader, { limit: 500, cursor, includeInactive: false }));
  const adminUser = users.find((u) => u.email.toLowerCase() === DEMO_LOGINS.admin && u.role === 'admin');
  if (!adminUser) return undefined;
  const departments = await listAll<Department>((cursor) => wf.org.listDepartments(reader, { limit: 500, cursor, includeInactive: false }));
  const locations = await listAll<Location>((cursor) => wf.org.listLocations(reader, { limit: 500, cursor, includeInactive: false }));
  const admin = principalOf(adminUser, departments);
  const managers = users.filter((u) => u.role === 'manager').map((u) => principalOf(u, departments));
  return {
    admin,
    managers,
    locations,
    departments,
    linkedEmployeeIds: new Set(users.flatMap((u) => (u.employeeId ? [u.employeeId] : []))),
    actorFor(...places) {
      return managers.find((m) => places.every((p) => inScope(m, p))) ?? admin;
    },
  };
}
