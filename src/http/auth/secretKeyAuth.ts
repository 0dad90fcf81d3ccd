import type { AppContext } from '../../app/AppContext.js';
import type { SecretKey, SecretKeyScope } from '../../db/types.js';
import { AppError } from '../../errors/AppError.js';
import { hashSecretKey, SECRET_KEY_FORMAT } from '../../secretKeys/secretKeyService.js';
import { findActiveSecretKey, touchSecretKey } from '../../secretKeys/secretKeyStore.js';

/** What a route authenticated by a secret key receives: the key's row (never its value). */
export interface SecretKeyAuth {
  id: string;
  tenantId: string;
  scopes: SecretKeyScope[];
}

/** `last_used_at` is written when the stored value is older than this: about once a minute per busy key. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * The secret key of `Authorization: Bearer sk_live_…`: found by the SHA-256 of the value (an index lookup, no
 * comparison of secrets), active only. Missing, malformed, unknown and revoked keys get the same 401.
 */
export async function secretKeyAuth(ctx: AppContext, authorization: string | undefined): Promise<SecretKeyAuth> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  const value = match?.[1];
  const key: SecretKey | undefined =
    value !== undefined && SECRET_KEY_FORMAT.test(value)
      ? await findActiveSecretKey(ctx.kysely, hashSecretKey(value))
      : undefined;
  if (!key) {
    throw new AppError(
      'invalid_secret_key',
      value === undefined
        ? 'Send the secret key as Authorization: Bearer sk_live_….'
        : 'The secret key is unknown or revoked.',
    );
  }
  const now = new Date();
  if (!key.last_used_at || now.getTime() - key.last_used_at.getTime() >= TOUCH_INTERVAL_MS) {
    await touchSecretKey(ctx.kysely, key.id, now, new Date(now.getTime() - TOUCH_INTERVAL_MS));
  }
  return { id: key.id, tenantId: key.tenant_id, scopes: key.scopes };
}

/** A key without the route's scope: 403 `forbidden` (after the 401 checks, before the request's shape). */
export function requireScope(auth: SecretKeyAuth, scope: SecretKeyScope): void {
  if (!auth.scopes.includes(scope)) {
    throw new AppError('forbidden', `This secret key lacks the scope ${scope}.`, { requiredScope: scope });
  }
}
