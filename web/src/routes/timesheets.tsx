import { getRouteApi } from '@tanstack/react-router';
import { TimesheetsPage } from '@/features/timeclock/components/timesheets-page';

const route = getRouteApi('/app/timesheets');

export function TimesheetsRoute() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  return <TimesheetsPage search={search} onSearchChange={(next) => void navigate({ search: next, replace: true })} />;
}
