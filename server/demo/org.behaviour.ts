import type { Employee } from '../../contract/org.ts';
import { listAll } from './demo-context.ts';
import { uniqueName } from './names.ts';
import { DEMO_HEADCOUNT, demoDepartments, nameMixOf, uniqueBadge, uniqueEmail } from './org.step.ts';
import type { SimBehaviour, SimContext, SimOutcome } from './simulator.ts';

/**
 * Everyday organisation churn at a human pace: people join, move between departments at their site,
 * get a new badge or change their name, leave and are replaced. Headcount drifts around the demo's
 * 320 and is pulled back when it strays.
 */
const BAND = 6;

type Action = 'hire' | 'transfer' | 'update' | 'leave' | 'replace';

export const orgChurn: SimBehaviour = {
  name: 'org-churn',
  everyMs: [20_000, 60_000],
  async run(ctx) {
    const { wf, rng, actors } = ctx;
    const everyone = await listAll<Employee>((cursor) =>
      wf.org.listEmployees(actors.admin, { limit: 500, cursor, includeInactive: true }),
    );
    const activeDepartments = new Set(actors.departments.map((d) => d.id));
    const active = everyone.filter((e) => e.active && activeDepartments.has(e.departmentId));
    const movable = active.filter((e) => !actors.linkedEmployeeIds.has(e.id));
    const sites = transferSites(ctx);
    const transferable = movable.filter((e) => sites.has(e.locationId));
    const headcount = active.length;

    const action = rng.weighted<Action>([
      ['transfer', transferable.length > 0 ? 4 : 0],
      ['update', movable.length > 0 ? 3 : 0],
      ['replace', movable.length > 0 ? 2 : 0],
      ['hire', headcount < DEMO_HEADCOUNT - BAND ? 6 : headcount < DEMO_HEADCOUNT ? 2 : headcount < DEMO_HEADCOUNT + BAND ? 0.5 : 0],
      ['leave', movable.length === 0 ? 0 : headcount > DEMO_HEADCOUNT + BAND ? 6 : headcount > DEMO_HEADCOUNT ? 1.5 : headcount > DEMO_HEADCOUNT - BAND ? 0.5 : 0],
    ]);
    switch (action) {
      case 'hire':
        return hire(ctx, everyone, pickDepartment(ctx, active));
      case 'transfer':
        return transfer(ctx, rng.pick(transferable), sizesOf(active));
      case 'update':
        return update(ctx, everyone, rng.pick(movable));
      case 'leave':
        return leave(ctx, rng.pick(movable));
      case 'replace': {
        const leaver = rng.pick(movable);
        const left = await leave(ctx, leaver);
        const hired = await hire(ctx, everyone, actors.departments.find((d) => d.id === leaver.departmentId)!);
        return {
          action: 'replace',
          summary: `${left.summary}; ${hired.summary} as a replacement`,
          entityIds: [...left.entityIds, ...hired.entityIds],
        };
      }
    }
  },
};

function sizesOf(active: Employee[]) {
  const sizes = new Map<string, number>();
  for (const e of active) sizes.set(e.departmentId, (sizes.get(e.departmentId) ?? 0) + 1);
  return sizes;
}

/**
 * How much a department pulls in hires and transfers: its planned size, more so when it is below
 * it. This keeps departments near their planned sizes however long the server runs.
 */
function pull(department: { name: string }, sizes: Map<string, number>, id: string) {
  const planned = demoDepartments.find((d) => d.name === department.name)?.headcount ?? sizes.get(id) ?? 1;
  return (planned * planned) / ((sizes.get(id) ?? 0) + 1);
}

function pickDepartment({ rng, actors }: SimContext, active: Employee[]) {
  const sizes = sizesOf(active);
  return rng.weighted(actors.departments.map((d) => [d, pull(d, sizes, d.id)] as const));
}

/** Locations with at least two active departments: a transfer there stays on site. */
function transferSites({ actors }: SimContext) {
  const perLocation = new Map<string, number>();
  for (const d of actors.departments) perLocation.set(d.locationId, (perLocation.get(d.locationId) ?? 0) + 1);
  return new Set([...perLocation].filter(([, n]) => n >= 2).map(([id]) => id));
}

async function hire({ wf, rng, actors }: SimContext, everyone: Employee[], department: { id: string; name: string; locationId: string }): Promise<SimOutcome> {
  const location = actors.locations.find((l) => l.id === department.locationId);
  const name = uniqueName(rng, nameMixOf(location?.name ?? ''), new Set(everyone.map((e) => e.name)));
  const email = uniqueEmail(name, new Set(everyone.flatMap((e) => (e.email ? [e.email.toLowerCase()] : []))));
  const badge = uniqueBadge(rng, new Set(everyone.flatMap((e) => (e.externalIds.badge ? [e.externalIds.badge] : []))));
  const payroll = Math.max(10_000, ...everyone.map((e) => Number(/^NW-(\d+)$/.exec(e.externalIds.payroll ?? '')?.[1] ?? 0))) + rng.int(1, 3);
  const by = actors.actorFor({ departmentId: department.id, locationId: department.locationId });
  const row = await wf.org.createEmployee(by, {
    name,
    email,
    departmentId: department.id,
    locationId: department.locationId,
    externalIds: { payroll: `NW-${payroll}`, badge },
  });
  everyone.push(row);
  return { action: 'hire', summary: `${by.name} hired ${name} into ${department.name}`, entityIds: [row.id] };
}

async function transfer({ wf, rng, actors }: SimContext, person: Employee, sizes: Map<string, number>): Promise<SimOutcome> {
  const candidates = actors.departments.filter((d) => d.locationId === person.locationId && d.id !== person.departmentId);
  const target = rng.weighted(candidates.map((d) => [d, pull(d, sizes, d.id)] as const));
  const by = actors.actorFor(person, { departmentId: target.id, locationId: target.locationId });
  await wf.org.updateEmployee(by, person.id, { departmentId: target.id });
  const from = actors.departments.find((d) => d.id === person.departmentId)?.name ?? 'another department';
  return { action: 'transfer', summary: `${by.name} moved ${person.name} from ${from} to ${target.name}`, entityIds: [person.id] };
}

async function update({ wf, rng, actors }: SimContext, everyone: Employee[], person: Employee): Promise<SimOutcome> {
  const by = actors.actorFor(person);
  const kind = rng.weighted([['badge', 5], ['locker', 2], ['surname', person.name.includes('-') ? 0 : 2]] as const);
  if (kind === 'badge') {
    const badge = uniqueBadge(rng, new Set(everyone.flatMap((e) => (e.externalIds.badge ? [e.externalIds.badge] : []))));
    await wf.org.updateEmployee(by, person.id, { externalIds: { ...person.externalIds, badge } });
    return { action: 'update', summary: `${by.name} reissued ${person.name}'s badge (${badge})`, entityIds: [person.id] };
  }
  if (kind === 'locker') {
    const locker = `L-${rng.int(100, 499)}`;
    await wf.org.updateEmployee(by, person.id, { externalIds: { ...person.externalIds, locker } });
    return { action: 'update', summary: `${by.name} assigned locker ${locker} to ${person.name}`, entityIds: [person.id] };
  }
  // A double-barrelled surname after a marriage: name and e-mail change together.
  const partner = rng.pick(everyone.filter((e) => e.id !== person.id)).name.split(' ').at(-1)!;
  const name = `${person.name}-${partner}`;
  const email = uniqueEmail(name, new Set(everyone.flatMap((e) => (e.email ? [e.email.toLowerCase()] : []))));
  await wf.org.updateEmployee(by, person.id, { name, email });
  return { action: 'update', summary: `${by.name} renamed ${person.name} to ${name}`, entityIds: [person.id] };
}

async function leave({ wf, actors }: SimContext, person: Employee): Promise<SimOutcome> {
  const by = actors.actorFor(person);
  await wf.org.deactivateEmployee(by, person.id);
  return { action: 'leave', summary: `${by.name} recorded that ${person.name} left`, entityIds: [person.id] };
}
