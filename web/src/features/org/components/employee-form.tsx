import { zodResolver } from '@hookform/resolvers/zod';
import { Plus, Trash2 } from 'lucide-react';
import { useEffect, useId, useState } from 'react';
import { Controller, useForm, type Control } from 'react-hook-form';
import type { z } from 'zod';
import { employeeCreate, employeeUpdate, type Employee } from '@contract/org.ts';
import { Button } from '@/components/ui/button';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { ApiError, errorMessage } from '@/lib/api';
import { useOrgLookups } from '../api/org-queries';

type FormIn = z.input<typeof employeeCreate>;
type FormOut = z.output<typeof employeeCreate>;

/**
 * Create and edit a person, validated in the browser with the same zod schema the server uses
 * (`employeeCreate`; an edit sends only the changed fields, checked with `employeeUpdate`).
 */
export function EmployeeForm({
  employee,
  onSubmit,
  onCancel,
}: {
  employee?: Employee;
  onSubmit: (body: FormOut | z.output<typeof employeeUpdate>) => Promise<unknown>;
  onCancel: () => void;
}) {
  const id = useId();
  const lookups = useOrgLookups();
  const [serverError, setServerError] = useState<string | null>(null);
  const form = useForm<FormIn, unknown, FormOut>({
    resolver: zodResolver(employeeCreate),
    defaultValues: employee
      ? { name: employee.name, email: employee.email, locationId: employee.locationId, departmentId: employee.departmentId, externalIds: employee.externalIds }
      : { name: '', email: null, locationId: '', departmentId: '', externalIds: {} },
  });
  const { register, handleSubmit, formState, watch, setValue, setError } = form;
  const locationId = watch('locationId');
  const departmentId = watch('departmentId');
  const departments = lookups.departments.filter((d) => d.active && (!locationId || d.locationId === locationId));

  // A department belongs to one location: moving a person clears a department that is not there.
  useEffect(() => {
    const d = departmentId ? lookups.department.get(departmentId) : undefined;
    if (d && locationId && d.locationId !== locationId) setValue('departmentId', '');
  }, [locationId, departmentId, lookups.department, setValue]);

  const submit = handleSubmit(async (values) => {
    setServerError(null);
    try {
      if (employee) {
        const changed: Record<string, unknown> = {};
        for (const key of ['name', 'email', 'locationId', 'departmentId'] as const) {
          if (values[key] !== employee[key]) changed[key] = values[key];
        }
        if (JSON.stringify(values.externalIds) !== JSON.stringify(employee.externalIds)) changed.externalIds = values.externalIds;
        await onSubmit(employeeUpdate.parse(changed));
      } else {
        await onSubmit(values);
      }
    } catch (err) {
      const field = err instanceof ApiError ? (err.details as { field?: string } | undefined)?.field : undefined;
      if (field && ['name', 'email', 'locationId', 'departmentId'].includes(field)) {
        setError(field as 'name', { message: errorMessage(err) });
      } else {
        setServerError(errorMessage(err));
      }
    }
  });

  const e = formState.errors;
  const aria = (name: keyof FormIn) => ({
    'aria-invalid': e[name] ? true : undefined,
    'aria-describedby': e[name] ? `${id}-${name}-error` : undefined,
  });

  return (
    <form onSubmit={submit} noValidate className="grid gap-4">
      <FormError message={serverError} />
      <Field id={`${id}-name`} label="Full name" error={e.name && (e.name.type === 'too_small' ? 'Enter their name' : e.name.message)}>
        <Input id={`${id}-name`} autoComplete="off" autoFocus {...register('name')} {...aria('name')} />
      </Field>
      <Field id={`${id}-email`} label="Work e-mail" hint="Optional" error={e.email?.message}>
        <Input id={`${id}-email`} type="email" autoComplete="off" {...register('email', { setValueAs: (v: string | null) => (v ? v : null) })} {...aria('email')} />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id={`${id}-locationId`} label="Location" error={e.locationId ? 'Choose a location' : undefined}>
          <Select id={`${id}-locationId`} {...register('locationId')} {...aria('locationId')}>
            <option value="">Choose…</option>
            {lookups.locations
              .filter((l) => l.active)
              .map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
          </Select>
        </Field>
        <Field id={`${id}-departmentId`} label="Department" error={e.departmentId ? 'Choose a department' : undefined}>
          <Select id={`${id}-departmentId`} {...register('departmentId')} {...aria('departmentId')}>
            <option value="">Choose…</option>
            {departments.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
                {locationId ? '' : ` · ${lookups.location.get(d.locationId)?.name ?? ''}`}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <ExternalIdsEditor control={form.control} error={(e.externalIds as { message?: string } | undefined)?.message} />
      <div className="flex justify-end gap-2 border-t pt-4">
        <Button variant="outline" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" disabled={formState.isSubmitting}>
          {formState.isSubmitting ? 'Saving…' : employee ? 'Save changes' : 'Add person'}
        </Button>
      </div>
    </form>
  );
}

function ExternalIdsEditor({ control, error }: { control: Control<FormIn, unknown, FormOut>; error?: string }) {
  const id = useId();
  return (
    <Controller
      control={control}
      name="externalIds"
      render={({ field }) => <ExternalIdsRows id={id} value={field.value ?? {}} onChange={field.onChange} error={error} />}
    />
  );
}

function ExternalIdsRows({ id, value, onChange, error }: { id: string; value: Record<string, string>; onChange: (v: Record<string, string>) => void; error?: string }) {
  const [rows, setRows] = useState(() => Object.entries(value).map(([k, v]) => ({ k, v })));
  const update = (next: { k: string; v: string }[]) => {
    setRows(next);
    onChange(Object.fromEntries(next.filter((r) => r.k.trim()).map((r) => [r.k.trim(), r.v])));
  };
  return (
    <fieldset className="grid gap-2">
      <legend className="mb-1.5 text-sm font-medium">External ids</legend>
      <p className="-mt-1 text-xs text-muted-foreground">Identifiers in other systems (payroll, badge reader…).</p>
      {rows.map((row, i) => (
        <div key={i} className="flex gap-2">
          <Input aria-label={`System ${i + 1}`} placeholder="system" value={row.k} onChange={(e) => update(rows.map((r, j) => (j === i ? { ...r, k: e.target.value } : r)))} />
          <Input aria-label={`Id in system ${i + 1}`} placeholder="id" value={row.v} onChange={(e) => update(rows.map((r, j) => (j === i ? { ...r, v: e.target.value } : r)))} />
          <Button variant="ghost" size="icon" aria-label={`Remove external id ${i + 1}`} onClick={() => update(rows.filter((_, j) => j !== i))}>
            <Trash2 />
          </Button>
        </div>
      ))}
      <div>
        <Button id={`${id}-add`} variant="outline" size="sm" onClick={() => update([...rows, { k: '', v: '' }])}>
          <Plus /> Add external id
        </Button>
      </div>
      {error && (
        <p role="alert" className="text-xs font-medium text-destructive">
          {error}
        </p>
      )}
    </fieldset>
  );
}
