import { zodResolver } from '@hookform/resolvers/zod';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { Building2, Pencil, Plus } from 'lucide-react';
import { useId, useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { toast } from 'sonner';
import type { z } from 'zod';
import { departmentCreate, type Department } from '@contract/org.ts';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ConfirmDialog, Dialog } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { PageHeader } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { errorMessage } from '@/lib/api';
import { numberFormat } from '@/lib/format';
import { useUser } from '@/lib/session';
import { useDeactivateDepartment, useSaveDepartment } from '../api/org-mutations';
import { headcountQuery, useOrgLookups } from '../api/org-queries';

export function DepartmentsPage() {
  const me = useUser();
  const lookups = useOrgLookups();
  const headcount = useQuery(headcountQuery);
  const [editing, setEditing] = useState<Department | 'new' | null>(null);
  const [removing, setRemoving] = useState<Department | null>(null);
  const deactivate = useDeactivateDepartment();
  const isAdmin = me.role === 'admin';
  const people = useMemo(() => new Map((headcount.data?.items ?? []).map((r) => [r.departmentId, r.active])), [headcount.data]);
  const max = Math.max(1, ...people.values());
  const rows = useMemo(
    () =>
      [...lookups.departments].sort(
        (a, b) => (lookups.location.get(a.locationId)?.name ?? '').localeCompare(lookups.location.get(b.locationId)?.name ?? '') || a.name.localeCompare(b.name),
      ),
    [lookups.departments, lookups.location],
  );

  return (
    <>
      <PageHeader
        title="Departments"
        description="Teams within each location, with their active headcount."
        actions={isAdmin && <Button onClick={() => setEditing('new')}><Plus /> Add department</Button>}
      />
      <Card className="overflow-hidden">
        {lookups.isPending ? (
          <LoadingState label="Loading departments" rows={6} />
        ) : lookups.error ? (
          <ErrorState error={lookups.error} onRetry={lookups.refetch} />
        ) : rows.length === 0 ? (
          <EmptyState icon={<Building2 />} title="No departments yet" description={isAdmin ? 'Add a department to a location.' : 'None in your scope.'} />
        ) : (
          <Table>
            <THead>
              <tr>
                <Th scope="col">Department</Th>
                <Th scope="col">Location</Th>
                <Th scope="col" className="w-1/3">Active people</Th>
                <Th scope="col">Status</Th>
                {isAdmin && <Th scope="col"><span className="sr-only">Actions</span></Th>}
              </tr>
            </THead>
            <TBody>
              {rows.map((d) => {
                const n = people.get(d.id) ?? 0;
                const loc = lookups.location.get(d.locationId);
                return (
                  <Tr key={d.id}>
                    <Td className="font-medium">
                      <Link to="/people" search={{ departmentId: d.id }} className="hover:underline">{d.name}</Link>
                    </Td>
                    <Td>
                      {loc?.name ?? '—'} {loc && <span className="text-xs text-muted-foreground">({loc.timezone})</span>}
                    </Td>
                    <Td>
                      <div className="flex items-center gap-3">
                        <div className="h-1.5 flex-1 overflow-hidden rounded-full bg-muted" aria-hidden>
                          <div className="h-full rounded-full bg-primary" style={{ width: `${(n / max) * 100}%` }} />
                        </div>
                        <span className="w-10 text-right tabular-nums">{headcount.data ? numberFormat.format(n) : '…'}</span>
                      </div>
                    </Td>
                    <Td>{d.active ? <Badge variant="success">Active</Badge> : <Badge variant="secondary">Inactive</Badge>}</Td>
                    {isAdmin && (
                      <Td>
                      <div className="flex justify-end gap-1">
                        <Button variant="ghost" size="sm" onClick={() => setEditing(d)} aria-label={`Edit ${d.name}`}><Pencil /> Edit</Button>
                        {d.active && <Button variant="ghost" size="sm" className="text-destructive" onClick={() => setRemoving(d)} aria-label={`Deactivate ${d.name}`}>Deactivate</Button>}
                        </div>
                      </Td>
                    )}
                  </Tr>
                );
              })}
            </TBody>
          </Table>
        )}
      </Card>
      <Dialog open={editing !== null} onOpenChange={(o) => !o && setEditing(null)} title={editing === 'new' ? 'Add department' : 'Edit department'}>
        {editing !== null && <DepartmentForm department={editing === 'new' ? undefined : editing} onDone={() => setEditing(null)} />}
      </Dialog>
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(o) => !o && setRemoving(null)}
        title={`Deactivate ${removing?.name ?? ''}?`}
        description="It is kept for history but no longer offered for new people."
        confirmLabel="Deactivate"
        pending={deactivate.isPending}
        onConfirm={() =>
          removing &&
          deactivate.mutate(removing.id, {
            onSuccess: (d) => { toast.success(`${d.name} deactivated`); setRemoving(null); },
            onError: (err) => { toast.error(errorMessage(err)); setRemoving(null); },
          })
        }
      />
    </>
  );
}

function DepartmentForm({ department, onDone }: { department?: Department; onDone: () => void }) {
  const id = useId();
  const lookups = useOrgLookups();
  const save = useSaveDepartment(department?.id);
  const [serverError, setServerError] = useState<string | null>(null);
  const { register, handleSubmit, formState } = useForm<z.input<typeof departmentCreate>, unknown, z.output<typeof departmentCreate>>({
    resolver: zodResolver(departmentCreate),
    defaultValues: { name: department?.name ?? '', locationId: department?.locationId ?? '' },
  });
  const e = formState.errors;
  return (
    <form
      noValidate
      className="grid gap-4"
      onSubmit={handleSubmit(async (values) => {
        setServerError(null);
        try {
          const saved = await save.mutateAsync(values);
          toast.success(department ? 'Department saved' : `${saved.name} added`);
          onDone();
        } catch (err) {
          setServerError(errorMessage(err));
        }
      })}
    >
      <FormError message={serverError} />
      <Field id={`${id}-name`} label="Name" error={e.name?.message}>
        <Input id={`${id}-name`} autoFocus aria-invalid={!!e.name || undefined} {...register('name')} />
      </Field>
      <Field id={`${id}-loc`} label="Location" error={e.locationId ? 'Choose a location' : undefined}>
        <Select id={`${id}-loc`} aria-invalid={!!e.locationId || undefined} {...register('locationId')}>
          <option value="">Choose…</option>
          {lookups.locations.filter((l) => l.active).map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
        </Select>
      </Field>
      <div className="flex justify-end gap-2 border-t pt-4">
        <Button variant="outline" onClick={onDone}>Cancel</Button>
        <Button type="submit" disabled={formState.isSubmitting}>{department ? 'Save' : 'Add department'}</Button>
      </div>
    </form>
  );
}
