import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ArrowDown, ArrowUp, ChevronsUpDown, Download, Plus, Search, Users } from 'lucide-react';
import { useDeferredValue, useMemo, useRef, useState } from 'react';
import { toast } from 'sonner';
import type { Employee, User } from '@contract/org.ts';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Dialog } from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import { PageHeader } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { downloadCsv, toCsv } from '@/lib/csv';
import { numberFormat } from '@/lib/format';
import { useUser } from '@/lib/session';
import { initials } from '@/lib/utils';
import { useCreateEmployee } from '../api/org-mutations';
import { employeesQuery, useOrgLookups, usersQuery } from '../api/org-queries';
import { EmployeeForm } from './employee-form';

export type SortKey = 'name' | 'email' | 'department' | 'location' | 'role';
export interface DirectorySearch {
  q?: string;
  locationId?: string;
  departmentId?: string;
  role?: 'admin' | 'manager' | 'employee' | 'none';
  status?: 'active' | 'inactive' | 'all';
  sort?: SortKey;
  dir?: 'asc' | 'desc';
}

const ROW_HEIGHT = 48;
const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

export function PeopleDirectory({ search, onSearchChange }: { search: DirectorySearch; onSearchChange: (s: DirectorySearch) => void }) {
  const me = useUser();
  const navigate = useNavigate();
  const employees = useQuery(employeesQuery);
  const lookups = useOrgLookups();
  const isAdmin = me.role === 'admin';
  const users = useQuery({ ...usersQuery, enabled: isAdmin });
  const [creating, setCreating] = useState(false);
  const create = useCreateEmployee();
  const [text, setText] = useState(search.q ?? '');
  const q = useDeferredValue(text.trim().toLowerCase());

  const set = (patch: Partial<DirectorySearch>) => {
    const next = { ...search, ...patch };
    for (const k of Object.keys(next) as (keyof DirectorySearch)[]) if (!next[k]) delete next[k];
    onSearchChange(next);
  };

  // A person's log-in role, when they have an account (only admins can list accounts).
  const roleOf = useMemo(() => {
    const map = new Map<string, User['role']>();
    for (const u of users.data ?? []) if (u.employeeId && u.active) map.set(u.employeeId, u.role);
    return map;
  }, [users.data]);

  const status = search.status ?? 'active';
  const sort = search.sort ?? 'name';
  const dir = search.dir ?? 'asc';

  const rows = useMemo(() => {
    const list = (employees.data ?? []).filter((e) => {
      if (status === 'active' && !e.active) return false;
      if (status === 'inactive' && e.active) return false;
      if (search.locationId && e.locationId !== search.locationId) return false;
      if (search.departmentId && e.departmentId !== search.departmentId) return false;
      if (search.role && (roleOf.get(e.id) ?? 'none') !== search.role) return false;
      if (q) {
        const hay = `${e.name}\n${e.email ?? ''}\n${Object.values(e.externalIds).join('\n')}`.toLowerCase();
        if (!hay.includes(q)) return false;
      }
      return true;
    });
    const key = (e: Employee): string => {
      switch (sort) {
        case 'email': return e.email ?? '';
        case 'department': return lookups.department.get(e.departmentId)?.name ?? '';
        case 'location': return lookups.location.get(e.locationId)?.name ?? '';
        case 'role': return roleOf.get(e.id) ?? '~';
        default: return e.name;
      }
    };
    const sign = dir === 'asc' ? 1 : -1;
    return list.sort((a, b) => sign * collator.compare(key(a), key(b)) || collator.compare(a.name, b.name));
  }, [employees.data, status, search.locationId, search.departmentId, search.role, q, sort, dir, lookups, roleOf]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const virtualRows = virtualizer.getVirtualItems();
  const padTop = virtualRows[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (virtualRows.at(-1)?.end ?? 0);

  const exportCsv = () => {
    const header = ['Name', 'E-mail', 'Department', 'Location', 'Time zone', ...(isAdmin ? ['Log-in role'] : []), 'Status', 'External ids', 'Id'];
    const body = rows.map((e) => {
      const loc = lookups.location.get(e.locationId);
      return [
        e.name,
        e.email,
        lookups.department.get(e.departmentId)?.name,
        loc?.name,
        loc?.timezone,
        ...(isAdmin ? [roleOf.get(e.id) ?? ''] : []),
        e.active ? 'active' : 'inactive',
        Object.entries(e.externalIds).map(([k, v]) => `${k}=${v}`).join('; '),
        e.id,
      ];
    });
    downloadCsv(`people-${new Date().toISOString().slice(0, 10)}.csv`, toCsv(header, body));
    toast.success(`Exported ${numberFormat.format(rows.length)} people`);
  };

  const departmentOptions = lookups.departments.filter((d) => !search.locationId || d.locationId === search.locationId);
  const canEdit = me.role === 'admin' || me.role === 'manager';
  const columns: { key: SortKey; label: string; className: string }[] = [
    { key: 'name', label: 'Name', className: 'w-[30%]' },
    { key: 'email', label: 'E-mail', className: 'w-[26%]' },
    { key: 'department', label: 'Department', className: 'w-[17%]' },
    { key: 'location', label: 'Location', className: 'w-[17%]' },
    ...(isAdmin ? [{ key: 'role' as const, label: 'Log-in', className: 'w-[10%]' }] : []),
  ];

  return (
    <>
      <PageHeader
        title="People"
        description={employees.data ? `${numberFormat.format(employees.data.filter((e) => e.active).length)} active people in your scope` : 'Everyone in your scope'}
        actions={
          <>
            <Button variant="outline" onClick={exportCsv} disabled={!rows.length}>
              <Download /> Export CSV
            </Button>
            {canEdit && (
              <Button onClick={() => setCreating(true)}>
                <Plus /> Add person
              </Button>
            )}
          </>
        }
      />
      <div role="search" aria-label="Filter people" className="mb-3 flex flex-wrap items-center gap-2">
        <div className="relative min-w-56 flex-1">
          <Search aria-hidden className="pointer-events-none absolute left-2.5 top-1/2 size-4 -translate-y-1/2 text-muted-foreground" />
          <Input
            type="search"
            aria-label="Search people by name, e-mail or external id"
            placeholder="Search name, e-mail, external id…"
            className="pl-8"
            value={text}
            onChange={(e) => setText(e.target.value)}
            onBlur={() => set({ q: text.trim() || undefined })}
            onKeyDown={(e) => e.key === 'Enter' && set({ q: text.trim() || undefined })}
          />
        </div>
        <Select aria-label="Location" className="w-44" value={search.locationId ?? ''} onChange={(e) => set({ locationId: e.target.value || undefined, departmentId: undefined })}>
          <option value="">All locations</option>
          {lookups.locations.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </Select>
        <Select aria-label="Department" className="w-48" value={search.departmentId ?? ''} onChange={(e) => set({ departmentId: e.target.value || undefined })}>
          <option value="">All departments</option>
          {departmentOptions.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
              {search.locationId ? '' : ` · ${lookups.location.get(d.locationId)?.name ?? ''}`}
            </option>
          ))}
        </Select>
        {isAdmin && (
          <Select aria-label="Log-in role" className="w-40" value={search.role ?? ''} onChange={(e) => set({ role: (e.target.value || undefined) as DirectorySearch['role'] })}>
            <option value="">Any log-in</option>
            <option value="admin">Admins</option>
            <option value="manager">Managers</option>
            <option value="employee">Employees</option>
            <option value="none">No log-in</option>
          </Select>
        )}
        <Select aria-label="Status" className="w-32" value={status} onChange={(e) => set({ status: e.target.value === 'active' ? undefined : (e.target.value as DirectorySearch['status']) })}>
          <option value="active">Active</option>
          <option value="inactive">Inactive</option>
          <option value="all">All</option>
        </Select>
      </div>
      <Card className="overflow-hidden">
        {employees.isPending || lookups.isPending ? (
          <LoadingState label="Loading people" rows={10} />
        ) : employees.isError ? (
          <ErrorState error={employees.error} onRetry={() => void employees.refetch()} />
        ) : lookups.isError ? (
          // Without them the rows would have no department or location, and the filters no options.
          <ErrorState error={lookups.error} onRetry={lookups.refetch} title="Could not load locations and departments" />
        ) : rows.length === 0 ? (
          <EmptyState
            icon={<Users />}
            title={employees.data.length ? 'Nobody matches' : 'No people yet'}
            description={employees.data.length ? 'Try another search or clear the filters.' : 'Add the first person to get started.'}
            action={
              employees.data.length ? (
                <Button variant="outline" size="sm" onClick={() => { setText(''); onSearchChange({}); }}>
                  Clear filters
                </Button>
              ) : undefined
            }
          />
        ) : (
          <>
            <div
              ref={scrollRef}
              tabIndex={0}
              role="region"
              aria-label={`People, ${rows.length} rows`}
              className="h-[calc(100vh-17rem)] min-h-80 overflow-auto"
            >
              <table className="w-full table-fixed border-collapse text-sm" aria-rowcount={rows.length + 1}>
                <thead className="sticky top-0 z-10 bg-card/95 backdrop-blur">
                  <tr className="border-b" aria-rowindex={1}>
                    {columns.map((c) => {
                      const active = sort === c.key;
                      const Icon = active ? (dir === 'asc' ? ArrowUp : ArrowDown) : ChevronsUpDown;
                      return (
                        <th key={c.key} scope="col" className={`${c.className} h-10 px-3 text-left`} aria-sort={active ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
                          <button
                            type="button"
                            className="-ml-2 inline-flex items-center gap-1 rounded px-2 py-1 text-xs font-medium uppercase tracking-wide text-muted-foreground hover:bg-accent hover:text-foreground"
                            onClick={() => set({ sort: c.key === 'name' && active && dir === 'desc' ? undefined : c.key, dir: active && dir === 'asc' ? 'desc' : undefined })}
                          >
                            {c.label}
                            <Icon aria-hidden className="size-3.5" />
                          </button>
                        </th>
                      );
                    })}
                  </tr>
                </thead>
                <tbody>
                  {padTop > 0 && (
                    <tr aria-hidden>
                      <td colSpan={columns.length} style={{ height: padTop, padding: 0 }} />
                    </tr>
                  )}
                  {virtualRows.map((v) => {
                    const e = rows[v.index]!;
                    const loc = lookups.location.get(e.locationId);
                    const role = roleOf.get(e.id);
                    return (
                      <tr
                        key={e.id}
                        aria-rowindex={v.index + 2}
                        style={{ height: ROW_HEIGHT }}
                        className="cursor-pointer border-b transition-colors hover:bg-muted/50"
                        onClick={(ev) => {
                          if ((ev.target as HTMLElement).closest('a')) return;
                          void navigate({ to: '/people/$id', params: { id: e.id } });
                        }}
                      >
                        <td className="truncate px-3">
                          <div className="flex items-center gap-2.5">
                            <span aria-hidden className="flex size-7 shrink-0 items-center justify-center rounded-full bg-primary/10 text-[11px] font-semibold text-primary">
                              {initials(e.name)}
                            </span>
                            <Link to="/people/$id" params={{ id: e.id }} className="truncate font-medium hover:underline">
                              {e.name}
                            </Link>
                            {!e.active && <Badge variant="secondary">Inactive</Badge>}
                          </div>
                        </td>
                        <td className="truncate px-3 text-muted-foreground">{e.email ?? '—'}</td>
                        <td className="truncate px-3">{lookups.department.get(e.departmentId)?.name ?? '—'}</td>
                        <td className="truncate px-3">
                          {loc?.name ?? '—'}
                          {loc && <span className="ml-1.5 text-xs text-muted-foreground">{loc.timezone.split('/').at(-1)?.replace(/_/g, ' ')}</span>}
                        </td>
                        {isAdmin && (
                          <td className="px-3">
                            {role ? <Badge variant={role === 'admin' ? 'default' : role === 'manager' ? 'warning' : 'secondary'}>{role}</Badge> : <span className="text-muted-foreground">—</span>}
                          </td>
                        )}
                      </tr>
                    );
                  })}
                  {padBottom > 0 && (
                    <tr aria-hidden>
                      <td colSpan={columns.length} style={{ height: padBottom, padding: 0 }} />
                    </tr>
                  )}
                </tbody>
              </table>
            </div>
            <div className="flex items-center justify-between border-t px-4 py-2.5 text-xs text-muted-foreground" aria-live="polite">
              <span>
                Showing {numberFormat.format(rows.length)} of {numberFormat.format(employees.data.length)}
              </span>
              <span>Sorted by {sort}, {dir === 'asc' ? 'ascending' : 'descending'}</span>
            </div>
          </>
        )}
      </Card>
      <Dialog open={creating} onOpenChange={setCreating} title="Add person" description="They appear in the directory for everyone in scope straight away." className="max-w-xl">
        <EmployeeForm
          onCancel={() => setCreating(false)}
          onSubmit={async (body) => {
            const created = await create.mutateAsync(body as Parameters<typeof create.mutateAsync>[0]);
            setCreating(false);
            toast.success(`${created.name} added`);
            void navigate({ to: '/people/$id', params: { id: created.id } });
          }}
        />
      </Dialog>
    </>
  );
}
