import { UsersPage } from '@/features/org/components/users-page';

export function UsersRoute() {
  return <UsersPage />;
}
