import { AppError } from '../errors/AppError.js';

/**
 * The poll cursor is opaque to clients: it encodes the last block sequence number and the execution's version,
 * so it advances on a new block and on a status change alike.
 */
export interface Cursor {
  seq: number;
  version: number;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.seq}.${cursor.version}`).toString('base64url');
}

export function decodeCursor(value: string): Cursor {
  const match = /^(\d{1,9})\.(\d{1,9})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!match) throw new AppError('invalid_request', 'after: not a cursor returned by this API');
  return { seq: Number(match[1]), version: Number(match[2]) };
}
