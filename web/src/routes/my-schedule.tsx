import { MySchedulePage } from '@/features/schedule/components/my-schedule-page';

export function MyScheduleRoute() {
  return <MySchedulePage />;
}
