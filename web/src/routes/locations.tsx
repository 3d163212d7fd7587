import { LocationsPage } from '@/features/org/components/locations-page';

export function LocationsRoute() {
  return <LocationsPage />;
}
