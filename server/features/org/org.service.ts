import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type * as c from '../../../contract/org.ts';
import type { Db, Tx } from '../../db/client.ts';
import type { EventLog, EventScope, StoredEvent } from '../../events/event-log.ts';
import { AppError, forbidden, notFound } from '../../lib/app-error.ts';
import { decodeCursor, toPage } from '../../lib/cursor.ts';
import { hashPassword } from '../../lib/passwords.ts';
import { actorOf, inScope, isOrgWide, requireRole, type Principal } from '../../lib/principal.ts';
import type { AuthService } from '../auth/auth.service.ts';
import * as repo from './org.repository.ts';

type ListQuery = z.infer<typeof c.listQuery>;
/** Lists are ordered by (name, id): the cursor is the last item's pair. */
const NAME_ID = ['text', 'uuid'] as const;

export interface OrgDeps {
  db: Db;
  events: EventLog;
  auth: AuthService;
  log: Logger;
}

/** Fields whose value changed, as `{before, after}` for the audit trail. Secrets never enter it. */
function diff<T extends Record<string, unknown>>(before: T, after: T, fields: (keyof T)[]) {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const f of fields) {
    if (JSON.stringify(before[f]) !== JSON.stringify(after[f])) {
      b[f as string] = before[f];
      a[f as string] = after[f];
    }
  }
  return { before: b, after: a, changed: Object.keys(a).length > 0 };
}

const iso = (d: Date) => d.toISOString();
export const toLocation = (r: repo.LocationRow): c.Location => ({ ...r, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) });
export const toDepartment = (r: repo.DepartmentRow): c.Department => ({ ...r, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) });
export const toEmployee = (r: repo.EmployeeRow): c.Employee => ({ ...r, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) });
export const toUser = ({ passwordHash: _secret, ...r }: repo.UserRow): c.User => ({
  ...r,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
});

function uniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}

/**
 * Locations, departments, employees and log-in users. Admins (and API keys with org scopes) manage
 * everything; a manager reads their scope and manages its employees; an employee reads only
 * themselves and where they work.
 */
export function createOrgService({ db, events, auth }: OrgDeps) {
  async function record(tx: Tx, principal: Principal, type: string, entity: { type: string; id: string }, payload: Record<string, unknown>, scope: EventScope) {
    await events.append(tx, { type, entity, actor: actorOf(principal), payload, scope });
  }

  async function ownEmployee(principal: Principal) {
    if (principal.kind !== 'user' || !principal.employeeId) return undefined;
    return repo.findEmployeeById(db, principal.employeeId);
  }

  async function requireLocation(tx: Db | Tx, id: string) {
    const location = await repo.findLocationById(tx, id);
    if (!location) throw new AppError('UNPROCESSABLE', 'The location does not exist', { field: 'locationId' });
    return location;
  }

  async function requireDepartment(tx: Db | Tx, id: string) {
    const department = await repo.findDepartmentById(tx, id);
    if (!department) throw new AppError('UNPROCESSABLE', 'The department does not exist', { field: 'departmentId' });
    return department;
  }

  /** Location ids the principal may read, or undefined for all. */
  async function readableLocationIds(principal: Principal): Promise<string[] | undefined> {
    if (isOrgWide(principal)) return undefined;
    if (principal.role === 'manager') return [...principal.scope.locationIds];
    const own = await ownEmployee(principal);
    return own ? [own.locationId] : [];
  }

  async function readableDepartmentIds(principal: Principal): Promise<string[] | undefined> {
    if (isOrgWide(principal)) return undefined;
    if (principal.role === 'manager') return [...principal.scope.departmentIds];
    const own = await ownEmployee(principal);
    return own ? [own.departmentId] : [];
  }

  function managerReach(principal: Principal) {
    // Only a manager is limited by reach; an employee is limited to themselves by the caller.
    if (isOrgWide(principal) || principal.kind !== 'user' || principal.role !== 'manager') return undefined;
    return { departmentIds: [...principal.scope.departmentIds], locationIds: principal.locationIds };
  }

  /**
   * Locations are few and read on almost every request (zones, names): kept in memory, and dropped
   * when the log says one changed (this process's writes and others', through the log tail).
   */
  let locationCache: Map<string, c.Location> | undefined;
  async function cachedLocation(id: string): Promise<c.Location | undefined> {
    if (!locationCache) {
      const rows = await repo.findLocations(db, { limit: 10_000, includeInactive: true });
      locationCache = new Map(rows.map((r) => [r.id, toLocation(r)]));
    }
    const cached = locationCache.get(id);
    if (cached) return cached;
    const row = await repo.findLocationById(db, id);
    return row && toLocation(row);
  }

  return {
    /** Keeps the in-memory reads true to the log; called by the log tail in every process. */
    applyEvents(batch: StoredEvent[]) {
      if (batch.some((e) => e.entity.type === 'location')) locationCache = undefined;
    },

    // ---- Locations ----
    async listLocations(principal: Principal, query: ListQuery) {
      const ids = await readableLocationIds(principal);
      const rows = await repo.findLocations(db, { ...query, after: decodeCursor(query.cursor, NAME_ID), ids });
      const page = toPage(rows, query.limit, (r) => [r.name, r.id]);
      return { ...page, items: page.items.map(toLocation) };
    },
    async getLocation(principal: Principal, id: string) {
      const ids = await readableLocationIds(principal);
      const location = await cachedLocation(id);
      if (!location || (ids && !ids.includes(id))) throw notFound('Location');
      return location;
    },
    async createLocation(principal: Principal, input: z.infer<typeof c.locationCreate>) {
      requireRole(principal, 'admin');
      const id = randomUUID();
      const row = await events.writeRow(repo.insertLocationWithEvent, { id, name: input.name, timezone: input.timezone }, {
        type: 'location.created',
        entity: { type: 'location', id },
        actor: actorOf(principal),
        payload: { after: input },
        scope: { locationId: id },
      });
      locationCache = undefined;
      return toLocation(row);
    },
    async updateLocation(principal: Principal, id: string, input: z.infer<typeof c.locationUpdate>) {
      requireRole(principal, 'admin');
      return events.write(async (tx) => {
        const before = await repo.lockLocation(tx, id);
        if (!before) throw notFound('Location');
        const after = { ...before, ...input };
        const change = diff(before, after, ['name', 'timezone']);
        if (!change.changed) return toLocation(before);
        const row = (await repo.updateLocation(tx, id, input))!;
        locationCache = undefined;
        await record(tx, principal, 'location.updated', { type: 'location', id }, { before: change.before, after: change.after }, { locationId: id });
        return toLocation(row);
      });
    },
    async deactivateLocation(principal: Principal, id: string) {
      requireRole(principal, 'admin');
      return events.write(async (tx) => {
        const before = await repo.lockLocation(tx, id);
        if (!before) throw notFound('Location');
        if (!before.active) throw new AppError('ALREADY_INACTIVE', 'This location is already inactive');
        const row = (await repo.updateLocation(tx, id, { active: false }))!;
        locationCache = undefined;
        await record(tx, principal, 'location.deactivated', { type: 'location', id }, { before: { active: true }, after: { active: false } }, { locationId: id });
        return toLocation(row);
      });
    },

    // ---- Departments ----
    async listDepartments(principal: Principal, query: z.infer<typeof c.departmentListQuery>) {
      const ids = await readableDepartmentIds(principal);
      const rows = await repo.findDepartments(db, { ...query, after: decodeCursor(query.cursor, NAME_ID), ids });
      const page = toPage(rows, query.limit, (r) => [r.name, r.id]);
      return { ...page, items: page.items.map(toDepartment) };
    },
    async getDepartment(principal: Principal, id: string) {
      const ids = await readableDepartmentIds(principal);
      const row = await repo.findDepartmentById(db, id);
      if (!row || (ids && !ids.includes(id))) throw notFound('Department');
      return toDepartment(row);
    },
    async createDepartment(principal: Principal, input: z.infer<typeof c.departmentCreate>) {
      requireRole(principal, 'admin');
      return events.write(async (tx) => {
        await requireLocation(tx, input.locationId);
        const row = await repo.insertDepartment(tx, input);
        await record(tx, principal, 'department.created', { type: 'department', id: row.id }, { after: input }, { locationId: row.locationId, departmentId: row.id });
        return toDepartment(row);
      });
    },
    async updateDepartment(principal: Principal, id: string, input: z.infer<typeof c.departmentUpdate>) {
      requireRole(principal, 'admin');
      return events.write(async (tx) => {
        const before = await repo.lockDepartment(tx, id);
        if (!before) throw notFound('Department');
        if (input.locationId) await requireLocation(tx, input.locationId);
        const change = diff(before, { ...before, ...input }, ['name', 'locationId']);
        if (!change.changed) return toDepartment(before);
        const row = (await repo.updateDepartment(tx, id, input))!;
        await record(tx, principal, 'department.updated', { type: 'department', id }, { before: change.before, after: change.after }, { locationId: row.locationId, departmentId: id });
        return toDepartment(row);
      });
    },
    async deactivateDepartment(principal: Principal, id: string) {
      requireRole(principal, 'admin');
      return events.write(async (tx) => {
        const before = await repo.lockDepartment(tx, id);
        if (!before) throw notFound('Department');
        if (!before.active) throw new AppError('ALREADY_INACTIVE', 'This department is already inactive');
        const row = (await repo.updateDepartment(tx, id, { active: false }))!;
        await record(tx, principal, 'department.deactivated', { type: 'department', id }, { before: { active: true }, after: { active: false } }, { locationId: row.locationId, departmentId: id });
        return toDepartment(row);
      });
    },

    // ---- Employees ----
    async listEmployees(principal: Principal, query: z.infer<typeof c.employeeListQuery>) {
      const own = principal.kind === 'user' && principal.role === 'employee';
      const rows = await repo.findEmployees(db, {
        ...query,
        after: decodeCursor(query.cursor, NAME_ID),
        within: managerReach(principal),
        ids: own ? [principal.employeeId ?? '00000000-0000-0000-0000-000000000000'] : undefined,
      });
      const page = toPage(rows, query.limit, (r) => [r.name, r.id]);
      return { ...page, items: page.items.map(toEmployee) };
    },
    async getEmployee(principal: Principal, id: string) {
      const row = await repo.findEmployeeById(db, id);
      const own = principal.kind === 'user' && principal.employeeId === id;
      if (!row || !(own || inScope(principal, row))) throw notFound('Employee');
      return toEmployee(row);
    },
    async createEmployee(principal: Principal, input: z.infer<typeof c.employeeCreate>) {
      requireRole(principal, 'admin', 'manager');
      if (!inScope(principal, input)) throw forbidden('You can only add people to the departments or locations you manage');
      return events.write(async (tx) => {
        await requireLocation(tx, input.locationId);
        await requireDepartment(tx, input.departmentId);
        const row = await repo.insertEmployee(tx, { ...input, email: input.email ?? null });
        await record(tx, principal, 'employee.created', { type: 'employee', id: row.id }, { after: toEmployeeFields(row) }, scopeOfEmployee(row));
        return toEmployee(row);
      });
    },
    async updateEmployee(principal: Principal, id: string, input: z.infer<typeof c.employeeUpdate>) {
      requireRole(principal, 'admin', 'manager');
      return events.write(async (tx) => {
        const before = await repo.lockEmployee(tx, id);
        if (!before || !inScope(principal, before)) throw notFound('Employee');
        // An inactive record is history: changing it would move a person who no longer counts anywhere.
        if (!before.active) throw new AppError('ALREADY_INACTIVE', 'This person is inactive; their record cannot be changed');
        const merged = { ...before, ...input, email: input.email === undefined ? before.email : input.email };
        if (!inScope(principal, merged)) throw forbidden('You can only move people within the departments or locations you manage');
        if (input.locationId) await requireLocation(tx, input.locationId);
        if (input.departmentId) await requireDepartment(tx, input.departmentId);
        const change = diff(before, merged, ['name', 'email', 'departmentId', 'locationId', 'externalIds']);
        if (!change.changed) return toEmployee(before);
        const row = (await repo.updateEmployee(tx, id, input))!;
        await record(tx, principal, 'employee.updated', { type: 'employee', id }, { name: row.name, before: change.before, after: change.after }, scopeOfEmployee(row));
        return toEmployee(row);
      });
    },
    async deactivateEmployee(principal: Principal, id: string) {
      requireRole(principal, 'admin', 'manager');
      return events.write(async (tx) => {
        const before = await repo.lockEmployee(tx, id);
        if (!before || !inScope(principal, before)) throw notFound('Employee');
        if (!before.active) throw new AppError('ALREADY_INACTIVE', 'This person is already inactive');
        const row = (await repo.updateEmployee(tx, id, { active: false }))!;
        await record(tx, principal, 'employee.deactivated', { type: 'employee', id }, { name: row.name, before: { active: true }, after: { active: false } }, scopeOfEmployee(row));
        return toEmployee(row);
      });
    },

    /** Active people per location and department, from the log-fed pre-aggregate. */
    async headcount(principal: Principal) {
      const rows = await repo.findHeadcount(db);
      return { items: rows.filter((r) => r.active > 0 && inScope(principal, r)) };
    },

    // ---- Users ----
    async listUsers(principal: Principal, query: z.infer<typeof c.userListQuery>) {
      requireRole(principal, 'admin');
      const rows = await repo.findUsers(db, { ...query, after: decodeCursor(query.cursor, NAME_ID) });
      const page = toPage(rows, query.limit, (r) => [r.name, r.id]);
      return { ...page, items: page.items.map(toUser) };
    },
    async getUser(principal: Principal, id: string) {
      requireRole(principal, 'admin');
      const row = await repo.findUserById(db, id);
      if (!row) throw notFound('User');
      return toUser(row);
    },
    async createUser(principal: Principal, input: z.infer<typeof c.userCreate>) {
      requireRole(principal, 'admin');
      const passwordHash = await hashPassword(input.password);
      try {
        return await events.write(async (tx) => {
          const employee = await validateUserLinks(tx, input);
          const row = await repo.insertUser(tx, {
            email: input.email,
            name: input.name ?? employee?.name ?? input.email.split('@')[0]!,
            passwordHash,
            role: input.role,
            employeeId: input.employeeId ?? null,
            departmentIds: input.departmentIds,
            locationIds: input.locationIds,
          });
          await record(tx, principal, 'user.created', { type: 'user', id: row.id }, { after: toUserFields(row) }, { userId: row.id, employeeId: row.employeeId });
          return toUser(row);
        });
      } catch (err) {
        if (uniqueViolation(err)) throw new AppError('EMAIL_TAKEN', 'A user with this e-mail already exists', { field: 'email' });
        throw err;
      }
    },
    async updateUser(principal: Principal, id: string, input: z.infer<typeof c.userUpdate>) {
      requireRole(principal, 'admin');
      const passwordHash = input.password ? await hashPassword(input.password) : undefined;
      const row = await events.write(async (tx) => {
        const before = await repo.lockUser(tx, id);
        if (!before) throw notFound('User');
        await validateUserLinks(tx, input);
        const { password: _password, ...fields } = input;
        const merged = { ...before, ...fields };
        const change = diff(before, merged, ['name', 'role', 'employeeId', 'departmentIds', 'locationIds']);
        if (!change.changed && !passwordHash) return before;
        const updated = (await repo.updateUser(tx, id, { ...fields, ...(passwordHash ? { passwordHash } : {}) }))!;
        // A new password ends the sessions that used the old one.
        const sessionIds = passwordHash ? await auth.endSessionsOf(tx, id) : [];
        await record(tx, principal, 'user.updated', { type: 'user', id }, {
          name: updated.name,
          before: change.before,
          after: change.after,
          ...(passwordHash ? { passwordChanged: true, sessionIds } : {}),
        }, { userId: id, employeeId: updated.employeeId });
        auth.revokeSessionsLocally(sessionIds);
        return updated;
      });
      auth.forgetUser(id);
      return toUser(row);
    },
    async deactivateUser(principal: Principal, id: string) {
      requireRole(principal, 'admin');
      if (principal.kind === 'user' && principal.userId === id) throw new AppError('CONFLICT', 'You cannot deactivate your own account');
      const row = await events.write(async (tx) => {
        const before = await repo.lockUser(tx, id);
        if (!before) throw notFound('User');
        if (!before.active) throw new AppError('ALREADY_INACTIVE', 'This user is already inactive');
        const updated = (await repo.updateUser(tx, id, { active: false }))!;
        const sessionIds = await auth.endSessionsOf(tx, id);
        await record(tx, principal, 'user.deactivated', { type: 'user', id }, { name: updated.name, before: { active: true }, after: { active: false }, sessionIds }, { userId: id, employeeId: updated.employeeId });
        auth.revokeSessionsLocally(sessionIds);
        return updated;
      });
      auth.forgetUser(id);
      return toUser(row);
    },
  };

  async function validateUserLinks(tx: Tx, input: { employeeId?: string | null | undefined; departmentIds?: string[] | undefined; locationIds?: string[] | undefined }) {
    const employee = input.employeeId ? await repo.findEmployeeById(tx, input.employeeId) : undefined;
    if (input.employeeId && !employee) throw new AppError('UNPROCESSABLE', 'The employee does not exist', { field: 'employeeId' });
    const deps = [...new Set(input.departmentIds ?? [])];
    const locs = [...new Set(input.locationIds ?? [])];
    if ((await repo.countExisting(tx, 'departments', deps)) !== deps.length) {
      throw new AppError('UNPROCESSABLE', 'A department in departmentIds does not exist', { field: 'departmentIds' });
    }
    if ((await repo.countExisting(tx, 'locations', locs)) !== locs.length) {
      throw new AppError('UNPROCESSABLE', 'A location in locationIds does not exist', { field: 'locationIds' });
    }
    return employee;
  }
}

function toEmployeeFields(r: repo.EmployeeRow) {
  return { name: r.name, email: r.email, departmentId: r.departmentId, locationId: r.locationId, externalIds: r.externalIds };
}
function toUserFields(r: repo.UserRow) {
  return { email: r.email, name: r.name, role: r.role, employeeId: r.employeeId, departmentIds: r.departmentIds, locationIds: r.locationIds };
}
const scopeOfEmployee = (r: repo.EmployeeRow): EventScope => ({ locationId: r.locationId, departmentId: r.departmentId, employeeId: r.id });

export type OrgService = ReturnType<typeof createOrgService>;
