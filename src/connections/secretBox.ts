import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM of a JSON object: base64url(iv | tag | ciphertext). `aad` binds the ciphertext to its row (tenant and
 * connection id), so a ciphertext copied onto another connection does not decrypt.
 */
export function encryptSecret(key: Buffer, plaintext: Record<string, string>, aad: string): string {
  if (key.length !== 32) throw new Error('the connection key must be 32 bytes');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(JSON.stringify(plaintext), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url');
}

export class SecretDecryptionError extends Error {}

/** Throws SecretDecryptionError (never naming the content) when the key, AAD or ciphertext does not match. */
export function decryptSecret(key: Buffer, ciphertext: string, aad: string): Record<string, string> {
  const raw = Buffer.from(ciphertext, 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretDecryptionError('the connection secret is damaged');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
    const value = JSON.parse(text) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, string>;
  } catch {
    throw new SecretDecryptionError(
      'the connection secret cannot be decrypted (was COMERIX_MASTER_KEY changed, or the row altered?)',
    );
  }
}
