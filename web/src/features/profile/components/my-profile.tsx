import { UserRound } from 'lucide-react';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page';
import { EmptyState } from '@/components/ui/states';
import { useUser } from '@/lib/session';
import { PersonDetail } from '@/features/org/components/person-detail';

/** An employee's own record; accounts without a linked person are told so plainly. */
export function MyProfile() {
  const me = useUser();
  if (!me.employeeId) {
    return (
      <>
        <PageHeader title="My profile" description={`${me.name} · ${me.email}`} />
        <Card>
          <EmptyState icon={<UserRound />} title="No person record is linked to this account" description="Ask an admin to link your log-in to your record in the directory." />
        </Card>
      </>
    );
  }
  return <PersonDetail id={me.employeeId} self />;
}
