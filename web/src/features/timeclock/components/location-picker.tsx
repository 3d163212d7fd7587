import { useId, useMemo } from 'react';
import type { Location } from '@contract/org.ts';
import { Select } from '@/components/ui/select';
import { useUser } from '@/lib/session';
import { useOrgLookups } from '@/features/org/api/org-queries';

/**
 * The active locations the signed-in manager looks after (their own, and those of their departments),
 * every active location for an admin; `preferred` is the one to open when none is chosen.
 */
export function useFloorLocations() {
  const user = useUser();
  const org = useOrgLookups();
  return useMemo(() => {
    const active = org.locations.filter((l) => l.active);
    let mine: Location[] = active;
    if (user.role === 'manager') {
      const ids = new Set([...user.locationIds, ...org.departments.filter((d) => user.departmentIds.includes(d.id)).map((d) => d.locationId)]);
      const scoped = active.filter((l) => ids.has(l.id));
      if (scoped.length) mine = scoped;
    }
    return { ...org, floorLocations: mine, preferred: mine[0] };
  }, [org, user]);
}

export function LocationPicker({
  locations,
  value,
  onChange,
  allowAll,
  label = 'Location',
}: {
  locations: Location[];
  value: string | undefined;
  onChange: (id: string | undefined) => void;
  allowAll?: boolean;
  label?: string;
}) {
  const id = useId();
  return (
    <div className="flex items-center gap-2">
      <label htmlFor={id} className="text-sm font-medium text-muted-foreground">
        {label}
      </label>
      <Select id={id} className="min-w-48" value={value ?? ''} onChange={(e) => onChange(e.target.value || undefined)}>
        {allowAll && <option value="">All locations</option>}
        {locations.map((l) => (
          <option key={l.id} value={l.id}>
            {l.name}
          </option>
        ))}
      </Select>
    </div>
  );
}
