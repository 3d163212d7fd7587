import { queryOptions, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { Department, Employee, Location, User } from '@contract/org.ts';
import { api, fetchAll } from '@/lib/api';

/** Query keys of the organisation: the live-sync bridge invalidates by these. */
export const orgKeys = {
  locations: ['locations'] as const,
  departments: ['departments'] as const,
  employees: ['employees'] as const,
  employee: (id: string) => ['employee', id] as const,
  headcount: ['headcount'] as const,
  users: ['users'] as const,
  employeeSearch: (q: string) => ['employee-search', q] as const,
};

export const locationsQuery = queryOptions({
  queryKey: orgKeys.locations,
  queryFn: ({ signal }) => fetchAll<Location>('/locations', { includeInactive: true }, signal),
  staleTime: 60_000,
});

export const departmentsQuery = queryOptions({
  queryKey: orgKeys.departments,
  queryFn: ({ signal }) => fetchAll<Department>('/departments', { includeInactive: true }, signal),
  staleTime: 60_000,
});

/** Every person (active and not) in the reader's scope, all pages of 500. */
export const employeesQuery = queryOptions({
  queryKey: orgKeys.employees,
  queryFn: ({ signal }) => fetchAll<Employee>('/employees', { includeInactive: true }, signal),
  staleTime: 60_000,
});

export const employeeQuery = (id: string) =>
  queryOptions({
    queryKey: orgKeys.employee(id),
    queryFn: ({ signal }) => api<Employee>(`/employees/${id}`, { signal }),
  });

export const headcountQuery = queryOptions({
  queryKey: orgKeys.headcount,
  queryFn: ({ signal }) => api<{ items: { locationId: string; departmentId: string; active: number }[] }>('/org/headcount', { signal }),
});

export const usersQuery = queryOptions({
  queryKey: orgKeys.users,
  queryFn: ({ signal }) => fetchAll<User>('/users', { includeInactive: true }, signal),
});

export const employeeSearchQuery = (q: string) =>
  queryOptions({
    queryKey: orgKeys.employeeSearch(q),
    queryFn: ({ signal }) => api<{ items: Employee[] }>('/employees', { query: { q, limit: 8 }, signal }).then((p) => p.items),
    staleTime: 10_000,
  });

/** Id -> record lookups for the names shown beside ids. */
export function useOrgLookups() {
  const locations = useQuery(locationsQuery);
  const departments = useQuery(departmentsQuery);
  return useMemo(
    () => ({
      locations: locations.data ?? [],
      departments: departments.data ?? [],
      location: new Map((locations.data ?? []).map((l) => [l.id, l])),
      department: new Map((departments.data ?? []).map((d) => [d.id, d])),
      isPending: locations.isPending || departments.isPending,
      error: locations.error ?? departments.error,
      /** A lookup failed and has nothing to show: names would be missing, so pages show an error. */
      isError: (locations.isError && !locations.data) || (departments.isError && !departments.data),
      refetch: () => void Promise.all([locations.refetch(), departments.refetch()]),
    }),
    [
      locations.data,
      departments.data,
      locations.isPending,
      departments.isPending,
      locations.isError,
      departments.isError,
      locations.error,
      departments.error,
      locations.refetch,
      departments.refetch,
    ],
  );
}
