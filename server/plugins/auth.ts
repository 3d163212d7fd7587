import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Area } from '../../contract/common.ts';
import type { AuthService } from '../features/auth/auth.service.ts';
import { AppError } from '../lib/app-error.ts';
import { hasScope, type Principal } from '../lib/principal.ts';

/**
 * Every /api/v1 route declares who may call it in `config.access`:
 * - `'public'`: nobody needs to be signed in (log-in, refresh);
 * - `{ area, level }`: a signed-in user, or an API key with `<area>:<level>` (write implies read);
 * - `{ area, level, users: true }`: a signed-in user only (API keys are refused).
 * Role and scope rules (what an employee or a manager may touch) live in the services.
 */
export type RouteAccess = 'public' | { area: Area; level: 'read' | 'write'; users?: boolean };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** Set on every non-public route before the handler runs. */
    principal: Principal;
  }
  interface FastifyInstance {
    /** Every route with its declared access, for the authorisation matrix test and the docs. */
    routeAccess: { method: string; url: string; access: RouteAccess }[];
  }
}

export function bearerOrKey(request: Pick<FastifyRequest, 'headers'>): { token?: string; apiKey?: string } {
  const header = request.headers.authorization;
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey) return { apiKey };
  if (typeof header === 'string' && header.toLowerCase().startsWith('bearer ')) return { token: header.slice(7).trim() };
  return {};
}

export async function authenticate(auth: AuthService, credentials: { token?: string; apiKey?: string }): Promise<Principal> {
  if (credentials.apiKey) return auth.authenticateApiKey(credentials.apiKey);
  if (credentials.token) return auth.authenticateAccessToken(credentials.token);
  throw new AppError('UNAUTHENTICATED', 'Sign in, or send an API key in X-API-Key');
}

export const authPlugin = fp(async (app: FastifyInstance, { auth }: { auth: AuthService }) => {
  app.decorate('routeAccess', []);
  app.decorateRequest('principal', null as never);

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const access = route.config?.access;
    if (!access) throw new Error(`Route ${String(route.method)} ${route.url} declares no config.access`);
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') app.routeAccess.push({ method, url: route.url, access });
    }
  });

  function admit(request: FastifyRequest, access: Exclude<RouteAccess, 'public'>, principal: Principal) {
    if (principal.kind === 'api_key') {
      if (access.users) throw new AppError('FORBIDDEN', 'API keys cannot use this endpoint; sign in as a person');
      if (!hasScope(principal, access.area, access.level)) {
        throw new AppError('INSUFFICIENT_SCOPE', `This API key needs the ${access.area}:${access.level} scope`);
      }
    }
    request.principal = principal;
  }

  // A callback hook: a caller this process already knows (almost every request) is admitted without
  // a promise; the others are verified asynchronously.
  app.addHook('onRequest', (request, _reply, done) => {
    const access = request.routeOptions.config?.access;
    if (!access || access === 'public') return done();
    const credentials = bearerOrKey(request);
    try {
      const known = auth.knownPrincipal(credentials);
      if (known) {
        admit(request, access, known);
        return done();
      }
    } catch (err) {
      return done(err as Error);
    }
    authenticate(auth, credentials).then(
      (principal) => {
        try {
          admit(request, access, principal);
        } catch (err) {
          return done(err as Error);
        }
        done();
      },
      (err: Error) => done(err),
    );
  });
});
