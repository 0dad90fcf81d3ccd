import { type Kysely, sql } from 'kysely';
import { json } from '../db/json.js';
import type { Database, SecretKey, SecretKeyScope } from '../db/types.js';

// The SQL of secret keys. A key is found by the SHA-256 of its value; every query taking an id from outside is
// scoped by tenant.

/** The active key with this hash, or undefined for unknown and revoked keys alike. */
export async function findActiveSecretKey(db: Kysely<Database>, keyHash: string): Promise<SecretKey | undefined> {
  return db
    .selectFrom('secret_keys')
    .selectAll()
    .where('key_hash', '=', keyHash)
    .where('status', '=', 'active')
    .executeTakeFirst();
}

export async function insertSecretKey(
  db: Kysely<Database>,
  row: { id: string; tenantId: string; keyHash: string; prefix: string; label: string; scopes: SecretKeyScope[] },
): Promise<SecretKey> {
  return db
    .insertInto('secret_keys')
    .values({
      id: row.id,
      tenant_id: row.tenantId,
      key_hash: row.keyHash,
      prefix: row.prefix,
      label: row.label,
      scopes: json(row.scopes),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listSecretKeys(db: Kysely<Database>, tenantId: string): Promise<SecretKey[]> {
  return db
    .selectFrom('secret_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Revokes a key of the tenant; undefined when the tenant has no key with this id. Revoking twice is harmless. */
export async function revokeSecretKey(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  at: Date,
): Promise<SecretKey | undefined> {
  return db
    .updateTable('secret_keys')
    .set({ status: 'revoked', revoked_at: sql<Date>`coalesce(revoked_at, ${at})` })
    .where('id', '=', id)
    .where('tenant_id', '=', tenantId)
    .returningAll()
    .executeTakeFirst();
}

/** Records a use, unless one was recorded since `since` (so a busy key writes about once a minute, not per request). */
export async function touchSecretKey(db: Kysely<Database>, id: string, now: Date, since: Date): Promise<void> {
  await db
    .updateTable('secret_keys')
    .set({ last_used_at: now })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', since)]))
    .execute();
}
