import { createHash, randomBytes } from 'node:crypto';
import type { AppContext } from '../app/AppContext.js';
import { recordAudit } from '../audit/recordAudit.js';
import { newId } from '../db/newId.js';
import { SECRET_KEY_SCOPES, type SecretKey, type SecretKeyScope } from '../db/types.js';
import { AppError } from '../errors/AppError.js';
import { insertSecretKey, listSecretKeys, revokeSecretKey } from './secretKeyStore.js';

export const SECRET_KEY_FORMAT = /^sk_live_[0-9a-f]{40}$/;
/** What `secret-key:list` shows of a key: enough to tell keys apart, far too little to guess one. */
const PREFIX_LENGTH = 'sk_live_'.length + 4;

/** The stored form of a key: SHA-256, hex. A key is 160 random bits, so no slow hash is needed. */
export function hashSecretKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface CreateSecretKeyInput {
  tenantId: string;
  label: string;
  scopes: string[];
}

const invalid = (path: string, rule: string, message: string) =>
  new AppError('invalid_request', message, { fields: [{ path, rule, message }] });

function checkScopes(scopes: string[]): SecretKeyScope[] {
  if (scopes.length === 0)
    throw invalid('scopes', 'required', `give at least one scope (${SECRET_KEY_SCOPES.join(', ')})`);
  for (const scope of scopes) {
    if (!(SECRET_KEY_SCOPES as readonly string[]).includes(scope)) {
      throw invalid('scopes', 'enum', `unknown scope "${scope}" (one of ${SECRET_KEY_SCOPES.join(', ')})`);
    }
  }
  return SECRET_KEY_SCOPES.filter((s) => scopes.includes(s));
}

/** Issues a key; the returned `key` is the only time its value exists outside the caller's hands. */
export async function createSecretKey(
  ctx: AppContext,
  input: CreateSecretKeyInput,
  actor = 'cli',
): Promise<{ key: string; row: SecretKey }> {
  const label = input.label.trim();
  if (label.length === 0 || label.length > 200) throw invalid('label', 'length', 'a label of 1–200 characters');
  const scopes = checkScopes(input.scopes);
  const key = `sk_live_${randomBytes(20).toString('hex')}`;
  const row = await ctx.kysely.transaction().execute(async (trx) => {
    const inserted = await insertSecretKey(trx, {
      id: newId(),
      tenantId: input.tenantId,
      keyHash: hashSecretKey(key),
      prefix: key.slice(0, PREFIX_LENGTH),
      label,
      scopes,
    });
    await recordAudit(trx, {
      tenantId: input.tenantId,
      actor,
      action: 'secret_key.create',
      target: inserted.id,
      after: { label, scopes, prefix: inserted.prefix },
    });
    return inserted;
  });
  return { key, row };
}

export async function listTenantSecretKeys(ctx: AppContext, tenantId: string): Promise<SecretKey[]> {
  return listSecretKeys(ctx.kysely, tenantId);
}

/** Revokes a key by id within the tenant: the next request with it gets 401 invalid_secret_key. */
export async function revokeTenantSecretKey(
  ctx: AppContext,
  tenantId: string,
  id: string,
  actor = 'cli',
): Promise<SecretKey> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError('not_found', `no secret key "${id}" in this tenant`);
  return ctx.kysely.transaction().execute(async (trx) => {
    const row = await revokeSecretKey(trx, tenantId, id.toLowerCase(), new Date());
    if (!row) throw new AppError('not_found', `no secret key "${id}" in this tenant`);
    await recordAudit(trx, {
      tenantId,
      actor,
      action: 'secret_key.revoke',
      target: row.id,
      after: { status: row.status },
    });
    return row;
  });
}
