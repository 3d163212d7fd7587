import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '@/lib/api';
import { SessionProvider, useSession } from '@/lib/session';
import { createAppRouter } from './router';

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // Live events keep data fresh; refetching on every focus would only add load.
        refetchOnWindowFocus: false,
        retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      },
    },
  });
}

function RoutedApp({ queryClient }: { queryClient: QueryClient }) {
  const { session } = useSession();
  const [router] = useState(() => createAppRouter({ session, queryClient }));
  useEffect(() => {
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
