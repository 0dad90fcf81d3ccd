import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Secrets } from '../security/secrets.js';
import { openConnectionSecret, redactOnOutput, sealConnectionSecret } from './connectionSecret.js';
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

  it('derives the key from the master key under the "connections" purpose and binds it to tenant and connection', () => {
    const secrets = new Secrets(Buffer.alloc(32, 7));
    const ids = { tenantId: 't1', connectionId: 'c1' };
    const sealed = sealConnectionSecret(secrets, ids, { value: 'v' });
    expect(openConnectionSecret(secrets, ids, sealed)).toEqual({ value: 'v' });
    expect(decryptSecret(secrets.key('connections'), sealed, 'comerix:connection:v1:t1:c1')).toEqual({ value: 'v' });
    expect(() => openConnectionSecret(secrets, { tenantId: 't2', connectionId: 'c1' }, sealed)).toThrow();
    expect(() => openConnectionSecret(secrets, { tenantId: 't1', connectionId: 'c2' }, sealed)).toThrow();
    expect(() => openConnectionSecret(new Secrets(Buffer.alloc(32, 8)), ids, sealed)).toThrow();
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
