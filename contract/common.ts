import { z } from 'zod';

/** Every list endpoint takes `limit` and `cursor` and answers `{items, nextCursor}`. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const uuid = z.uuid();
export const idParams = z.object({ id: z.uuid() });

/** ISO 8601 instant with an offset, as every instant in the API is written. */
export const instant = z.iso.datetime({ offset: true });
export const localDate = z.iso.date();

export const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

/** The areas API-key scopes are written for: `<area>:read` / `<area>:write`. */
export const areas = ['org', 'schedule', 'clock', 'coverage', 'productivity', 'board', 'datasets', 'audit'] as const;
export type Area = (typeof areas)[number];
export const scope = z.enum(areas.flatMap((a) => [`${a}:read`, `${a}:write`] as const) as [string, ...string[]]);

export const roles = ['admin', 'manager', 'employee'] as const;
export type Role = (typeof roles)[number];
