import { z } from 'zod';
import { instant, pageQuery, roles } from './common.ts';

/** True when the runtime knows the IANA zone; used so a typo never reaches the schedule engine. */
export function isIanaTimeZone(zone: string): boolean {
  if (!zone.includes('/') && zone !== 'UTC') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const name = z.string().trim().min(1).max(200);
const timezone = z.string().max(64).refine(isIanaTimeZone, { message: 'must be an IANA time zone such as Europe/Berlin' });

export const listQuery = pageQuery.extend({
  q: z.string().trim().max(200).optional(),
  includeInactive: z.stringbool().default(false),
});

// Locations
export const locationCreate = z.strictObject({ name, timezone });
export const locationUpdate = locationCreate.partial();
export const location = z.object({
  id: z.uuid(),
  name: z.string(),
  timezone: z.string(),
  active: z.boolean(),
  createdAt: instant,
  updatedAt: instant,
});
export type Location = z.infer<typeof location>;

// Departments
export const departmentCreate = z.strictObject({ name, locationId: z.uuid() });
export const departmentUpdate = departmentCreate.partial();
export const departmentListQuery = listQuery.extend({ locationId: z.uuid().optional() });
export const department = z.object({
  id: z.uuid(),
  name: z.string(),
  locationId: z.uuid(),
  active: z.boolean(),
  createdAt: instant,
  updatedAt: instant,
});
export type Department = z.infer<typeof department>;

// Employees
const externalIds = z.record(z.string().max(50), z.string().max(200)).refine((r) => Object.keys(r).length <= 20, {
  message: 'at most 20 external ids',
});
export const employeeCreate = z.strictObject({
  name,
  email: z.email().max(254).nullable().optional(),
  departmentId: z.uuid(),
  locationId: z.uuid(),
  externalIds: externalIds.default({}),
});
export const employeeUpdate = z.strictObject({
  name: name.optional(),
  email: z.email().max(254).nullable().optional(),
  departmentId: z.uuid().optional(),
  locationId: z.uuid().optional(),
  externalIds: externalIds.optional(),
});
export const employeeListQuery = listQuery.extend({
  locationId: z.uuid().optional(),
  departmentId: z.uuid().optional(),
});
export const employee = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string().nullable(),
  departmentId: z.uuid(),
  locationId: z.uuid(),
  externalIds: z.record(z.string(), z.string()),
  active: z.boolean(),
  createdAt: instant,
  updatedAt: instant,
});
export type Employee = z.infer<typeof employee>;

// Users (log-in accounts)
const password = z.string().min(10, 'at least 10 characters').max(200);
export const userCreate = z.strictObject({
  email: z.email().max(254),
  name: name.optional(),
  password,
  role: z.enum(roles),
  employeeId: z.uuid().nullable().optional(),
  departmentIds: z.array(z.uuid()).max(200).default([]),
  locationIds: z.array(z.uuid()).max(200).default([]),
});
export const userUpdate = z.strictObject({
  name: name.optional(),
  password: password.optional(),
  role: z.enum(roles).optional(),
  employeeId: z.uuid().nullable().optional(),
  departmentIds: z.array(z.uuid()).max(200).optional(),
  locationIds: z.array(z.uuid()).max(200).optional(),
});
export const userListQuery = listQuery.extend({ role: z.enum(roles).optional() });
export const user = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(roles),
  employeeId: z.uuid().nullable(),
  departmentIds: z.array(z.uuid()),
  locationIds: z.array(z.uuid()),
  active: z.boolean(),
  createdAt: instant,
  updatedAt: instant,
});
export type User = z.infer<typeof user>;

export const headcountResponse = z.object({
  items: z.array(z.object({ locationId: z.uuid(), departmentId: z.uuid(), active: z.number().int() })),
});
