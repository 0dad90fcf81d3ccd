import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Secrets } from '../security/secrets.js';
import {
  isLegacyCiphertext,
  openConnectionSecret,
  openLegacyConnectionSecret,
  redactOnOutput,
  sealConnectionSecret,
} from './connectionSecret.js';
import { decryptSecret, encryptSecret, SecretDecryptionError } from './secretBox.js';

const key = randomBytes(32);
const secret = { token: 'tok_live_abcdefghijklmnopqrstuvwxyz', note: 'é ünïcode ✓' };

describe('AES-256-GCM connection secrets', () => {
  it('round-trips a JSON object', () => {
    const sealed = encryptSecret(key, secret, 'aad-1');
    expect(decryptSecret(key, sealed, 'aad-1')).toEqual(secret);
  });

  it('is base64url of iv (12) | tag (16) | ciphertext, with a fresh IV every time', () => {
    const a = encryptSecret(key, secret, 'aad-1');
    const b = encryptSecret(key, secret, 'aad-1');
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    const raw = Buffer.from(a, 'base64url');
    expect(raw.length).toBe(12 + 16 + Buffer.byteLength(JSON.stringify(secret)));
    expect(a).not.toContain('tok_live');
    expect(raw.toString('latin1')).not.toContain('tok_live');
  });

  it('refuses a wrong key, a different AAD, or any flipped bit, without naming the secret', () => {
    const sealed = encryptSecret(key, secret, 'aad-1');
    expect(() => decryptSecret(randomBytes(32), sealed, 'aad-1')).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(key, sealed, 'aad-2')).toThrow(SecretDecryptionError);
    const raw = Buffer.from(sealed, 'base64url');
    for (const at of [0, 13, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[at]! ^= 1;
      expect(() => decryptSecret(key, tampered.toString('base64url'), 'aad-1')).toThrow(SecretDecryptionError);
    }
    expect(() => decryptSecret(key, 'short', 'aad-1')).toThrow(SecretDecryptionError);
    let error: unknown;
    try {
      decryptSecret(key, sealed, 'other');
    } catch (caught) {
      error = caught;
    }
    // Outside the catch: a decryption that stopped throwing fails here instead of skipping the check.
    expect(error).toBeInstanceOf(SecretDecryptionError);
    expect((error as Error).message).not.toContain('tok_live');
  });

  it('derives the key from the master key under the "connections" purpose and binds it to the row and its settings', () => {
    const secrets = new Secrets(Buffer.alloc(32, 7));
    const binding = {
      tenantId: 't1',
      connectionId: 'c1',
      type: 'http',
      baseUrl: 'https://api.shop.example/v1/',
      authType: 'header',
      authConfig: { headerName: 'X-Api-Key', username: undefined },
    };
    const sealed = sealConnectionSecret(secrets, binding, { value: 'v' });
    expect(sealed.startsWith('v2.')).toBe(true);
    expect(openConnectionSecret(secrets, binding, sealed)).toEqual({ value: 'v' });
    const aad =
      'comerix:connection:v2:["t1","c1","http","https://api.shop.example/v1/","header",{"headerName":"X-Api-Key"}]';
    expect(decryptSecret(secrets.key('connections'), sealed.slice(3), aad)).toEqual({ value: 'v' });
    // The settings' key order does not matter (jsonb reorders keys); their content does.
    const reordered = { ...binding, authConfig: { b: '2', a: '1' } };
    const resealed = sealConnectionSecret(secrets, reordered, { value: 'v' });
    expect(openConnectionSecret(secrets, { ...binding, authConfig: { a: '1', b: '2' } }, resealed)).toEqual({
      value: 'v',
    });
    for (const changed of [
      { tenantId: 't2' },
      { connectionId: 'c2' },
      { type: 'openai' },
      { baseUrl: 'https://evil.example/v1/' },
      { baseUrl: 'https://api.shop.example/v1/x/' },
      { authType: 'bearer' },
      { authConfig: { headerName: 'X-Evil' } },
      { authConfig: { headerName: 'X-Api-Key', tokenUrl: 'https://evil.example/token' } },
    ]) {
      expect(() => openConnectionSecret(secrets, { ...binding, ...changed }, sealed)).toThrow(SecretDecryptionError);
    }
    expect(() => openConnectionSecret(new Secrets(Buffer.alloc(32, 8)), binding, sealed)).toThrow();
  });

  it('never opens a v1 ciphertext on the way to a request; only the start-up re-seal reads v1', () => {
    const secrets = new Secrets(Buffer.alloc(32, 7));
    const ids = { tenantId: 't1', connectionId: 'c1' };
    const v1 = encryptSecret(secrets.key('connections'), { value: 'v' }, 'comerix:connection:v1:t1:c1');
    const binding = { ...ids, type: 'http', baseUrl: 'https://a.example/', authType: 'header', authConfig: {} };
    expect(() => openConnectionSecret(secrets, binding, v1)).toThrow(SecretDecryptionError);
    expect(isLegacyCiphertext(v1)).toBe(true);
    expect(openLegacyConnectionSecret(secrets, ids, v1)).toEqual({ value: 'v' });
    expect(isLegacyCiphertext(sealConnectionSecret(secrets, binding, { value: 'v' }))).toBe(false);
  });

  it('prints a resolved auth object without its secret', async () => {
    const { inspect } = await import('node:util');
    const auth = redactOnOutput({ type: 'basic', username: 'u', password: 'hunter2-secret' });
    expect(auth.password).toBe('hunter2-secret');
    expect(JSON.stringify({ auth })).not.toContain('hunter2');
    expect(inspect({ auth })).not.toContain('hunter2');
    expect(JSON.stringify({ auth })).toContain('"username":"u"');
  });
});
