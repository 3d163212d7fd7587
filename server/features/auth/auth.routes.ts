import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiKey, apiKeyCreate, apiKeyCreated, loginRequest, loginResponse, refreshResponse, sessionUser } from '../../../contract/auth.ts';
import { idParams } from '../../../contract/common.ts';
import { AppError } from '../../lib/app-error.ts';
import { requireRole, type UserPrincipal } from '../../lib/principal.ts';
import { REFRESH_TOKEN_TTL_MS, type AuthService } from './auth.service.ts';

const REFRESH_COOKIE = 'wf_refresh';
const COOKIE_PATH = '/api/v1/auth';

/**
 * Endpoints that act on the refresh cookie refuse cross-site requests: SameSite=Strict already keeps
 * the cookie off them, and checking Sec-Fetch-Site / Origin also covers older browsers and subdomains.
 */
function refuseCrossSite(request: FastifyRequest) {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') {
    throw new AppError('CROSS_SITE_REQUEST', 'Cross-site requests are not accepted here');
  }
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (host !== request.headers.host) throw new AppError('CROSS_SITE_REQUEST', 'Cross-site requests are not accepted here');
  } else if (origin === 'null') {
    throw new AppError('CROSS_SITE_REQUEST', 'Cross-site requests are not accepted here');
  }
}

function setRefreshCookie(reply: FastifyReply, token: string) {
  reply.setCookie(REFRESH_COOKIE, token, {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: 'strict',
    secure: 'auto',
    maxAge: Math.floor(REFRESH_TOKEN_TTL_MS / 1000),
  });
}

export const authRoutes: FastifyPluginAsyncZod<{ auth: AuthService }> = async (app, { auth }) => {
  app.post('/auth/login', {
    schema: { tags: ['auth'], summary: 'Log in with e-mail and password', body: loginRequest, response: { 200: loginResponse } },
    config: { access: 'public' },
    handler: async (request, reply) => {
      const { refreshToken, ...session } = await auth.login(request.body.email, request.body.password, request.ip);
      setRefreshCookie(reply, refreshToken);
      return session;
    },
  });

  app.post('/auth/refresh', {
    schema: { tags: ['auth'], summary: 'Rotate the refresh cookie and get a new access token', response: { 200: refreshResponse } },
    config: { access: 'public' },
    handler: async (request, reply) => {
      refuseCrossSite(request);
      const token = request.cookies[REFRESH_COOKIE];
      if (!token) throw new AppError('REFRESH_TOKEN_INVALID', 'No session; please log in');
      try {
        const { refreshToken, ...access } = await auth.refresh(token);
        setRefreshCookie(reply, refreshToken);
        return access;
      } catch (err) {
        if (err instanceof AppError && err.status === 401) reply.clearCookie(REFRESH_COOKIE, { path: COOKIE_PATH });
        throw err;
      }
    },
  });

  app.post('/auth/logout', {
    schema: { tags: ['auth'], summary: 'End the session (refresh cookie and its access tokens)', response: { 204: z.null() } },
    config: { access: 'public' },
    handler: async (request, reply) => {
      refuseCrossSite(request);
      const principal = await auth
        .authenticateAccessToken(request.headers.authorization?.replace(/^Bearer\s+/i, '') ?? '')
        .catch(() => undefined);
      await auth.logout(request.cookies[REFRESH_COOKIE], principal);
      reply.clearCookie(REFRESH_COOKIE, { path: COOKIE_PATH });
      return reply.status(204).send(null);
    },
  });

  app.get('/auth/me', {
    schema: { tags: ['auth'], summary: 'The signed-in user', response: { 200: sessionUser } },
    config: { access: { area: 'org', level: 'read', users: true } },
    handler: (request) => auth.me(request.principal as UserPrincipal),
  });

  app.post('/api-keys', {
    schema: { tags: ['auth'], summary: 'Create an API key (the key is shown only in this response)', body: apiKeyCreate, response: { 201: apiKeyCreated } },
    config: { access: { area: 'org', level: 'write', users: true } },
    handler: async (request, reply) => {
      requireRole(request.principal, 'admin');
      return reply.status(201).send(await auth.createApiKey(request.principal, request.body));
    },
  });

  app.get('/api-keys', {
    schema: { tags: ['auth'], summary: 'List API keys (never the keys themselves)', response: { 200: z.object({ items: z.array(apiKey) }) } },
    config: { access: { area: 'org', level: 'read', users: true } },
    handler: async (request) => {
      requireRole(request.principal, 'admin');
      return { items: await auth.listApiKeys() };
    },
  });

  app.delete('/api-keys/:id', {
    schema: { tags: ['auth'], summary: 'Revoke an API key, effective immediately', params: idParams, response: { 200: apiKey } },
    config: { access: { area: 'org', level: 'write', users: true } },
    handler: async (request) => {
      requireRole(request.principal, 'admin');
      return auth.revokeApiKey(request.principal, request.params.id);
    },
  });
};
