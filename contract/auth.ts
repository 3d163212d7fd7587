import { z } from 'zod';
import { instant, roles, scope } from './common.ts';

export const loginRequest = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(1).max(200),
});

export const sessionUser = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(roles),
  employeeId: z.uuid().nullable(),
  departmentIds: z.array(z.uuid()),
  locationIds: z.array(z.uuid()),
});
export type SessionUser = z.infer<typeof sessionUser>;

export const loginResponse = z.object({ accessToken: z.string(), expiresAt: instant, user: sessionUser });
export const refreshResponse = z.object({ accessToken: z.string(), expiresAt: instant });

export const apiKeyCreate = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(scope).min(1).max(16),
});
export const apiKey = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  createdAt: instant,
  revokedAt: instant.nullable(),
});
export type ApiKey = z.infer<typeof apiKey>;
export const apiKeyCreated = apiKey.extend({ key: z.string() });
