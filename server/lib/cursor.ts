import { AppError } from './app-error.ts';

/**
 * Opaque keyset cursors: the sort key of the last item, base64url-encoded JSON.
 * Keyset (not offset) pagination stays fast and stable while rows are inserted.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * What each position of a cursor key must be. A client can send any cursor, and the key goes into
 * SQL typed (`::uuid`, bigint), so a wrong type must be refused here as a bad request, not reach
 * the database as a 500.
 */
export type CursorPart = 'text' | 'uuid' | 'int';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const partOk: Record<CursorPart, (k: unknown) => boolean> = {
  // PostgreSQL text cannot hold NUL.
  text: (k) => typeof k === 'string' && !k.includes('\u0000'),
  uuid: (k) => typeof k === 'string' && UUID.test(k),
  int: (k) => typeof k === 'number' && Number.isSafeInteger(k) && k >= 0,
};

/** `shape` is the kinds of the key's parts, or just their number (any string or number then). */
export function decodeCursor(cursor: string | undefined, shape: number | readonly CursorPart[]): (string | number)[] | undefined {
  if (cursor === undefined) return undefined;
  const arity = typeof shape === 'number' ? shape : shape.length;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === arity &&
      key.every((k, i) => (typeof shape === 'number' ? typeof k === 'string' || typeof k === 'number' : partOk[shape[i]!](k)))
    ) {
      return key;
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError('VALIDATION_FAILED', 'cursor is not valid', { field: 'cursor' });
}

/** Takes `limit + 1` rows and answers the page with the cursor of its last item when more follow. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => (string | number)[]) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
