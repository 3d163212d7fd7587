import { getRouteApi } from '@tanstack/react-router';
import { useCallback } from 'react';
import { LiveFloorPage, type LiveSearch } from '@/features/timeclock/components/live-floor-page';

const route = getRouteApi('/app/live');

export function LiveRoute() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const onSearchChange = useCallback((next: LiveSearch) => void navigate({ search: next, replace: true }), [navigate]);
  return <LiveFloorPage search={search} onSearchChange={onSearchChange} />;
}
