import { inspect } from 'node:util';
import type { Secrets } from '../security/secrets.js';
import { decryptSecret, encryptSecret, SecretDecryptionError } from './secretBox.js';

/** Key purpose under the master key (Secrets.key), so the connection key is independent of every other key. */
export const CONNECTION_KEY_PURPOSE = 'connections';

/**
 * Everything that decides where, and how, the decrypted secret is sent. It is the AES-GCM additional data, so a
 * ciphertext opens only for the row and settings it was sealed for: whoever can write a row but does not hold the
 * master key cannot point a credential at another host (base URL, OAuth2 token URL), another header or another auth
 * scheme. Changing any of these through the service re-seals; changing them in SQL makes the secret unusable.
 */
export interface SecretBinding {
  tenantId: string;
  connectionId: string;
  type: string;
  baseUrl: string;
  authType: string;
  authConfig: unknown;
}

/** v2 ciphertexts say so; the v1 format (bare base64url) is only ever read by resealLegacyConnectionSecrets. */
const V2_PREFIX = 'v2.';

function aad(b: SecretBinding): string {
  return `comerix:connection:v2:${canonicalJson([b.tenantId, b.connectionId, b.type, b.baseUrl, b.authType, b.authConfig])}`;
}

/** JSON with object keys sorted at every level, so equal settings give equal bytes however they were stored (jsonb reorders keys). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function sealConnectionSecret(secrets: Secrets, binding: SecretBinding, secret: Record<string, string>): string {
  return V2_PREFIX + encryptSecret(secrets.key(CONNECTION_KEY_PURPOSE), secret, aad(binding));
}

/** Only v2 is accepted: a v1 ciphertext is bound to the row id alone, so its row's base URL could have been changed. */
export function openConnectionSecret(
  secrets: Secrets,
  binding: SecretBinding,
  ciphertext: string,
): Record<string, string> {
  if (!ciphertext.startsWith(V2_PREFIX)) {
    throw new SecretDecryptionError('the connection secret is in the old format and was never re-sealed at start');
  }
  return decryptSecret(secrets.key(CONNECTION_KEY_PURPOSE), ciphertext.slice(V2_PREFIX.length), aad(binding));
}

/** Whether a stored ciphertext is in the v1 format (sealed to tenant and connection id only). */
export function isLegacyCiphertext(ciphertext: string): boolean {
  return !ciphertext.startsWith(V2_PREFIX);
}

/** Opens a v1 ciphertext; for the one-off re-seal at start only, never on the way to a request. */
export function openLegacyConnectionSecret(
  secrets: Secrets,
  ids: { tenantId: string; connectionId: string },
  ciphertext: string,
): Record<string, string> {
  return decryptSecret(
    secrets.key(CONNECTION_KEY_PURPOSE),
    ciphertext,
    `comerix:connection:v1:${ids.tenantId}:${ids.connectionId}`,
  );
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
