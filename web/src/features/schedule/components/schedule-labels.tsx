import { CalendarPlus, CalendarX2, FileText, PencilLine, Repeat2 } from 'lucide-react';
import type { Adjustment } from '@contract/schedule.ts';
import { Badge } from '@/components/ui/badge';

export const KIND_LABEL: Record<Adjustment['kind'], string> = {
  time_off: 'Time off',
  extra_shift: 'Extra shift',
  change_shift: 'Changed shift',
  swap: 'Swap',
};

export const KIND_ICON = { time_off: CalendarX2, extra_shift: CalendarPlus, change_shift: PencilLine, swap: Repeat2 } as const;
export const ContractIcon = FileText;

const STATUS_VARIANT = {
  pending: 'warning',
  approved: 'success',
  rejected: 'destructive',
  cancelled: 'secondary',
  revoked: 'secondary',
} as const;

export function StatusBadge({ status }: { status: Adjustment['status'] }) {
  return (
    <Badge variant={STATUS_VARIANT[status]} className="capitalize" data-status={status}>
      {status}
    </Badge>
  );
}

export function KindLabel({ kind }: { kind: Adjustment['kind'] }) {
  const Icon = KIND_ICON[kind];
  return (
    <span className="inline-flex items-center gap-1.5">
      <Icon aria-hidden className="size-3.5 text-muted-foreground" />
      {KIND_LABEL[kind]}
    </span>
  );
}
