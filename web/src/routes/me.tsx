import { MyProfile } from '@/features/profile/components/my-profile';

export function MeRoute() {
  return <MyProfile />;
}
