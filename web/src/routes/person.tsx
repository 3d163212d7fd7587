import { getRouteApi } from '@tanstack/react-router';
import { PersonDetail } from '@/features/org/components/person-detail';

const route = getRouteApi('/app/people/$id');

export function PersonRoute() {
  const { id } = route.useParams();
  return <PersonDetail key={id} id={id} />;
}
