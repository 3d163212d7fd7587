import { Badge } from '@/components/ui/badge';
import type { LiveStatus } from '../api/timeclock-queries';
import { STATUS } from './clock-format';

export function StatusBadge({ status }: { status: LiveStatus }) {
  const meta = STATUS[status];
  return (
    <Badge variant={meta.variant} data-status={status}>
      {meta.label}
    </Badge>
  );
}
