import { getRouteApi } from '@tanstack/react-router';
import { SchedulePage } from '@/features/schedule/components/schedule-page';

const route = getRouteApi('/app/schedule');

export function ScheduleRoute() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  return <SchedulePage search={search} onSearchChange={(next) => void navigate({ search: next, replace: true })} />;
}
