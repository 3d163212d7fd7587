import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { ArrowLeft, Building2, Clock, History, Mail, MapPin, Pencil, UserX } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { toast } from 'sonner';
import type { Employee } from '@contract/org.ts';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmDialog, Dialog } from '@/components/ui/dialog';
import { LocalClock } from '@/components/ui/local-clock';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { errorMessage } from '@/lib/api';
import { formatDateTime, zoneLabel } from '@/lib/format';
import { useUser } from '@/lib/session';
import { initials } from '@/lib/utils';
import { auditQuery } from '@/features/audit/api/audit-queries';
import { AuditEntry } from '@/features/audit/components/audit-entry';
import { useDeactivateEmployee, useUpdateEmployee } from '../api/org-mutations';
import { employeeQuery, useOrgLookups, usersQuery } from '../api/org-queries';
import { EmployeeForm } from './employee-form';

function Row({ icon, label, children }: { icon: ReactNode; label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[1.25rem_8rem_1fr] items-start gap-2 py-2.5 text-sm [&_svg]:size-4">
      <span aria-hidden className="mt-0.5 text-muted-foreground">{icon}</span>
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="min-w-0">{children}</dd>
    </div>
  );
}

export function PersonDetail({ id, self = false }: { id: string; self?: boolean }) {
  const me = useUser();
  const query = useQuery(employeeQuery(id));
  if (query.isPending) return <LoadingState label="Loading person" rows={6} />;
  if (query.isError) return <Card><ErrorState error={query.error} onRetry={() => void query.refetch()} title="Could not load this person" /></Card>;
  return <PersonView employee={query.data} self={self} canEdit={!self && (me.role === 'admin' || me.role === 'manager')} />;
}

function PersonView({ employee, self, canEdit }: { employee: Employee; self: boolean; canEdit: boolean }) {
  const me = useUser();
  const lookups = useOrgLookups();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const update = useUpdateEmployee(employee.id);
  const deactivate = useDeactivateEmployee(employee.id);
  const users = useQuery({ ...usersQuery, enabled: me.role === 'admin' });
  const history = useInfiniteQuery(auditQuery({ entityType: 'employee', entityId: employee.id }, 20));
  const location = lookups.location.get(employee.locationId);
  const department = lookups.department.get(employee.departmentId);
  const zone = location?.timezone;
  const accounts = (users.data ?? []).filter((u) => u.employeeId === employee.id);
  const events = history.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      {!self && (
        <Link to="/people" className="mb-4 inline-flex items-center gap-1.5 rounded text-sm text-muted-foreground hover:text-foreground">
          <ArrowLeft aria-hidden className="size-4" /> People
        </Link>
      )}
      <div className="mb-6 flex flex-wrap items-center justify-between gap-4">
        <div className="flex items-center gap-4">
          <span aria-hidden className="flex size-14 items-center justify-center rounded-full bg-primary/10 text-lg font-semibold text-primary">
            {initials(employee.name)}
          </span>
          <div>
            <h1 className="flex items-center gap-2 text-xl font-semibold tracking-tight">
              {self ? 'My profile' : employee.name}
              {employee.active ? <Badge variant="success">Active</Badge> : <Badge variant="secondary">Inactive</Badge>}
            </h1>
            <p className="text-sm text-muted-foreground">
              {self && <>{employee.name} · </>}
              {lookups.isPending || lookups.isError ? (
                <span className="sr-only">Department and location not loaded</span>
              ) : (
                <>
                  {department?.name ?? 'Unknown department'} · {location?.name ?? 'Unknown location'}
                </>
              )}
            </p>
          </div>
        </div>
        {canEdit && (
          <div className="flex gap-2">
            <Button variant="outline" onClick={() => setEditing(true)}>
              <Pencil /> Edit
            </Button>
            {employee.active && (
              <Button variant="outline" className="text-destructive" onClick={() => setConfirming(true)}>
                <UserX /> Deactivate
              </Button>
            )}
          </div>
        )}
      </div>

      <div className="grid gap-4 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="grid content-start gap-4">
          <Card>
            <CardHeader>
              <CardTitle>Details</CardTitle>
            </CardHeader>
            <CardContent>
              <dl className="divide-y">
                <Row icon={<Mail />} label="E-mail">
                  {employee.email ? <a className="hover:underline" href={`mailto:${employee.email}`}>{employee.email}</a> : <span className="text-muted-foreground">none</span>}
                </Row>
                <Row icon={<Building2 />} label="Department">{department?.name ?? '—'}</Row>
                <Row icon={<MapPin />} label="Location">
                  {location ? (
                    <>
                      {location.name} <span className="text-muted-foreground">· {zoneLabel(location.timezone)}</span>
                    </>
                  ) : '—'}
                </Row>
                {zone && (
                  <Row icon={<Clock />} label="Local time now">
                    <LocalClock zone={zone} /> <span className="text-muted-foreground">({zone})</span>
                  </Row>
                )}
              </dl>
              {lookups.isError && (
                <ErrorState error={lookups.error} onRetry={lookups.refetch} title="Could not load locations and departments" />
              )}
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <div>
                <CardTitle>History</CardTitle>
                <CardDescription>Changes to this record, live. Times in your zone.</CardDescription>
              </div>
            </CardHeader>
            {history.isPending ? (
              <LoadingState rows={3} />
            ) : history.isError ? (
              <ErrorState error={history.error} onRetry={() => void history.refetch()} />
            ) : events.length === 0 ? (
              <EmptyState icon={<History />} title="No recorded changes" />
            ) : (
              <ul aria-label="History" className="divide-y border-t">
                {events.map((e) => (
                  <AuditEntry key={e.seq} event={e} lookups={lookups} />
                ))}
              </ul>
            )}
          </Card>
        </div>
        <div className="grid content-start gap-4">
          <Card>
            <CardHeader>
              <CardTitle>Record</CardTitle>
            </CardHeader>
            <CardContent>
              <dl className="grid gap-3 text-sm">
                <div>
                  <dt className="text-xs text-muted-foreground">Employee id</dt>
                  <dd className="font-mono text-xs break-all">{employee.id}</dd>
                </div>
                <div>
                  <dt className="text-xs text-muted-foreground">Created {zone && `(${zone})`}</dt>
                  <dd>{formatDateTime(employee.createdAt, zone)}</dd>
                </div>
                <div>
                  <dt className="text-xs text-muted-foreground">Last changed {zone && `(${zone})`}</dt>
                  <dd>{formatDateTime(employee.updatedAt, zone)}</dd>
                </div>
                {me.role === 'admin' && (
                  <div>
                    <dt className="text-xs text-muted-foreground">Log-in</dt>
                    <dd>
                      {accounts.length ? accounts.map((u) => (
                        <span key={u.id} className="mr-2 inline-flex items-center gap-1.5">
                          {u.email} <Badge variant="secondary">{u.role}</Badge>
                        </span>
                      )) : <span className="text-muted-foreground">No log-in account</span>}
                    </dd>
                  </div>
                )}
              </dl>
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>External ids</CardTitle>
            </CardHeader>
            <CardContent>
              {Object.keys(employee.externalIds).length ? (
                <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1.5 text-sm">
                  {Object.entries(employee.externalIds).map(([k, v]) => (
                    <div key={k} className="contents">
                      <dt className="text-muted-foreground">{k}</dt>
                      <dd className="font-mono text-xs leading-5 break-all">{v}</dd>
                    </div>
                  ))}
                </dl>
              ) : (
                <p className="text-sm text-muted-foreground">None recorded.</p>
              )}
            </CardContent>
          </Card>
        </div>
      </div>

      <Dialog open={editing} onOpenChange={setEditing} title={`Edit ${employee.name}`} className="max-w-xl">
        <EmployeeForm
          employee={employee}
          onCancel={() => setEditing(false)}
          onSubmit={async (body) => {
            await update.mutateAsync(body);
            setEditing(false);
            toast.success('Changes saved');
          }}
        />
      </Dialog>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title={`Deactivate ${employee.name}?`}
        description="They leave the active headcount and schedules. Their history is kept."
        confirmLabel="Deactivate"
        pending={deactivate.isPending}
        onConfirm={() =>
          deactivate.mutate(undefined, {
            onSuccess: () => {
              setConfirming(false);
              toast.success(`${employee.name} deactivated`);
            },
            onError: (err) => {
              setConfirming(false);
              toast.error(errorMessage(err));
            },
          })
        }
      />
    </>
  );
}
