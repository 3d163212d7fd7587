// The whole schema, one file per aggregate under schema/; drizzle-kit and the client read this list.
export * from './schema/events.ts';
export * from './schema/org.ts';
export * from './schema/auth.ts';
export * from './schema/org-stats.ts';
export * from './schema/schedule.ts';
export * from './schema/timeclock.ts';
export * from './schema/coverage.ts';
