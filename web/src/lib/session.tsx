import { createContext, use, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { SessionUser } from '@contract/auth.ts';
import { api, ApiError, endSession, onSessionEnded, refreshAccessToken, setAccessToken } from './api';

export type SessionState =
  | { status: 'loading'; user: null; endedReason: null }
  /** The server could not be asked (offline, restarting): the refresh cookie is kept for a retry. */
  | { status: 'unavailable'; user: null; endedReason: null; error: unknown }
  | { status: 'anonymous'; user: null; endedReason: string | null }
  | { status: 'authenticated'; user: SessionUser; endedReason: null };

interface SessionApi {
  session: SessionState;
  login: (email: string, password: string) => Promise<SessionUser>;
  logout: () => Promise<void>;
  /** Asks the server again after an outage at start-up. */
  retry: () => void;
}

const SessionContext = createContext<SessionApi | null>(null);

export function SessionProvider({ children, onEnded }: { children: ReactNode; onEnded?: () => void }) {
  const [session, setSession] = useState<SessionState>({ status: 'loading', user: null, endedReason: null });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    onSessionEnded((reason) => {
      setSession({ status: 'anonymous', user: null, endedReason: reason });
      onEnded?.();
    });
    // Restore the session silently from the refresh cookie, if there is one.
    // Only the server's "no" (null, or a 401 from /auth/me) means signed out; an outage leaves the
    // cookie alone and offers a retry, so a server restart never logs anyone out.
    let cancelled = false;
    void (async () => {
      try {
        const token = await refreshAccessToken();
        if (cancelled) return;
        if (!token) return setSession({ status: 'anonymous', user: null, endedReason: null });
        const user = await api<SessionUser>('/auth/me');
        if (!cancelled) setSession({ status: 'authenticated', user, endedReason: null });
      } catch (error) {
        if (cancelled) return;
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          setSession({ status: 'anonymous', user: null, endedReason: null });
        } else {
          setSession({ status: 'unavailable', user: null, endedReason: null, error });
        }
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [onEnded, attempt]);

  const retry = useCallback(() => {
    setSession({ status: 'loading', user: null, endedReason: null });
    setAttempt((n) => n + 1);
  }, []);

  const login = useCallback(async (email: string, password: string) => {
    const result = await api<{ accessToken: string; user: SessionUser }>('/auth/login', { method: 'POST', body: { email, password } });
    setAccessToken(result.accessToken);
    setSession({ status: 'authenticated', user: result.user, endedReason: null });
    return result.user;
  }, []);

  const logout = useCallback(async () => {
    try {
      await api('/auth/logout', { method: 'POST' });
    } catch {
      // The session is being left either way.
    }
    endSession('logged-out');
  }, []);

  const value = useMemo(() => ({ session, login, logout, retry }), [session, login, logout, retry]);
  return <SessionContext value={value}>{children}</SessionContext>;
}

export function useSession(): SessionApi {
  const value = use(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in user; only for components rendered inside the authenticated layout. */
export function useUser(): SessionUser {
  const { session } = useSession();
  if (session.status !== 'authenticated') throw new Error('useUser without a session');
  return session.user;
}
