import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, isOutage } from '@/lib/api';
import { ErrorState } from '@/components/ui/states';
import { SessionProvider, useSession } from '@/lib/session';
import { createAppRouter } from './router';

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // Live events keep data fresh; refetching on every focus would only add load.
        refetchOnWindowFocus: false,
        // A 4xx will not change on retry; an outage (network error = status 0, 5xx, 429) may.
        retry: (count, error) => !(error instanceof ApiError && !isOutage(error)) && count < 2,
      },
    },
  });
}

/** Start-up could not reach the server: say so and retry, instead of pretending nobody is signed in. */
function Unavailable({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  useEffect(() => {
    // Back online, or every 10 s while the server restarts: ask again without a click.
    window.addEventListener('online', onRetry);
    const timer = setTimeout(onRetry, 10_000);
    return () => {
      window.removeEventListener('online', onRetry);
      clearTimeout(timer);
    };
  }, [onRetry]);
  return (
    <main className="grid min-h-screen place-items-center bg-background p-6">
      <div className="w-full max-w-md rounded-xl border bg-card shadow-sm">
        <ErrorState error={error} onRetry={onRetry} title="Workfloor is not reachable right now" />
      </div>
    </main>
  );
}

function RoutedApp({ queryClient }: { queryClient: QueryClient }) {
  const { session, retry } = useSession();
  const [router] = useState(() => createAppRouter({ session, queryClient }));
  useEffect(() => {
    // Undecided (still asking, or the server unreachable): the guards would send a signed-in user
    // to /login. The router is not shown then, and runs them once the answer is in.
    if (session.status === 'loading' || session.status === 'unavailable') return;
    router.update({ ...router.options, context: { session, queryClient } });
    // Session changed (signed in, refreshed, ended): re-run the route guards.
    void router.invalidate();
  }, [router, session, queryClient]);
  if (session.status === 'loading') {
    return (
      <div role="status" className="grid min-h-screen place-items-center text-sm text-muted-foreground">
        <span className="flex items-center gap-2">
          <span aria-hidden className="size-4 animate-spin rounded-full border-2 border-muted border-t-primary" />
          Loading Workfloor…
        </span>
      </div>
    );
  }
  if (session.status === 'unavailable') return <Unavailable error={session.error} onRetry={retry} />;
  return <RouterProvider router={router} context={{ session, queryClient }} />;
}

export function App() {
  const [queryClient] = useState(makeQueryClient);
  // Nothing of one user's data may survive into the next session.
  const onEnded = useCallback(() => queryClient.clear(), [queryClient]);
  return (
    <QueryClientProvider client={queryClient}>
      <SessionProvider onEnded={onEnded}>
        <RoutedApp queryClient={queryClient} />
      </SessionProvider>
    </QueryClientProvider>
  );
}
