import { getRouteApi } from '@tanstack/react-router';
import { CoveragePage } from '@/features/coverage/components/coverage-page';

const route = getRouteApi('/app/coverage');

export function CoverageRoute() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  return <CoveragePage search={search} onSearchChange={(next) => void navigate({ search: next, replace: true })} />;
}
