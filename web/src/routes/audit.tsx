import { getRouteApi } from '@tanstack/react-router';
import { AuditPage } from '@/features/audit/components/audit-page';

const route = getRouteApi('/app/audit');

export function AuditRoute() {
  const filters = route.useSearch();
  const navigate = route.useNavigate();
  return <AuditPage filters={filters} onFiltersChange={(next) => void navigate({ search: next, replace: true })} />;
}
