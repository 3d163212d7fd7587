import { DepartmentsPage } from '@/features/org/components/departments-page';

export function DepartmentsRoute() {
  return <DepartmentsPage />;
}
