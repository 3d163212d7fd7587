import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type * as c from '@contract/org.ts';
import type { Department, Employee, Location, User } from '@contract/org.ts';
import { api } from '@/lib/api';
import { orgKeys } from './org-queries';

/** Puts a fresh employee record into the directory and detail caches (used by mutations and live events). */
export function upsertEmployee(client: QueryClient, employee: Employee) {
  client.setQueryData(orgKeys.employee(employee.id), employee);
  client.setQueryData<Employee[]>(orgKeys.employees, (list) => {
    if (!list) return list;
    const i = list.findIndex((e) => e.id === employee.id);
    if (i === -1) return [...list, employee];
    const next = list.slice();
    next[i] = employee;
    return next;
  });
}

function upsertIn<T extends { id: string }>(client: QueryClient, key: readonly unknown[], row: T) {
  client.setQueryData<T[]>(key, (list) => (list ? (list.some((r) => r.id === row.id) ? list.map((r) => (r.id === row.id ? row : r)) : [...list, row]) : list));
}

export function useCreateEmployee() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: z.output<typeof c.employeeCreate>) => api<Employee>('/employees', { method: 'POST', body }),
    onSuccess: (e) => {
      upsertEmployee(client, e);
      void client.invalidateQueries({ queryKey: orgKeys.headcount });
    },
  });
}

export function useUpdateEmployee(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: z.output<typeof c.employeeUpdate>) => api<Employee>(`/employees/${id}`, { method: 'PATCH', body }),
    onSuccess: (e) => {
      upsertEmployee(client, e);
      void client.invalidateQueries({ queryKey: orgKeys.headcount });
    },
  });
}

export function useDeactivateEmployee(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<Employee>(`/employees/${id}`, { method: 'DELETE' }),
    onSuccess: (e) => {
      upsertEmployee(client, e);
      void client.invalidateQueries({ queryKey: orgKeys.headcount });
    },
  });
}

export function useSaveLocation(id?: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: z.output<typeof c.locationCreate>) =>
      id ? api<Location>(`/locations/${id}`, { method: 'PATCH', body }) : api<Location>('/locations', { method: 'POST', body }),
    onSuccess: (row) => upsertIn(client, orgKeys.locations, row),
  });
}

export function useDeactivateLocation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<Location>(`/locations/${id}`, { method: 'DELETE' }),
    onSuccess: (row) => upsertIn(client, orgKeys.locations, row),
  });
}

export function useSaveDepartment(id?: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: z.output<typeof c.departmentCreate>) =>
      id ? api<Department>(`/departments/${id}`, { method: 'PATCH', body }) : api<Department>('/departments', { method: 'POST', body }),
    onSuccess: (row) => upsertIn(client, orgKeys.departments, row),
  });
}

export function useDeactivateDepartment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<Department>(`/departments/${id}`, { method: 'DELETE' }),
    onSuccess: (row) => upsertIn(client, orgKeys.departments, row),
  });
}

export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: z.output<typeof c.userCreate>) => api<User>('/users', { method: 'POST', body }),
    onSuccess: (row) => upsertIn(client, orgKeys.users, row),
  });
}

export function useDeactivateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<User>(`/users/${id}`, { method: 'DELETE' }),
    onSuccess: (row) => upsertIn(client, orgKeys.users, row),
  });
}

export function useUpdateUser(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: z.output<typeof c.userUpdate>) => api<User>(`/users/${id}`, { method: 'PATCH', body }),
    onSuccess: (row) => upsertIn(client, orgKeys.users, row),
  });
}
