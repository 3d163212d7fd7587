import { getRouteApi, useRouter } from '@tanstack/react-router';
import { LoginForm } from '@/features/auth/components/login-form';

const route = getRouteApi('/login');

export function LoginRoute() {
  const search = route.useSearch();
  const router = useRouter();
  return (
    <main id="main" className="relative grid min-h-screen place-items-center overflow-hidden bg-background px-4">
      <div aria-hidden className="pointer-events-none absolute inset-0 bg-[radial-gradient(60%_50%_at_50%_0%,color-mix(in_oklch,var(--primary)_14%,transparent),transparent)]" />
      <div className="relative w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center gap-3 text-center">
          <img src="/favicon.svg" alt="" className="size-10" />
          <div>
            <h1 className="text-xl font-semibold tracking-tight">Sign in to Workfloor</h1>
            <p className="mt-1 text-sm text-muted-foreground">Real-time workforce operations</p>
          </div>
        </div>
        <div className="rounded-xl border bg-card p-6 shadow-sm">
          <LoginForm
            onSignedIn={() => {
              // The session changed: the app re-runs the route guards, which send us on.
              void router.navigate({ to: search.redirect ?? '/', replace: true });
            }}
          />
        </div>
      </div>
    </main>
  );
}
