import type { QueryClient } from '@tanstack/react-query';
import { createRootRouteWithContext, createRoute, createRouter, lazyRouteComponent, Link, Outlet, redirect } from '@tanstack/react-router';
import type { Role } from '@contract/common.ts';
import type { SessionState } from '@/lib/session';
import type { AuditFilters } from '@/features/audit/api/audit-queries';
import type { DirectorySearch } from '@/features/org/components/people-directory';
import type { ScheduleSearch } from '@/features/schedule/components/schedule-page';
import type { LiveSearch } from '@/features/timeclock/components/live-floor-page';
import type { TimesheetSearch } from '@/features/timeclock/components/timesheets-page';
import type { CoverageSearch } from '@/features/coverage/components/coverage-page';

export interface RouterContext {
  session: SessionState;
  queryClient: QueryClient;
}

// Search params are validated by hand here: this file is in the log-in page's bundle, zod is not.
const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 200) : undefined);
const uuidLike = (v: unknown) => (typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v) ? v : undefined);
const date = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);
function oneOf<T extends string>(v: unknown, values: readonly T[]): T | undefined {
  return values.includes(v as T) ? (v as T) : undefined;
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: () => (
    <main id="main" className="grid min-h-[60vh] place-items-center p-8 text-center">
      <div>
        <p className="text-sm font-medium text-muted-foreground">404</p>
        <h1 className="mt-1 text-xl font-semibold">This page does not exist</h1>
        <Link to="/" className="mt-4 inline-block text-sm text-primary underline-offset-4 hover:underline">
          Go to the start page
        </Link>
      </div>
    </main>
  ),
});

const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/login',
  validateSearch: (s: Record<string, unknown>): { redirect?: string } => {
    const r = str(s.redirect);
    // Only same-app paths, never an open redirect.
    return r && r.startsWith('/') && !r.startsWith('//') ? { redirect: r } : {};
  },
  beforeLoad: ({ context, search }) => {
    if (context.session.status === 'authenticated') throw redirect({ to: search.redirect ?? '/' });
  },
  component: lazyRouteComponent(() => import('@/routes/login'), 'LoginRoute'),
});

const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: 'app',
  beforeLoad: ({ context, location }) => {
    if (context.session.status !== 'authenticated') {
      const here = location.href;
      throw redirect({ to: '/login', search: here === '/' ? {} : { redirect: here } });
    }
    return { user: context.session.user };
  },
  component: lazyRouteComponent(() => import('./shell'), 'AppShell'),
});

function allow(...roles: Role[]) {
  return ({ context }: { context: RouterContext }) => {
    if (context.session.status === 'authenticated' && !roles.includes(context.session.user.role)) throw redirect({ to: '/' });
  };
}

const indexRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/',
  beforeLoad: ({ context }) => {
    throw redirect({ to: context.session.user?.role === 'employee' ? '/me' : '/overview' });
  },
});

const overviewRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/overview',
  beforeLoad: allow('admin', 'manager'),
  component: lazyRouteComponent(() => import('@/routes/overview'), 'OverviewRoute'),
});

const peopleRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/people',
  beforeLoad: allow('admin', 'manager'),
  validateSearch: (s: Record<string, unknown>): DirectorySearch => ({
    q: str(s.q),
    locationId: uuidLike(s.locationId),
    departmentId: uuidLike(s.departmentId),
    role: oneOf(s.role, ['admin', 'manager', 'employee', 'none'] as const),
    status: oneOf(s.status, ['active', 'inactive', 'all'] as const),
    sort: oneOf(s.sort, ['name', 'email', 'department', 'location', 'role'] as const),
    dir: oneOf(s.dir, ['asc', 'desc'] as const),
  }),
  component: lazyRouteComponent(() => import('@/routes/people'), 'PeopleRoute'),
});

const personRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/people/$id',
  beforeLoad: allow('admin', 'manager'),
  component: lazyRouteComponent(() => import('@/routes/person'), 'PersonRoute'),
});

const locationsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/locations',
  beforeLoad: allow('admin', 'manager'),
  component: lazyRouteComponent(() => import('@/routes/locations'), 'LocationsRoute'),
});

const departmentsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/departments',
  beforeLoad: allow('admin', 'manager'),
  component: lazyRouteComponent(() => import('@/routes/departments'), 'DepartmentsRoute'),
});

const usersRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/users',
  beforeLoad: allow('admin'),
  component: lazyRouteComponent(() => import('@/routes/users'), 'UsersRoute'),
});

const apiKeysRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/api-keys',
  beforeLoad: allow('admin'),
  component: lazyRouteComponent(() => import('@/routes/api-keys'), 'ApiKeysRoute'),
});

const auditRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/audit',
  beforeLoad: allow('admin', 'manager'),
  validateSearch: (s: Record<string, unknown>): AuditFilters => ({
    entityType: str(s.entityType),
    entityId: str(s.entityId),
    actorId: str(s.actorId),
    from: date(s.from),
    to: date(s.to),
  }),
  component: lazyRouteComponent(() => import('@/routes/audit'), 'AuditRoute'),
});

const coverageRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/coverage',
  beforeLoad: allow('admin', 'manager'),
  validateSearch: (s: Record<string, unknown>): CoverageSearch => ({ locationId: uuidLike(s.locationId), end: date(s.end) }),
  component: lazyRouteComponent(() => import('@/routes/coverage'), 'CoverageRoute'),
});

const liveStatuses = ['scheduled', 'on_shift', 'on_break', 'late', 'absent', 'clocked_out', 'unscheduled', 'overtime', 'missed_clock_out'] as const;
const liveRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/live',
  beforeLoad: allow('admin', 'manager'),
  validateSearch: (s: Record<string, unknown>): LiveSearch => ({ locationId: uuidLike(s.locationId), status: oneOf(s.status, liveStatuses) }),
  component: lazyRouteComponent(() => import('@/routes/live'), 'LiveRoute'),
});

const timesheetsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/timesheets',
  beforeLoad: allow('admin', 'manager'),
  validateSearch: (s: Record<string, unknown>): TimesheetSearch => ({
    from: date(s.from),
    to: date(s.to),
    locationId: uuidLike(s.locationId),
    departmentId: uuidLike(s.departmentId),
  }),
  component: lazyRouteComponent(() => import('@/routes/timesheets'), 'TimesheetsRoute'),
});

// The kiosk is full screen, outside the shell (no sidebar), but still opened by a signed-in manager.
const kioskRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/kiosk',
  validateSearch: (s: Record<string, unknown>): { locationId?: string } => ({ locationId: uuidLike(s.locationId) }),
  beforeLoad: ({ context, location }) => {
    if (context.session.status !== 'authenticated') throw redirect({ to: '/login', search: { redirect: location.href } });
    if (context.session.user.role === 'employee') throw redirect({ to: '/' });
  },
  component: lazyRouteComponent(() => import('@/routes/kiosk'), 'KioskRoute'),
});

const scheduleRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/schedule',
  beforeLoad: allow('admin', 'manager'),
  validateSearch: (s: Record<string, unknown>): ScheduleSearch => ({
    view: oneOf(s.view, ['week', 'month'] as const),
    date: date(s.date),
    locationId: uuidLike(s.locationId),
    departmentId: uuidLike(s.departmentId),
  }),
  component: lazyRouteComponent(() => import('@/routes/schedule'), 'ScheduleRoute'),
});

const approvalsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/approvals',
  beforeLoad: allow('admin', 'manager'),
  component: lazyRouteComponent(() => import('@/routes/approvals'), 'ApprovalsRoute'),
});

const myScheduleRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/my-schedule',
  component: lazyRouteComponent(() => import('@/routes/my-schedule'), 'MyScheduleRoute'),
});

const meRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/me',
  component: lazyRouteComponent(() => import('@/routes/me'), 'MeRoute'),
});

const routeTree = rootRoute.addChildren([
  loginRoute,
  kioskRoute,
  appRoute.addChildren([indexRoute, overviewRoute, peopleRoute, personRoute, locationsRoute, departmentsRoute, usersRoute, apiKeysRoute, auditRoute, coverageRoute, liveRoute, timesheetsRoute, scheduleRoute, approvalsRoute, myScheduleRoute, meRoute]),
]);

export function createAppRouter(context: RouterContext) {
  return createRouter({
    routeTree,
    context,
    defaultPreload: 'intent',
    defaultPendingMs: 150,
    scrollRestoration: true,
    defaultPendingComponent: () => (
      <div role="status" className="p-8 text-sm text-muted-foreground">
        Loading…
      </div>
    ),
  });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
