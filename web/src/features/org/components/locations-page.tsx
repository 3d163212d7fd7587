import { zodResolver } from '@hookform/resolvers/zod';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { MapPin, Pencil, Plus } from 'lucide-react';
import { useId, useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { toast } from 'sonner';
import type { z } from 'zod';
import { locationCreate, type Location } from '@contract/org.ts';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ConfirmDialog, Dialog } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { LocalClock } from '@/components/ui/local-clock';
import { PageHeader } from '@/components/ui/page';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { errorMessage } from '@/lib/api';
import { numberFormat, zoneOffset } from '@/lib/format';
import { useUser } from '@/lib/session';
import { useDeactivateLocation, useSaveLocation } from '../api/org-mutations';
import { departmentsQuery, headcountQuery, locationsQuery } from '../api/org-queries';

export function LocationsPage() {
  const me = useUser();
  const locations = useQuery(locationsQuery);
  const departments = useQuery(departmentsQuery);
  const headcount = useQuery(headcountQuery);
  const [editing, setEditing] = useState<Location | 'new' | null>(null);
  const [removing, setRemoving] = useState<Location | null>(null);
  const deactivate = useDeactivateLocation();
  const isAdmin = me.role === 'admin';

  const people = useMemo(() => {
    const m = new Map<string, number>();
    for (const r of headcount.data?.items ?? []) m.set(r.locationId, (m.get(r.locationId) ?? 0) + r.active);
    return m;
  }, [headcount.data]);

  return (
    <>
      <PageHeader
        title="Locations"
        description="Sites and their time zones. Schedules are written in each location's wall-clock time."
        actions={isAdmin && <Button onClick={() => setEditing('new')}><Plus /> Add location</Button>}
      />
      <Card className="overflow-hidden">
        {locations.isPending ? (
          <LoadingState label="Loading locations" rows={3} />
        ) : locations.isError ? (
          <ErrorState error={locations.error} onRetry={() => void locations.refetch()} />
        ) : locations.data.length === 0 ? (
          <EmptyState icon={<MapPin />} title="No locations yet" description={isAdmin ? 'Add your first site.' : 'None in your scope.'} />
        ) : (
          <Table>
            <THead>
              <tr>
                <Th scope="col">Location</Th>
                <Th scope="col">Time zone</Th>
                <Th scope="col">Local time now</Th>
                <Th scope="col" className="text-right">Departments</Th>
                <Th scope="col" className="text-right">Active people</Th>
                <Th scope="col">Status</Th>
                {isAdmin && <Th scope="col"><span className="sr-only">Actions</span></Th>}
              </tr>
            </THead>
            <TBody>
              {locations.data.map((l) => (
                <Tr key={l.id}>
                  <Td className="font-medium">
                    <Link to="/people" search={{ locationId: l.id }} className="hover:underline">{l.name}</Link>
                  </Td>
                  <Td>
                    <span className="font-mono text-xs">{l.timezone}</span> <span className="text-xs text-muted-foreground">{zoneOffset(l.timezone)}</span>
                  </Td>
                  <Td><LocalClock zone={l.timezone} /></Td>
                  <Td className="text-right tabular-nums">{(departments.data ?? []).filter((d) => d.locationId === l.id && d.active).length}</Td>
                  <Td className="text-right tabular-nums">{headcount.data ? numberFormat.format(people.get(l.id) ?? 0) : '…'}</Td>
                  <Td>{l.active ? <Badge variant="success">Active</Badge> : <Badge variant="secondary">Inactive</Badge>}</Td>
                  {isAdmin && (
                    <Td>
                      <div className="flex justify-end gap-1">
                      <Button variant="ghost" size="sm" onClick={() => setEditing(l)} aria-label={`Edit ${l.name}`}><Pencil /> Edit</Button>
                      {l.active && <Button variant="ghost" size="sm" className="text-destructive" onClick={() => setRemoving(l)} aria-label={`Deactivate ${l.name}`}>Deactivate</Button>}
                      </div>
                    </Td>
                  )}
                </Tr>
              ))}
            </TBody>
          </Table>
        )}
      </Card>
      <Dialog open={editing !== null} onOpenChange={(o) => !o && setEditing(null)} title={editing === 'new' ? 'Add location' : 'Edit location'}>
        {editing !== null && <LocationForm location={editing === 'new' ? undefined : editing} onDone={() => setEditing(null)} />}
      </Dialog>
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(o) => !o && setRemoving(null)}
        title={`Deactivate ${removing?.name ?? ''}?`}
        description="It is kept for history but no longer offered for new people or schedules."
        confirmLabel="Deactivate"
        pending={deactivate.isPending}
        onConfirm={() =>
          removing &&
          deactivate.mutate(removing.id, {
            onSuccess: (l) => { toast.success(`${l.name} deactivated`); setRemoving(null); },
            onError: (err) => { toast.error(errorMessage(err)); setRemoving(null); },
          })
        }
      />
    </>
  );
}

const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

function LocationForm({ location, onDone }: { location?: Location; onDone: () => void }) {
  const id = useId();
  const save = useSaveLocation(location?.id);
  const [serverError, setServerError] = useState<string | null>(null);
  const { register, handleSubmit, formState } = useForm<z.input<typeof locationCreate>, unknown, z.output<typeof locationCreate>>({
    resolver: zodResolver(locationCreate),
    defaultValues: { name: location?.name ?? '', timezone: location?.timezone ?? '' },
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
          toast.success(location ? 'Location saved' : `${saved.name} added`);
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
      <Field id={`${id}-tz`} label="Time zone" hint="IANA name, e.g. Europe/Berlin or Asia/Kolkata" error={e.timezone?.message}>
        <Input id={`${id}-tz`} list={`${id}-zones`} autoComplete="off" aria-invalid={!!e.timezone || undefined} {...register('timezone')} />
      </Field>
      <datalist id={`${id}-zones`}>
        {zones.map((z) => <option key={z} value={z} />)}
      </datalist>
      <div className="flex justify-end gap-2 border-t pt-4">
        <Button variant="outline" onClick={onDone}>Cancel</Button>
        <Button type="submit" disabled={formState.isSubmitting}>{location ? 'Save' : 'Add location'}</Button>
      </div>
    </form>
  );
}
