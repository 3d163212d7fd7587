import type { Actor } from '../../contract/audit.ts';
import type { Area, Role } from '../../contract/common.ts';
import { AppError } from './app-error.ts';

/** A signed-in person, with a manager's scope already expanded to locations and departments. */
export interface UserPrincipal {
  kind: 'user';
  userId: string;
  sessionId: string;
  email: string;
  name: string;
  role: Role;
  employeeId: string | null;
  /** As assigned on the user. */
  departmentIds: string[];
  locationIds: string[];
  /** Expanded: a location in scope brings its departments; a department brings its location. */
  scope: { locationIds: ReadonlySet<string>; departmentIds: ReadonlySet<string> };
}

export interface ApiKeyPrincipal {
  kind: 'api_key';
  keyId: string;
  name: string;
  scopes: ReadonlySet<string>;
}

export type Principal = UserPrincipal | ApiKeyPrincipal;

export function actorOf(principal: Principal): Actor {
  return principal.kind === 'user'
    ? { type: 'user', id: principal.userId, name: principal.name }
    : { type: 'api_key', id: principal.keyId, name: principal.name };
}

export function hasScope(principal: ApiKeyPrincipal, area: Area, level: 'read' | 'write'): boolean {
  return principal.scopes.has(`${area}:write`) || (level === 'read' && principal.scopes.has(`${area}:read`));
}

/** Admins and API keys (already checked for their area) act organisation-wide. */
export function isOrgWide(principal: Principal): principal is ApiKeyPrincipal | (UserPrincipal & { role: 'admin' }) {
  return principal.kind === 'api_key' || principal.role === 'admin';
}

export function requireRole(principal: Principal, ...roles: Role[]): void {
  if (principal.kind === 'api_key') return;
  if (!roles.includes(principal.role)) throw new AppError('FORBIDDEN', `This needs the ${roles.join(' or ')} role`);
}

/** Whether the principal may see or manage things at this location / in this department. */
export function inScope(principal: Principal, where: { locationId?: string | null; departmentId?: string | null }): boolean {
  if (isOrgWide(principal)) return true;
  if (principal.role !== 'manager') return false;
  if (where.departmentId && principal.scope.departmentIds.has(where.departmentId)) return true;
  // A location-wide manager manages every department there; a department manager only their departments.
  if (where.locationId && principal.locationIds.includes(where.locationId)) return true;
  return false;
}
