import { inspect } from 'node:util';
import type { Secrets } from '../security/secrets.js';
import { decryptSecret, encryptSecret } from './secretBox.js';

/** Key purpose under the master key (Secrets.key), so the connection key is independent of every other key. */
export const CONNECTION_KEY_PURPOSE = 'connections';

/** The row a ciphertext belongs to: decrypting it as another tenant's or connection's fails. */
function aad(tenantId: string, connectionId: string): string {
  return `comerix:connection:v1:${tenantId}:${connectionId}`;
}

export function sealConnectionSecret(
  secrets: Secrets,
  ids: { tenantId: string; connectionId: string },
  secret: Record<string, string>,
): string {
  return encryptSecret(secrets.key(CONNECTION_KEY_PURPOSE), secret, aad(ids.tenantId, ids.connectionId));
}

export function openConnectionSecret(
  secrets: Secrets,
  ids: { tenantId: string; connectionId: string },
  ciphertext: string,
): Record<string, string> {
  return decryptSecret(secrets.key(CONNECTION_KEY_PURPOSE), ciphertext, aad(ids.tenantId, ids.connectionId));
}

const SECRET_FIELDS = new Set(['value', 'token', 'password', 'clientSecret']);

/**
 * Makes an auth object print and serialise without its secret fields (JSON.stringify, pino, console.log,
 * util.inspect), in case a caller logs a resolved connection. Property access still returns the real value.
 */
export function redactOnOutput<T extends object>(auth: T): T {
  const shown = () =>
    Object.fromEntries(Object.entries(auth).map(([k, v]) => [k, SECRET_FIELDS.has(k) ? '[redacted]' : v]));
  Object.defineProperty(auth, 'toJSON', { value: shown, enumerable: false });
  Object.defineProperty(auth, inspect.custom, { value: () => shown(), enumerable: false });
  return auth;
}
