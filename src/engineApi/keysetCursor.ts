import { AppError } from '../errors/AppError.js';
import type { KeysetPosition } from '../sessions/sessionStore.js';

// The cursor of a newest-first list: the last row's (created_at to the microsecond, id), opaque to clients. The next
// page starts strictly below it, so rows added during a walk (newer than its start) neither repeat nor hide others.

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeKeyset(position: KeysetPosition): string {
  return Buffer.from(`${position.at}|${position.id}`).toString('base64url');
}

export function decodeKeyset(cursor: string | undefined, name = 'cursor'): KeysetPosition | undefined {
  if (cursor === undefined) return undefined;
  const [at, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !at || !id || !AT.test(at) || !ID.test(id)) {
    throw new AppError('invalid_request', `${name}: not a cursor returned by this API`);
  }
  return { at, id };
}

/** The page and its next cursor, from `limit + 1` rows read. */
export function keysetPage<R extends { id: string; created_key: string }>(
  rows: R[],
  limit: number,
): { rows: R[]; nextCursor: string | null } {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  const last = page.at(-1)!;
  return { rows: page, nextCursor: encodeKeyset({ at: last.created_key, id: last.id }) };
}
