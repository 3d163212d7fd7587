import { getRouteApi } from '@tanstack/react-router';
import { PeopleDirectory } from '@/features/org/components/people-directory';

const route = getRouteApi('/app/people');

export function PeopleRoute() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  return <PeopleDirectory search={search} onSearchChange={(next) => void navigate({ search: next, replace: true })} />;
}
