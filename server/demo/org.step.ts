import { DEMO_LOGINS, DEMO_PASSWORD, type DemoOrg, type DemoStep } from './demo-context.ts';
import { emailLocalPart, nameMixes, uniqueName, type NameMix } from './names.ts';
import type { Rng } from './rng.ts';

/**
 * The organisation: locations, departments, 320 people and the log-in users. The plan is a pure
 * function of the seed (so two fresh starts agree on every name and assignment); `run` then creates
 * it through the org service, so each row is a real event in the log and the audit trail.
 */

export const EMAIL_DOMAIN = 'northwind.example';

export const demoLocations = [
  // Three zones a manager will feel: UTC+0/+1 with DST, UTC-6/-5 with DST on other dates, UTC+5:30 without DST.
  { key: 'leeds', name: 'Leeds DC', timezone: 'Europe/London', mix: nameMixes.leeds },
  { key: 'chicago', name: 'Chicago Crossdock', timezone: 'America/Chicago', mix: nameMixes.chicago },
  { key: 'pune', name: 'Pune Print Works', timezone: 'Asia/Kolkata', mix: nameMixes.pune },
] as const;
export type DemoLocationKey = (typeof demoLocations)[number]['key'];

export const demoDepartments: readonly { name: string; location: DemoLocationKey; headcount: number }[] = [
  { name: 'Packing', location: 'leeds', headcount: 56 },
  { name: 'Picking', location: 'leeds', headcount: 60 },
  { name: 'Inbound', location: 'leeds', headcount: 34 },
  { name: 'Returns', location: 'leeds', headcount: 22 },
  { name: 'Dispatch', location: 'chicago', headcount: 44 },
  { name: 'Customer Support', location: 'chicago', headcount: 30 },
  { name: 'Print Floor', location: 'pune', headcount: 46 },
  { name: 'Bindery', location: 'pune', headcount: 28 },
];
export const DEMO_HEADCOUNT = demoDepartments.reduce((n, d) => n + d.headcount, 0);

/** The department of the demo manager and employee log-ins: the first one at the first location. */
export const DEMO_DEPARTMENT = 'Packing';

/** Log-in users besides admin@ and employee@; `departments` or `locations` is their scope. */
export const demoManagers: readonly { email: string; name: string; departments?: string[]; locations?: DemoLocationKey[] }[] = [
  { email: DEMO_LOGINS.manager, name: 'Hannah Whitfield', departments: [DEMO_DEPARTMENT] },
  { email: `ian.holroyd@${EMAIL_DOMAIN}`, name: 'Ian Holroyd', departments: ['Picking', 'Inbound'] },
  { email: `marcus.bell@${EMAIL_DOMAIN}`, name: 'Marcus Bell', departments: ['Dispatch', 'Customer Support'] },
  { email: `priya.deshmukh@${EMAIL_DOMAIN}`, name: 'Priya Deshmukh', locations: ['pune'] },
];
export const DEMO_ADMIN_NAME = 'Rachel Whitaker';

export function nameMixOf(locationName: string): NameMix {
  return demoLocations.find((l) => l.name === locationName)?.mix ?? nameMixes.leeds;
}

export interface PlannedEmployee {
  name: string;
  email: string;
  department: string;
  location: DemoLocationKey;
  externalIds: { payroll: string; badge: string };
}

export function uniqueBadge(rng: Rng, taken: Set<string>): string {
  for (;;) {
    const badge = String(rng.int(1000, 9999));
    if (!taken.has(badge)) {
      taken.add(badge);
      return badge;
    }
  }
}

export function uniqueEmail(name: string, taken: Set<string>): string {
  const local = emailLocalPart(name);
  for (let n = 1; ; n++) {
    const email = `${local}${n === 1 ? '' : n}@${EMAIL_DOMAIN}`;
    if (!taken.has(email)) {
      taken.add(email);
      return email;
    }
  }
}

/** Every person, in hiring order (payroll numbers rise with it). Pure: same seed, same people. */
export function planEmployees(rng: Rng): PlannedEmployee[] {
  const names = new Set<string>([DEMO_ADMIN_NAME, ...demoManagers.map((m) => m.name)]);
  const emails = new Set<string>([...Object.values(DEMO_LOGINS), ...demoManagers.map((m) => m.email)]);
  const badges = new Set<string>();
  const people: Omit<PlannedEmployee, 'externalIds' | 'email'>[] = [];
  for (const d of demoDepartments) {
    const mix = demoLocations.find((l) => l.key === d.location)!.mix;
    for (let i = 0; i < d.headcount; i++) people.push({ name: uniqueName(rng, mix, names), department: d.name, location: d.location });
  }
  // People joined over the years in no department order: shuffle before numbering payroll.
  for (let i = people.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [people[i], people[j]] = [people[j]!, people[i]!];
  }
  const demoEmployee = people.find((p) => p.department === DEMO_DEPARTMENT)!;
  let payroll = 10_000;
  return people.map((p) => {
    payroll += rng.int(1, 4);
    return {
      ...p,
      email: p === demoEmployee ? DEMO_LOGINS.employee : uniqueEmail(p.name, emails),
      externalIds: { payroll: `NW-${payroll}`, badge: uniqueBadge(rng, badges) },
    };
  });
}

export const orgStep: DemoStep = {
  name: 'org',
  async run({ wf, rng, admin, progress }) {
    const locations: DemoOrg['locations'] = [];
    for (const l of demoLocations) {
      const row = await wf.org.createLocation(admin, { name: l.name, timezone: l.timezone });
      locations.push({ id: row.id, key: l.key, name: row.name, timezone: row.timezone });
    }
    const locationId = (key: string) => locations.find((l) => l.key === key)!.id;

    const departments: DemoOrg['departments'] = [];
    for (const d of demoDepartments) {
      const row = await wf.org.createDepartment(admin, { name: d.name, locationId: locationId(d.location) });
      departments.push({ id: row.id, name: row.name, locationId: row.locationId });
    }
    const departmentId = (name: string) => departments.find((d) => d.name === name)!.id;

    const plan = planEmployees(rng);
    const employees: DemoOrg['employees'] = [];
    progress.update(0, plan.length, 'employees');
    for (const p of plan) {
      const row = await wf.org.createEmployee(admin, {
        name: p.name,
        email: p.email,
        departmentId: departmentId(p.department),
        locationId: locationId(p.location),
        externalIds: p.externalIds,
      });
      employees.push({ id: row.id, name: row.name, departmentId: row.departmentId, locationId: row.locationId });
      progress.update(employees.length, plan.length, 'employees');
    }

    const demoEmployeeId = employees[plan.findIndex((p) => p.email === DEMO_LOGINS.employee)]!.id;
    const managers: string[] = [];
    for (const m of demoManagers) {
      const user = await wf.org.createUser(admin, {
        email: m.email,
        name: m.name,
        password: DEMO_PASSWORD,
        role: 'manager',
        departmentIds: (m.departments ?? []).map(departmentId),
        locationIds: (m.locations ?? []).map(locationId),
      });
      managers.push(user.id);
    }
    const employeeUser = await wf.org.createUser(admin, {
      email: DEMO_LOGINS.employee,
      password: DEMO_PASSWORD,
      role: 'employee',
      employeeId: demoEmployeeId,
      departmentIds: [],
      locationIds: [],
    });

    return {
      org: {
        locations,
        departments,
        employees,
        users: { admin: admin.userId, manager: managers[0]!, employee: employeeUser.id, managers },
        demoDepartmentId: departmentId(DEMO_DEPARTMENT),
        demoEmployeeId,
      },
    };
  },
};
