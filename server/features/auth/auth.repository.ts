import { and, desc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import { apiKeys, departments, refreshTokens, users } from '../../db/schema.ts';

export function findUserByEmail(db: DbOrTx, email: string) {
  return db.query.users.findFirst({ where: sql`lower(${users.email}) = lower(${email})` });
}

export function findUserById(db: DbOrTx, id: string) {
  return db.query.users.findFirst({ where: eq(users.id, id) });
}

export async function adminExists(db: DbOrTx): Promise<boolean> {
  const row = await db.query.users.findFirst({ where: and(eq(users.role, 'admin'), eq(users.active, true)), columns: { id: true } });
  return row !== undefined;
}

/** Serialises bootstrap-admin creation across processes until the transaction ends. */
export async function lockAdminBootstrap(tx: DbOrTx): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('workfloor:bootstrap-admin'))`);
}

export function insertAdmin(db: DbOrTx, values: { email: string; name: string; passwordHash: string }) {
  return db.insert(users).values({ ...values, role: 'admin' }).returning().then((r) => r[0]!);
}

/** Departments that a manager scope reaches: the listed ones and every one at the listed locations. */
export function findDepartmentsInScope(db: DbOrTx, departmentIds: string[], locationIds: string[]) {
  if (departmentIds.length === 0 && locationIds.length === 0) return Promise.resolve([]);
  return db
    .select({ id: departments.id, locationId: departments.locationId })
    .from(departments)
    .where(
      or(
        departmentIds.length ? inArray(departments.id, departmentIds) : undefined,
        locationIds.length ? inArray(departments.locationId, locationIds) : undefined,
      ),
    );
}

export function insertRefreshToken(
  db: DbOrTx,
  values: { familyId: string; userId: string; tokenHash: string; expiresAt: Date },
) {
  return db.insert(refreshTokens).values(values);
}

/** Marks the token rotated if it is still live; answers nothing when it was already used, revoked or expired. */
export async function claimRefreshToken(db: DbOrTx, tokenHash: string, now: Date) {
  const [row] = await db
    .update(refreshTokens)
    .set({ rotatedAt: now })
    .where(
      and(
        eq(refreshTokens.tokenHash, tokenHash),
        isNull(refreshTokens.rotatedAt),
        isNull(refreshTokens.revokedAt),
        gt(refreshTokens.expiresAt, now),
      ),
    )
    .returning();
  return row;
}

export function findRefreshTokenByHash(db: DbOrTx, tokenHash: string) {
  return db.query.refreshTokens.findFirst({ where: eq(refreshTokens.tokenHash, tokenHash) });
}

export async function revokeFamily(db: DbOrTx, familyId: string, now: Date): Promise<number> {
  const rows = await db
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  return rows.length;
}

export async function revokeFamiliesOfUser(db: DbOrTx, userId: string, now: Date): Promise<string[]> {
  const rows = await db
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
    .returning({ familyId: refreshTokens.familyId });
  return [...new Set(rows.map((r) => r.familyId))];
}

/** Families revoked recently enough that an access token issued for them may still be unexpired. */
export async function findFamiliesRevokedSince(db: DbOrTx, since: Date): Promise<string[]> {
  const rows = await db
    .selectDistinct({ familyId: refreshTokens.familyId })
    .from(refreshTokens)
    .where(gt(refreshTokens.revokedAt, since));
  return rows.map((r) => r.familyId);
}

export function insertApiKey(
  db: DbOrTx,
  values: { name: string; prefix: string; keyHash: string; scopes: string[]; createdBy: string | null },
) {
  return db.insert(apiKeys).values(values).returning().then((r) => r[0]!);
}

export function findApiKeys(db: DbOrTx) {
  return db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt));
}

export function findApiKeyById(db: DbOrTx, id: string) {
  return db.query.apiKeys.findFirst({ where: eq(apiKeys.id, id) });
}

export function findLiveApiKeyByHash(db: DbOrTx, keyHash: string) {
  return db.query.apiKeys.findFirst({ where: and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)) });
}

export async function revokeApiKey(db: DbOrTx, id: string, now: Date) {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning();
  return row;
}
