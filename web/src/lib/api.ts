/**
 * The one HTTP client of the web app. The access token lives only in memory; the refresh token is an
 * HttpOnly cookie the browser sends to /api/v1/auth. On a 401 for an expired or invalid token the
 * client refreshes once (one refresh at a time, across tabs too) and retries. Only the server saying
 * no (401/403 from /auth/refresh) ends the session and returns the app to the log-in page; a network
 * error or a 5xx is an outage, thrown as an ApiError so the query shows its error state and can be
 * retried with the session intact.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const BASE = '/api/v1';
let accessToken: string | null = null;
let refreshing: Promise<string | null> | null = null;
const tokenListeners = new Set<(token: string | null) => void>();
let sessionEnded: (reason: string) => void = () => {};

export function getAccessToken() {
  return accessToken;
}

export function setAccessToken(token: string | null) {
  accessToken = token;
  for (const listener of tokenListeners) listener(token);
}

export function onAccessToken(listener: (token: string | null) => void) {
  tokenListeners.add(listener);
  return () => void tokenListeners.delete(listener);
}

/** Called by the session provider: what to do when the session can no longer be renewed. */
export function onSessionEnded(handler: (reason: string) => void) {
  sessionEnded = handler;
}

export function endSession(reason: string) {
  setAccessToken(null);
  sessionEnded(reason);
}

async function readError(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string; details?: unknown } };
    if (body.error?.code) return new ApiError(response.status, body.error.code, body.error.message ?? response.statusText, body.error.details);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(response.status, response.status >= 500 ? 'INTERNAL' : 'HTTP_ERROR', `Request failed (${response.status} ${response.statusText})`);
}

/** Thrown when the server could not be reached at all (offline, server restarting, proxy down). */
export function networkError(cause: unknown): ApiError {
  const error = new ApiError(0, 'NETWORK_ERROR', 'Could not reach Workfloor. Check your connection and try again.');
  (error as Error & { cause?: unknown }).cause = cause;
  return error;
}

/** An error that says nothing about the session: the server is unreachable or failing. */
export function isOutage(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.status >= 500 || error.status === 429);
}

async function doRefresh(): Promise<string | null> {
  let response: Response;
  try {
    response = await fetch(`${BASE}/auth/refresh`, { method: 'POST', credentials: 'same-origin' });
  } catch (err) {
    throw networkError(err);
  }
  // The server refused the cookie (none, expired, reused, cross-site): the session is over. The body
  // is let go: API responses are `no-store`, so an unread one would hold its request open.
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    return null;
  }
  // Anything else (5xx, 429, a proxy's error page) is an outage: keep the cookie and the session.
  if (!response.ok) throw await readError(response);
  const body = (await response.json()) as { accessToken: string };
  setAccessToken(body.accessToken);
  return body.accessToken;
}

/**
 * Rotates the refresh cookie and returns a new access token, or null when the server says there is
 * no session. Rejects with an ApiError (status 0 or 5xx) when the server cannot answer: callers must
 * not treat that as signed out.
 * Refresh tokens are single-use with reuse detection, so two tabs must never refresh at once: a Web
 * Lock serialises them (the second tab then sends the cookie the first one just received).
 */
export function refreshAccessToken(): Promise<string | null> {
  refreshing ??= (async () => {
    try {
      if (typeof navigator !== 'undefined' && navigator.locks) {
        return await navigator.locks.request('workfloor-refresh', doRefresh);
      }
      return await doRefresh();
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Query;
  signal?: AbortSignal;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const send = (token: string | null) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${BASE}${withQuery(path, options.query)}`, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      signal: options.signal,
    }).catch((err: unknown) => {
      // An abort is the caller's own doing (a query cancelled): pass it through unchanged.
      if (options.signal?.aborted) throw err;
      throw networkError(err);
    });
  };
  let response = await send(accessToken);
  if (response.status === 401) {
    const error = await readError(response);
    if (['TOKEN_EXPIRED', 'TOKEN_INVALID', 'UNAUTHENTICATED'].includes(error.code)) {
      // Rejects on an outage: the error reaches the query, and the session stays.
      const token = await refreshAccessToken();
      if (!token) {
        endSession('expired');
        throw error;
      }
      response = await send(token);
      if (response.status === 401) {
        endSession('expired');
        throw await readError(response);
      }
    } else {
      throw error;
    }
  }
  if (!response.ok) throw await readError(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Reads every page of a list endpoint (cursor pagination), for views that need the whole set. */
export async function fetchAll<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await api<{ items: T[]; nextCursor: string | null }>(path, { query: { ...query, limit: 500, cursor }, signal });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong';
}
