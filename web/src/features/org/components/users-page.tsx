import { zodResolver } from '@hookform/resolvers/zod';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { Pencil, Plus, Search, ShieldCheck, UserX } from 'lucide-react';
import { useId, useMemo, useState } from 'react';
import { useController, useForm, type Control, type FieldPath, type FieldValues } from 'react-hook-form';
import { toast } from 'sonner';
import type { z } from 'zod';
import { userCreate, userUpdate, type User } from '@contract/org.ts';
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
import { ApiError, errorMessage } from '@/lib/api';
import { formatDate } from '@/lib/format';
import { useUser } from '@/lib/session';
import { useCreateUser, useDeactivateUser, useUpdateUser } from '../api/org-mutations';
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
  const [editing, setEditing] = useState<User | null>(null);
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
                  // Not opacity: faded text fails contrast; a muted row still reads as inactive.
                  <Tr key={u.id} className={u.active ? undefined : 'bg-muted/40 text-muted-foreground'}>
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
                    <Td className="whitespace-nowrap text-right">
                      <Button variant="ghost" size="sm" onClick={() => setEditing(u)} aria-label={`Edit ${u.email}`}>
                        <Pencil /> Edit
                      </Button>
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
      <Dialog
        open={editing !== null}
        onOpenChange={(o) => !o && setEditing(null)}
        title={`Edit ${editing?.email ?? ''}`}
        description="Role, scope and linked person take effect on their next request."
        className="max-w-xl"
      >
        {editing && <EditUserForm key={editing.id} user={editing} onDone={() => setEditing(null)} />}
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

/**
 * Who a manager acts on: whole locations and/or single departments. A controlled checkbox group, not
 * `register`: react-hook-form reads a lone checkbox as a boolean (or its value string), so an
 * organisation with one location would submit `locationIds: false` and fail the schema.
 */
function ScopeFields<T extends FieldValues & { locationIds?: string[]; departmentIds?: string[] }>({ control, error }: { control: Control<T>; error?: string | undefined }) {
  const locationField = useController({ control, name: 'locationIds' as FieldPath<T> }).field;
  const departmentField = useController({ control, name: 'departmentIds' as FieldPath<T> }).field;
  const locationIds = (locationField.value as string[] | undefined) ?? [];
  const departmentIds = (departmentField.value as string[] | undefined) ?? [];
  const onLocationIds = locationField.onChange;
  const onDepartmentIds = departmentField.onChange;
  const lookups = useOrgLookups();
  const toggle = (list: string[], id: string, on: boolean) => (on ? [...new Set([...list, id])] : list.filter((x) => x !== id));
  // Active ones, plus any inactive one this user is still scoped to (so it can be unticked).
  const locations = lookups.locations.filter((l) => l.active || locationIds.includes(l.id));
  const departments = lookups.departments.filter((d) => d.active || departmentIds.includes(d.id));
  if (lookups.error) return <ErrorState error={lookups.error} onRetry={lookups.refetch} title="Could not load locations and departments" />;
  return (
    <div className="grid gap-2">
      <div className="grid gap-4 sm:grid-cols-2">
        <fieldset className="grid content-start gap-1.5">
          <legend className="mb-1.5 text-sm font-medium">Manages whole locations</legend>
          {locations.map((l) => (
            <label key={l.id} className="flex items-center gap-2 text-sm">
              <Checkbox checked={locationIds.includes(l.id)} onChange={(ev) => onLocationIds(toggle(locationIds, l.id, ev.target.checked))} /> {l.name}
              {!l.active && <span className="text-xs text-muted-foreground">(inactive)</span>}
            </label>
          ))}
        </fieldset>
        <fieldset className="grid max-h-56 content-start gap-1.5 overflow-y-auto">
          <legend className="mb-1.5 text-sm font-medium">…or these departments</legend>
          {departments.map((d) => (
            <label key={d.id} className="flex items-center gap-2 text-sm">
              <Checkbox checked={departmentIds.includes(d.id)} onChange={(ev) => onDepartmentIds(toggle(departmentIds, d.id, ev.target.checked))} /> {d.name}
              <span className="text-xs text-muted-foreground">{lookups.location.get(d.locationId)?.name}{!d.active && ' (inactive)'}</span>
            </label>
          ))}
        </fieldset>
      </div>
      {error && <p role="alert" className="text-xs font-medium text-destructive">{error}</p>}
    </div>
  );
}

function PersonOptions({ current }: { current?: string | null }) {
  const employees = useQuery(employeesQuery);
  return (
    <>
      <option value="">None</option>
      {(employees.data ?? [])
        .filter((p) => p.active || p.id === current)
        .map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
            {p.active ? '' : ' (inactive)'}
          </option>
        ))}
    </>
  );
}

/** Scope means something only for managers: any other role is saved with none, never a stale one. */
function withScopeForRole<T extends { role?: User['role']; departmentIds?: string[]; locationIds?: string[] }>(values: T): T {
  return values.role === 'manager' ? values : { ...values, departmentIds: [], locationIds: [] };
}

const ROLE_OPTIONS = (
  <>
    <option value="employee">Employee</option>
    <option value="manager">Manager</option>
    <option value="admin">Admin</option>
  </>
);

/** The field a server error names (`details.field`), when the form has it. */
function errorField<F extends string>(err: unknown, fields: readonly F[]): F | undefined {
  const field = err instanceof ApiError ? (err.details as { field?: string } | undefined)?.field : undefined;
  return fields.find((f) => f === field);
}

function UserForm({ onDone }: { onDone: () => void }) {
  const id = useId();
  const create = useCreateUser();
  const [serverError, setServerError] = useState<string | null>(null);
  const { register, handleSubmit, formState, watch, control, setError } = useForm<z.input<typeof userCreate>, unknown, z.output<typeof userCreate>>({
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
          const user = await create.mutateAsync(withScopeForRole(values));
          toast.success(`${user.email} can now log in`);
          onDone();
        } catch (err) {
          const field = errorField(err, ['email', 'employeeId', 'departmentIds', 'locationIds'] as const);
          if (field) setError(field, { message: errorMessage(err) });
          else setServerError(errorMessage(err));
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
          <Select id={`${id}-role`} {...register('role')}>{ROLE_OPTIONS}</Select>
        </Field>
        <Field id={`${id}-employee`} label="Linked person" hint="Their own record in the directory" error={e.employeeId?.message}>
          <Select id={`${id}-employee`} {...register('employeeId', { setValueAs: (v: string | null) => (v ? v : null) })}>
            <PersonOptions />
          </Select>
        </Field>
      </div>
      {role === 'manager' && (
        <ScopeFields control={control} error={e.locationIds?.message ?? e.departmentIds?.message} />
      )}
      <div className="flex justify-end gap-2 border-t pt-4">
        <Button variant="outline" onClick={onDone}>Cancel</Button>
        <Button type="submit" disabled={formState.isSubmitting}>Add user</Button>
      </div>
    </form>
  );
}

type EditIn = z.input<typeof userUpdate>;
type EditOut = z.output<typeof userUpdate>;

/**
 * Changes a user's role, manager scope, linked person or password, validated with `userUpdate`, the
 * schema the server checks the PATCH with. Only changed fields are sent, so the audit entry names
 * exactly what moved.
 */
function EditUserForm({ user, onDone }: { user: User; onDone: () => void }) {
  const id = useId();
  const me = useUser();
  const update = useUpdateUser(user.id);
  const self = user.id === me.id;
  const [serverError, setServerError] = useState<string | null>(null);
  const { register, handleSubmit, formState, watch, control, setError } = useForm<EditIn, unknown, EditOut>({
    resolver: zodResolver(userUpdate),
    defaultValues: { name: user.name, password: undefined, role: user.role, employeeId: user.employeeId, departmentIds: user.departmentIds, locationIds: user.locationIds },
  });
  const role = watch('role');
  const e = formState.errors;
  return (
    <form
      noValidate
      className="grid gap-4"
      onSubmit={handleSubmit(async (values) => {
        setServerError(null);
        const next = withScopeForRole({ ...values, role: values.role ?? user.role });
        const body: EditOut = {};
        if (next.name !== undefined && next.name !== user.name) body.name = next.name;
        if (next.role !== undefined && next.role !== user.role) body.role = next.role;
        if (next.employeeId !== undefined && next.employeeId !== user.employeeId) body.employeeId = next.employeeId;
        const same = (a: string[] | undefined, b: string[]) => !a || (a.length === b.length && a.every((x) => b.includes(x)));
        if (!same(next.departmentIds, user.departmentIds)) body.departmentIds = next.departmentIds;
        if (!same(next.locationIds, user.locationIds)) body.locationIds = next.locationIds;
        if (next.password) body.password = next.password;
        if (Object.keys(body).length === 0) return onDone();
        try {
          const saved = await update.mutateAsync(body);
          toast.success(body.password ? `${saved.email} updated; their sessions were ended` : `${saved.email} updated`);
          onDone();
        } catch (err) {
          const field = errorField(err, ['name', 'password', 'role', 'employeeId', 'departmentIds', 'locationIds'] as const);
          if (field) setError(field, { message: errorMessage(err) });
          else setServerError(errorMessage(err));
        }
      })}
    >
      <FormError message={serverError} />
      {!user.active && (
        <p className="rounded-md border bg-muted/50 px-3 py-2 text-sm text-muted-foreground">
          This account is deactivated: changes are kept, but it cannot log in.
        </p>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id={`${id}-email`} label="E-mail" hint="The log-in; it cannot be changed">
          <Input id={`${id}-email`} value={user.email} readOnly disabled />
        </Field>
        <Field id={`${id}-name`} label="Name" error={e.name?.message}>
          <Input id={`${id}-name`} autoComplete="off" aria-invalid={!!e.name || undefined} {...register('name')} />
        </Field>
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id={`${id}-role`} label="Role" hint={self ? 'You cannot change your own role' : undefined} error={e.role?.message}>
          <Select id={`${id}-role`} disabled={self} {...register('role')}>{ROLE_OPTIONS}</Select>
        </Field>
        <Field id={`${id}-employee`} label="Linked person" hint="Their own record in the directory" error={e.employeeId?.message}>
          <Select id={`${id}-employee`} {...register('employeeId', { setValueAs: (v: string | null) => (v ? v : null) })}>
            <PersonOptions current={user.employeeId} />
          </Select>
        </Field>
      </div>
      {role === 'manager' && (
        <ScopeFields control={control} error={e.locationIds?.message ?? e.departmentIds?.message} />
      )}
      <Field
        id={`${id}-password`}
        label="New password"
        hint={self ? 'Leave blank to keep it. A new one logs you out everywhere.' : 'Leave blank to keep it. A new one ends their sessions at once.'}
        error={e.password?.message}
      >
        <Input
          id={`${id}-password`}
          type="password"
          autoComplete="new-password"
          aria-invalid={!!e.password || undefined}
          {...register('password', { setValueAs: (v: string | undefined) => (v ? v : undefined) })}
        />
      </Field>
      <div className="flex justify-end gap-2 border-t pt-4">
        <Button variant="outline" onClick={onDone}>Cancel</Button>
        <Button type="submit" disabled={formState.isSubmitting}>Save changes</Button>
      </div>
    </form>
  );
}
