import { describe, expect, it } from 'vitest';
import { hashSecretKey, SECRET_KEY_FORMAT } from '../secretKeys/secretKeyService.js';
import { decodeKeyset, encodeKeyset, keysetPage } from './keysetCursor.js';

describe('keyset cursors', () => {
  const position = { at: '2026-12-02T18:07:38.123456Z', id: '019ae0f4-5d0c-7b9e-a1f2-3c4d5e6f7a8b' };

  it('round-trips a position to the microsecond', () => {
    expect(decodeKeyset(encodeKeyset(position))).toEqual(position);
    expect(decodeKeyset(undefined)).toBeUndefined();
  });

  it('refuses anything it did not make as 400 invalid_request', () => {
    for (const bad of [
      'nope',
      '',
      Buffer.from('2026-12-02T18:07:38.123Z|019ae0f4-5d0c-7b9e-a1f2-3c4d5e6f7a8b').toString('base64url'),
      Buffer.from(`${position.at}|not-a-uuid`).toString('base64url'),
      Buffer.from(`${position.at}|${position.id}|x`).toString('base64url'),
      Buffer.from(`${position.at}'|${position.id}`).toString('base64url'),
    ]) {
      expect(() => decodeKeyset(bad), bad).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    }
  });

  it('gives a next cursor only when a row beyond the page was read', () => {
    const rows = [1, 2, 3].map((n) => ({ id: `${position.id.slice(0, -1)}${n}`, created_key: position.at }));
    expect(keysetPage(rows.slice(0, 2), 2)).toEqual({ rows: rows.slice(0, 2), nextCursor: null });
    const page = keysetPage(rows, 2);
    expect(page.rows).toEqual(rows.slice(0, 2));
    expect(decodeKeyset(page.nextCursor!)).toEqual({ at: position.at, id: rows[1]!.id });
  });
});

describe('secret key values', () => {
  it('are sk_live_ + 40 lowercase hex, stored as their SHA-256', () => {
    expect(SECRET_KEY_FORMAT.test(`sk_live_${'a1'.repeat(20)}`)).toBe(true);
    expect(SECRET_KEY_FORMAT.test(`sk_live_${'A1'.repeat(20)}`)).toBe(false);
    expect(SECRET_KEY_FORMAT.test(`pk_live_${'a1'.repeat(16)}`)).toBe(false);
    expect(hashSecretKey('sk_live_x')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSecretKey('sk_live_x')).not.toContain('sk_live_x');
  });
});
