import { createHash, createHmac, createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type { Logger } from 'pino';
import type { SessionUser } from '../../../contract/auth.ts';
import type { Db } from '../../db/client.ts';
import type { EventLog, StoredEvent } from '../../events/event-log.ts';
import { AppError } from '../../lib/app-error.ts';
import type { Clock } from '../../lib/clock.ts';
import { decoyPasswordHash, hashPassword, verifyPassword } from '../../lib/passwords.ts';
import { actorOf, type ApiKeyPrincipal, type Principal, type UserPrincipal } from '../../lib/principal.ts';
import type { RateLimitStore } from '../../lib/rate-limiter.ts';
import * as repo from './auth.repository.ts';

export const ACCESS_TOKEN_TTL_S = 15 * 60;
export const REFRESH_TOKEN_TTL_MS = 14 * 24 * 3600 * 1000;
const ISSUER = 'workfloor';
const AUDIENCE = 'workfloor-api';
const TOKEN_TYPE = 'at+jwt';
/** How long after its rotation a refresh token may be presented again without counting as reuse. */
export const REFRESH_REUSE_GRACE_MS = 10_000;
const LOGIN_IP_LIMIT = { max: 20, windowMs: 60_000 };
const LOGIN_ACCOUNT_FAILURES = { max: 10, windowMs: 15 * 60_000 };

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export interface AuthDeps {
  db: Db;
  events: EventLog;
  clock: Clock;
  log: Logger;
  secret: string;
  rateLimits: RateLimitStore;
}

type CachedUser = Omit<UserPrincipal, 'sessionId'> & { active: boolean };

/**
 * Log-in, sessions, access tokens and API keys. Requests are authenticated from memory: users and keys
 * are cached, and the log tail (`applyEvents`) drops cache entries when a user, department, session or
 * key changes, in every process. This process's own changes are applied at once, not on the next poll.
 */
interface VerifiedToken {
  sub: string;
  sid: string;
  expMs: number;
  /** The principal last answered for this token, and the cached user it was made from. */
  principal?: UserPrincipal;
  principalOf?: CachedUser;
}

export function createAuthService({ db, events, clock, log, secret, rateLimits }: AuthDeps) {
  // A KeyObject made once: jose would otherwise import raw bytes into WebCrypto on every request.
  const accessKey = createSecretKey(createHmac('sha256', secret).update('workfloor access tokens v1').digest());
  /**
   * Tokens whose signature and claims were already verified, until they expire: verifying is pure, so
   * its result can be kept. Revocation, expiry and the user's state are still checked on every request.
   */
  const verifiedTokens = new Map<string, VerifiedToken>();
  const userCache = new Map<string, CachedUser>();
  const apiKeyCache = new Map<string, ApiKeyPrincipal & { hash: string }>();
  /** Session family id -> when it was revoked; kept while an access token of it could still be valid. */
  const revokedSessions = new Map<string, number>();
  /**
   * Bumped by every cache invalidation. A request that read a user or key from the database stores it
   * only if no invalidation ran meanwhile: otherwise a revocation committed between its read and its
   * store would be undone by the stale row, and stay undone until the process restarts.
   */
  let cacheGeneration = 0;
  const invalidate = () => {
    cacheGeneration++;
  };

  /** A verified token is still refused once it expires or its session family is revoked. */
  function checkClaims(token: string, claims: VerifiedToken) {
    if (claims.expMs <= clock.now().getTime()) {
      verifiedTokens.delete(token);
      throw new AppError('TOKEN_EXPIRED', 'The access token has expired');
    }
    if (revokedSessions.has(claims.sid)) throw new AppError('TOKEN_INVALID', 'This session has ended');
  }

  function forgetExpiredRevocations() {
    const cutoff = clock.now().getTime() - ACCESS_TOKEN_TTL_S * 1000;
    for (const [id, at] of revokedSessions) if (at < cutoff) revokedSessions.delete(id);
  }

  async function loadRevokedSessions() {
    const since = new Date(clock.now().getTime() - ACCESS_TOKEN_TTL_S * 1000);
    for (const id of await repo.findFamiliesRevokedSince(db, since)) revokedSessions.set(id, clock.now().getTime());
  }

  async function loadUser(userId: string): Promise<CachedUser | undefined> {
    const cached = userCache.get(userId);
    if (cached) return cached;
    const generation = cacheGeneration;
    const user = await repo.findUserById(db, userId);
    if (!user) return undefined;
    const departments =
      user.role === 'manager' ? await repo.findDepartmentsInScope(db, user.departmentIds, user.locationIds) : [];
    const entry: CachedUser = {
      kind: 'user',
      userId: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      employeeId: user.employeeId,
      departmentIds: user.departmentIds,
      locationIds: user.locationIds,
      scope: {
        departmentIds: new Set(departments.map((d) => d.id)),
        locationIds: new Set([...user.locationIds, ...departments.map((d) => d.locationId)]),
      },
      active: user.active,
    };
    if (generation === cacheGeneration) userCache.set(userId, entry);
    return entry;
  }

  async function issueAccessToken(userId: string, sessionId: string) {
    const issuedAt = Math.floor(clock.now().getTime() / 1000);
    const expiresAt = issuedAt + ACCESS_TOKEN_TTL_S;
    const accessToken = await new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: TOKEN_TYPE })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(userId)
      .setJti(randomUUID())
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(accessKey);
    return { accessToken, expiresAt: new Date(expiresAt * 1000).toISOString() };
  }

  async function newRefreshToken(tx: Parameters<Parameters<EventLog['write']>[0]>[0], userId: string, familyId: string) {
    const refreshToken = randomBytes(32).toString('base64url');
    await repo.insertRefreshToken(tx, {
      familyId,
      userId,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(clock.now().getTime() + REFRESH_TOKEN_TTL_MS),
    });
    return refreshToken;
  }

  function sessionUserOf(u: CachedUser): SessionUser {
    return {
      id: u.userId,
      email: u.email,
      name: u.name,
      role: u.role,
      employeeId: u.employeeId,
      departmentIds: u.departmentIds,
      locationIds: u.locationIds,
    };
  }

  async function enforceLimit(key: string, limit: { max: number; windowMs: number }, count: boolean) {
    const { count: n, resetInMs } = count ? await rateLimits.hit(key, limit.windowMs) : await rateLimits.peek(key);
    if (n > limit.max || (!count && n >= limit.max)) {
      const retryAfter = Math.max(1, Math.ceil(resetInMs / 1000));
      throw new AppError('RATE_LIMITED', `Too many log-in attempts; try again in ${retryAfter} s`, { retryAfter }, {
        'retry-after': String(retryAfter),
      });
    }
  }

  function revokeLocally(familyIds: string[]) {
    const now = clock.now().getTime();
    for (const id of familyIds) revokedSessions.set(id, now);
  }

  return {
    loadRevokedSessions,

    async login(email: string, password: string, ip: string) {
      const accountKey = `login:account:${email.toLowerCase()}`;
      await enforceLimit(`login:ip:${ip}`, LOGIN_IP_LIMIT, true);
      await enforceLimit(accountKey, LOGIN_ACCOUNT_FAILURES, false);
      const user = await repo.findUserByEmail(db, email);
      const ok = await verifyPassword(user?.passwordHash ?? decoyPasswordHash, password);
      if (!user || !ok || !user.active) {
        await rateLimits.hit(accountKey, LOGIN_ACCOUNT_FAILURES.windowMs);
        throw new AppError('INVALID_CREDENTIALS', 'E-mail or password is wrong');
      }
      await rateLimits.reset(accountKey);
      const familyId = randomUUID();
      const refreshToken = await events.write(async (tx) => {
        const token = await newRefreshToken(tx, user.id, familyId);
        await events.append(tx, {
          type: 'session.started',
          entity: { type: 'session', id: familyId },
          actor: { type: 'user', id: user.id, name: user.name },
          payload: { ip },
          scope: { userId: user.id, employeeId: user.employeeId },
        });
        return token;
      });
      const cached = (await loadUser(user.id))!;
      return { ...(await issueAccessToken(user.id, familyId)), refreshToken, user: sessionUserOf(cached) };
    },

    /** Rotates the refresh token. A token used twice is stolen or replayed: its whole family is revoked. */
    async refresh(refreshToken: string) {
      const tokenHash = sha256(refreshToken);
      const now = clock.now();
      const outcome = await events.write(async (tx) => {
        const claimed = await repo.claimRefreshToken(tx, tokenHash, now);
        if (claimed) {
          const user = await repo.findUserById(tx, claimed.userId);
          if (!user?.active) return { kind: 'inactive' as const };
          const next = await newRefreshToken(tx, claimed.userId, claimed.familyId);
          return { kind: 'rotated' as const, userId: claimed.userId, familyId: claimed.familyId, next };
        }
        const existing = await repo.findRefreshTokenByHash(tx, tokenHash);
        // Two requests with the same token a moment apart (a reload while a refresh is in flight, two
        // tabs) are the same browser, not a thief: within a short grace both get a successor.
        if (existing?.rotatedAt && !existing.revokedAt && now.getTime() - existing.rotatedAt.getTime() < REFRESH_REUSE_GRACE_MS && existing.expiresAt > now) {
          const user = await repo.findUserById(tx, existing.userId);
          if (!user?.active) return { kind: 'inactive' as const };
          const next = await newRefreshToken(tx, existing.userId, existing.familyId);
          return { kind: 'rotated' as const, userId: existing.userId, familyId: existing.familyId, next };
        }
        if (existing?.rotatedAt && !existing.revokedAt) {
          await repo.revokeFamily(tx, existing.familyId, now);
          await events.append(tx, {
            type: 'session.revoked',
            entity: { type: 'session', id: existing.familyId },
            actor: { type: 'system', id: null, name: 'Workfloor' },
            payload: { reason: 'refresh_token_reused' },
            scope: { userId: existing.userId },
          });
          return { kind: 'reused' as const, familyId: existing.familyId };
        }
        return { kind: 'invalid' as const };
      });
      if (outcome.kind === 'reused') {
        revokeLocally([outcome.familyId]);
        log.warn({ familyId: outcome.familyId }, 'refresh token reused; session family revoked');
        throw new AppError('REFRESH_TOKEN_REUSED', 'This session was ended for safety; please log in again');
      }
      if (outcome.kind !== 'rotated') {
        throw new AppError('REFRESH_TOKEN_INVALID', 'Your session has ended; please log in again');
      }
      return { ...(await issueAccessToken(outcome.userId, outcome.familyId)), refreshToken: outcome.next };
    },

    async logout(refreshToken: string | undefined, principal: Principal | undefined) {
      const now = clock.now();
      const token = refreshToken ? await repo.findRefreshTokenByHash(db, sha256(refreshToken)) : undefined;
      const familyId = token?.familyId ?? (principal?.kind === 'user' ? principal.sessionId : undefined);
      if (!familyId) return;
      const userId = token?.userId ?? (principal?.kind === 'user' ? principal.userId : null);
      await events.write(async (tx) => {
        const revoked = await repo.revokeFamily(tx, familyId, now);
        if (revoked === 0 && token?.revokedAt) return;
        await events.append(tx, {
          type: 'session.ended',
          entity: { type: 'session', id: familyId },
          actor: principal ? actorOf(principal) : { type: 'system', id: null, name: 'Workfloor' },
          payload: {},
          scope: { userId },
        });
      });
      revokeLocally([familyId]);
    },

    /**
     * The principal of a token or key this process has already checked and whose user or key is
     * cached, without a promise: most requests are answered here. Undefined when the signature, the
     * database or both must be consulted (`authenticateAccessToken`, `authenticateApiKey`); throws
     * when the cache already knows the answer is no (expired, session ended).
     */
    knownPrincipal(credentials: { token?: string; apiKey?: string }): Principal | undefined {
      if (credentials.apiKey) return apiKeyCache.get(sha256(credentials.apiKey));
      const claims = credentials.token ? verifiedTokens.get(credentials.token) : undefined;
      if (!claims) return undefined;
      checkClaims(credentials.token!, claims);
      // The principal made for this token stays valid while its user's cache entry is the same object
      // (any change to the user replaces or drops the entry).
      return claims.principal && claims.principalOf === userCache.get(claims.sub) ? claims.principal : undefined;
    },

    async authenticateAccessToken(token: string): Promise<UserPrincipal> {
      let claims = verifiedTokens.get(token);
      if (claims) checkClaims(token, claims);
      else {
        let payload;
        try {
          ({ payload } = await jwtVerify(token, accessKey, {
            algorithms: ['HS256'],
            issuer: ISSUER,
            audience: AUDIENCE,
            typ: TOKEN_TYPE,
            currentDate: clock.now(),
            requiredClaims: ['sub', 'exp', 'iat'],
          }));
        } catch (err) {
          if (err instanceof joseErrors.JWTExpired) throw new AppError('TOKEN_EXPIRED', 'The access token has expired');
          throw new AppError('TOKEN_INVALID', 'The access token is not valid');
        }
        if (!payload.sub || typeof payload.sid !== 'string') throw new AppError('TOKEN_INVALID', 'The access token is not valid');
        claims = { sub: payload.sub, sid: payload.sid, expMs: payload.exp! * 1000 };
        if (verifiedTokens.size >= 20_000) verifiedTokens.clear();
        verifiedTokens.set(token, claims);
        checkClaims(token, claims);
      }
      if (claims.principal && claims.principalOf === userCache.get(claims.sub)) return claims.principal;
      const user = await loadUser(claims.sub);
      if (!user?.active) throw new AppError('TOKEN_INVALID', 'This account is not active');
      const { active: _active, ...rest } = user;
      const principal = { ...rest, sessionId: claims.sid };
      claims.principal = principal;
      claims.principalOf = user;
      return principal;
    },

    async authenticateApiKey(key: string): Promise<ApiKeyPrincipal> {
      const hash = sha256(key);
      const cached = apiKeyCache.get(hash);
      if (cached) return cached;
      const generation = cacheGeneration;
      const row = key.startsWith('wf_') && key.length < 200 ? await repo.findLiveApiKeyByHash(db, hash) : undefined;
      if (!row) throw new AppError('TOKEN_INVALID', 'The API key is not valid');
      const principal = { kind: 'api_key' as const, keyId: row.id, name: row.name, scopes: new Set(row.scopes), hash };
      if (generation === cacheGeneration) apiKeyCache.set(hash, principal);
      return principal;
    },

    async me(principal: UserPrincipal): Promise<SessionUser> {
      const user = await loadUser(principal.userId);
      if (!user) throw new AppError('UNAUTHENTICATED', 'Please log in');
      return sessionUserOf(user);
    },

    async createApiKey(principal: Principal, input: { name: string; scopes: string[] }) {
      const prefix = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 8);
      const key = `wf_${prefix}_${randomBytes(32).toString('base64url')}`;
      const row = await events.write(async (tx) => {
        const created = await repo.insertApiKey(tx, {
          name: input.name,
          prefix,
          keyHash: sha256(key),
          scopes: [...new Set(input.scopes)].sort(),
          createdBy: principal.kind === 'user' ? principal.userId : null,
        });
        await events.append(tx, {
          type: 'api_key.created',
          entity: { type: 'api_key', id: created.id },
          actor: actorOf(principal),
          payload: { after: { name: created.name, prefix, scopes: created.scopes } },
        });
        return created;
      });
      return { ...toApiKey(row), key };
    },

    async listApiKeys() {
      return (await repo.findApiKeys(db)).map(toApiKey);
    },

    async revokeApiKey(principal: Principal, id: string) {
      const row = await events.write(async (tx) => {
        const revoked = await repo.revokeApiKey(tx, id, clock.now());
        if (!revoked) {
          const existing = await repo.findApiKeyById(tx, id);
          throw existing
            ? new AppError('ALREADY_INACTIVE', 'This API key is already revoked')
            : new AppError('NOT_FOUND', 'API key not found');
        }
        await events.append(tx, {
          type: 'api_key.revoked',
          entity: { type: 'api_key', id },
          actor: actorOf(principal),
          payload: { before: { revokedAt: null }, after: { revokedAt: revoked.revokedAt!.toISOString() } },
        });
        return revoked;
      });
      invalidate();
      for (const [hash, p] of apiKeyCache) if (p.keyId === id) apiKeyCache.delete(hash);
      return toApiKey(row);
    },

    /** Bootstrap: create this admin when no active admin exists. */
    async ensureAdmin(email: string, password: string, name = 'Administrator'): Promise<boolean> {
      if (await repo.adminExists(db)) return false;
      const passwordHash = await hashPassword(password);
      return events.write(async (tx) => {
        // Several processes (or calls) may start at once: one bootstraps, the others see its admin.
        await repo.lockAdminBootstrap(tx);
        if (await repo.adminExists(tx)) return false;
        const user = await repo.insertAdmin(tx, { email, name, passwordHash });
        await events.append(tx, {
          type: 'user.created',
          entity: { type: 'user', id: user.id },
          actor: { type: 'system', id: null, name: 'Workfloor' },
          payload: { after: { email, name, role: 'admin' }, reason: 'bootstrap admin' },
          scope: { userId: user.id },
        });
        return true;
      });
    },

    adminExists: () => repo.adminExists(db),

    /** Revokes every session of a user inside the caller's transaction (deactivation, password change). */
    endSessionsOf: (tx: Parameters<Parameters<EventLog['write']>[0]>[0], userId: string) =>
      repo.revokeFamiliesOfUser(tx, userId, clock.now()),

    /** Keeps the caches true to the log; called by the log tail in every process. */
    applyEvents(batch: StoredEvent[]) {
      forgetExpiredRevocations();
      if (batch.some((e) => ['user', 'department', 'location', 'api_key'].includes(e.entity.type))) invalidate();
      for (const e of batch) {
        if (e.entity.type === 'user') userCache.delete(e.entity.id);
        else if (e.entity.type === 'department' || e.entity.type === 'location') userCache.clear();
        else if (e.type === 'session.ended' || e.type === 'session.revoked') revokeLocally([e.entity.id]);
        else if (e.type === 'api_key.revoked') {
          for (const [hash, p] of apiKeyCache) if (p.keyId === e.entity.id) apiKeyCache.delete(hash);
        }
        if (e.type === 'user.deactivated' && Array.isArray(e.payload.sessionIds)) {
          revokeLocally(e.payload.sessionIds as string[]);
        }
      }
    },

    /** For the org service: a user's changes must be seen by the next request in this process. */
    forgetUser(userId: string) {
      invalidate();
      userCache.delete(userId);
    },

    /**
     * A live socket's principal after its user changed (role, scope, deactivation): the same session
     * with the user's current rights, or undefined when the user or the session is no longer valid.
     */
    async currentPrincipal(principal: UserPrincipal): Promise<UserPrincipal | undefined> {
      if (revokedSessions.has(principal.sessionId)) return undefined;
      const user = await loadUser(principal.userId);
      if (!user?.active) return undefined;
      const { active: _active, ...rest } = user;
      return { ...rest, sessionId: principal.sessionId };
    },
    revokeSessionsLocally: revokeLocally,
  };
}

export type AuthService = ReturnType<typeof createAuthService>;

function toApiKey(row: { id: string; name: string; prefix: string; scopes: string[]; createdAt: Date; revokedAt: Date | null }) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}
