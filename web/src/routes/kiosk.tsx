import { getRouteApi } from '@tanstack/react-router';
import { KioskPage } from '@/features/timeclock/components/kiosk-page';

const route = getRouteApi('/kiosk');

export function KioskRoute() {
  const { locationId } = route.useSearch();
  return <KioskPage locationId={locationId} />;
}
