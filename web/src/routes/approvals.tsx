import { ApprovalsInbox } from '@/features/schedule/components/approvals-inbox';

export function ApprovalsRoute() {
  return <ApprovalsInbox />;
}
