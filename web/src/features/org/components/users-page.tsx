import { zodResolver } from '@hookform/resolvers/zod';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { Plus, Search, ShieldCheck, UserX } from 'lucide-react';
import { useId, useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { toast } from 'sonner';
import type { z } from 'zod';
import { userCreate, type User } from '@contract/org.ts';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ConfirmDialog, Dialog } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Checkbox, Input } from '@/components/ui/input';
import { PageHeader } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { errorMessage } from '@/lib/api';
import { formatDate } from '@/lib/format';
import { useUser } from '@/lib/session';
import { useCreateUser, useDeactivateUser } from '../api/org-mutations';
import { employeesQuery, useOrgLookups, usersQuery } from '../api/org-queries';

const ROLE_VARIANT = { admin: 'default', manager: 'warning', employee: 'secondary' } as const;

export function UsersPage() {
  const me = useUser();
  const users = useQuery(usersQuery);
  const employees = useQuery(employeesQuery);
  const lookups = useOrgLookups();
  const [role, setRole] = useState('');
  const [q, setQ] = useState('');
  const [showInactive, setShowInactive] = useState(false);
  const [creating, setCreating] = useState(false);
  const [removing, setRemoving] = useState<User | null>(null);
  const deactivate = useDeactivateUser();
  const employeeName = useMemo(() => new Map((employees.data ?? []).map((e) => [e.id, e.name])), [employees.data]);

  const rows = (users.data ?? []).filter(
    (u) =>
      (showInactive || u.active) &&
      (!role || u.role === role) &&
      (!q || `${u.name} ${u.email}`.toLowerCase().includes(q.trim().toLowerCase())),
  );

  const scope = (u: User) => {
    if (u.role === 'admin') return <span className="text-muted-foreground">Whole organisation</span>;
    if (u.role === 'employee') return <span className="text-muted-foreground">Own record</span>;
    const names = [
      ...u.locationIds.map((id) => `${lookups.location.get(id)?.name ?? id} (all)`),
      ...u.departmentIds.map((id) => lookups.department.get(id)?.name ?? id),
    ];
    return names.length ? names.join(', ') : <span className="text-muted-foreground">Nothing assigned</span>;
  };

  return (
    <>
      <PageHeader
        title="Users & roles"
        description="Log-in accounts. Admins run the organisation; managers act on their departments or locations; employees see their own records."
        actions={<Button onClick={() => setCreating(true)}><Plus /> Add user</Button>}
      />
      <div role="search" aria-label="Filter users" className="mb-3 flex flex-wrap items-center gap-2">
        <div className="relative min-w-56 flex-1">
          <Search aria-hidden className="pointer-events-none absolute left-2.5 top-1/2 size-4 -translate-y-1/2 text-muted-foreground" />
          <Input type="search" aria-label="Search users" placeholder="Search name or e-mail…" className="pl-8" value={q} onChange={(e) => setQ(e.target.value)} />
        </div>
        <Select aria-label="Role" className="w-40" value={role} onChange={(e) => setRole(e.target.value)}>
          <option value="">All roles</option>
          <option value="admin">Admin</option>
          <option value="manager">Manager</option>
          <option value="employee">Employee</option>
        </Select>
        <label className="flex items-center gap-2 text-sm">
          <Checkbox checked={showInactive} onChange={(e) => setShowInactive(e.target.checked)} /> Show deactivated
        </label>
      </div>
      <Card className="overflow-hidden">
        {users.isPending ? (
          <LoadingState label="Loading users" />
        ) : users.isError ? (
          <ErrorState error={users.error} onRetry={() => void users.refetch()} />
        ) : rows.length === 0 ? (
          <EmptyState icon={<ShieldCheck />} title="No users match" />
        ) : (
          <div className="overflow-x-auto">
            <Table>
              <THead>
                <tr>
                  <Th scope="col">User</Th>
                  <Th scope="col">Role</Th>
                  <Th scope="col">Scope</Th>
                  <Th scope="col">Person</Th>
                  <Th scope="col">Since</Th>
                  <Th scope="col"><span className="sr-only">Actions</span></Th>
                </tr>
              </THead>
              <TBody>
                {rows.map((u) => (
                  <Tr key={u.id} className={u.active ? undefined : 'opacity-60'}>
                    <Td>
                      <div className="font-medium">{u.name}</div>
                      <div className="text-xs text-muted-foreground">{u.email}</div>
                    </Td>
                    <Td>
                      <Badge variant={ROLE_VARIANT[u.role]}>{u.role}</Badge> {!u.active && <Badge variant="secondary">deactivated</Badge>}
                    </Td>
                    <Td className="max-w-72 text-sm">{scope(u)}</Td>
                    <Td>
                      {u.employeeId ? (
                        <Link to="/people/$id" params={{ id: u.employeeId }} className="hover:underline">{employeeName.get(u.employeeId) ?? 'View person'}</Link>
                      ) : (
                        <span className="text-muted-foreground">—</span>
                      )}
                    </Td>
                    <Td className="whitespace-nowrap text-muted-foreground">{formatDate(u.createdAt)}</Td>
                    <Td className="text-right">
                      {u.active && u.id !== me.id && (
                        <Button variant="ghost" size="sm" className="text-destructive" onClick={() => setRemoving(u)} aria-label={`Deactivate ${u.email}`}>
                          <UserX /> Deactivate
                        </Button>
                      )}
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          </div>
        )}
      </Card>
      <Dialog open={creating} onOpenChange={setCreating} title="Add user" description="They can log in straight away with this password." className="max-w-xl">
        {creating && <UserForm onDone={() => setCreating(false)} />}
      </Dialog>
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(o) => !o && setRemoving(null)}
        title={`Deactivate ${removing?.email ?? ''}?`}
        description="Their sessions end at once and open pages return to the log-in screen."
        confirmLabel="Deactivate"
        pending={deactivate.isPending}
        onConfirm={() =>
          removing &&
          deactivate.mutate(removing.id, {
            onSuccess: (u) => { toast.success(`${u.email} deactivated`); setRemoving(null); },
            onError: (err) => { toast.error(errorMessage(err)); setRemoving(null); },
          })
        }
      />
    </>
  );
}

function UserForm({ onDone }: { onDone: () => void }) {
  const id = useId();
  const create = useCreateUser();
  const lookups = useOrgLookups();
  const employees = useQuery(employeesQuery);
  const [serverError, setServerError] = useState<string | null>(null);
  const { register, handleSubmit, formState, watch } = useForm<z.input<typeof userCreate>, unknown, z.output<typeof userCreate>>({
    resolver: zodResolver(userCreate),
    defaultValues: { email: '', name: '', password: '', role: 'employee', employeeId: null, departmentIds: [], locationIds: [] },
  });
  const role = watch('role');
  const e = formState.errors;
  return (
    <form
      noValidate
      className="grid gap-4"
      onSubmit={handleSubmit(async (values) => {
        setServerError(null);
        try {
          const user = await create.mutateAsync(values);
          toast.success(`${user.email} can now log in`);
          onDone();
        } catch (err) {
          setServerError(errorMessage(err));
        }
      })}
    >
      <FormError message={serverError} />
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id={`${id}-email`} label="E-mail" error={e.email?.message}>
          <Input id={`${id}-email`} type="email" autoComplete="off" autoFocus aria-invalid={!!e.email || undefined} {...register('email')} />
        </Field>
        <Field id={`${id}-name`} label="Name" hint="Optional" error={e.name?.message}>
          <Input id={`${id}-name`} autoComplete="off" {...register('name', { setValueAs: (v: string) => (v?.trim() ? v : undefined) })} />
        </Field>
      </div>
      <Field id={`${id}-password`} label="Initial password" hint="At least 10 characters; share it privately." error={e.password?.message}>
        <Input id={`${id}-password`} type="password" autoComplete="new-password" aria-invalid={!!e.password || undefined} {...register('password')} />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id={`${id}-role`} label="Role" error={e.role?.message}>
          <Select id={`${id}-role`} {...register('role')}>
            <option value="employee">Employee</option>
            <option value="manager">Manager</option>
            <option value="admin">Admin</option>
          </Select>
        </Field>
        <Field id={`${id}-employee`} label="Linked person" hint="Their own record in the directory" error={e.employeeId?.message}>
          <Select id={`${id}-employee`} {...register('employeeId', { setValueAs: (v: string | null) => (v ? v : null) })}>
            <option value="">None</option>
            {(employees.data ?? []).filter((p) => p.active).map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </Select>
        </Field>
      </div>
      {role === 'manager' && (
        <div className="grid gap-4 sm:grid-cols-2">
          <fieldset className="grid content-start gap-1.5">
            <legend className="mb-1.5 text-sm font-medium">Manages whole locations</legend>
            {lookups.locations.filter((l) => l.active).map((l) => (
              <label key={l.id} className="flex items-center gap-2 text-sm">
                <Checkbox value={l.id} {...register('locationIds')} /> {l.name}
              </label>
            ))}
          </fieldset>
          <fieldset className="grid max-h-56 content-start gap-1.5 overflow-y-auto">
            <legend className="mb-1.5 text-sm font-medium">…or these departments</legend>
            {lookups.departments.filter((d) => d.active).map((d) => (
              <label key={d.id} className="flex items-center gap-2 text-sm">
                <Checkbox value={d.id} {...register('departmentIds')} /> {d.name}
                <span className="text-xs text-muted-foreground">{lookups.location.get(d.locationId)?.name}</span>
              </label>
            ))}
          </fieldset>
        </div>
      )}
      <div className="flex justify-end gap-2 border-t pt-4">
        <Button variant="outline" onClick={onDone}>Cancel</Button>
        <Button type="submit" disabled={formState.isSubmitting}>Add user</Button>
      </div>
    </form>
  );
}
