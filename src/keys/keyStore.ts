import type { Kysely } from 'kysely';
import type { Database, NewPublicKey, PublicKey } from '../db/types.js';

// The SQL of widget keys. Every query that takes a key's id or value from outside is scoped by tenant where the
// caller has one.

export const PUBLIC_KEY_FORMAT = /^pk_live_[0-9a-f]{32}$/;

/** The active key, or undefined for unknown, malformed and revoked keys alike. */
export async function findActiveKey(db: Kysely<Database>, key: string): Promise<PublicKey | undefined> {
  if (!PUBLIC_KEY_FORMAT.test(key)) return undefined;
  return db
    .selectFrom('public_keys')
    .selectAll()
    .where('key', '=', key)
    .where('status', '=', 'active')
    .executeTakeFirst();
}

/** A key by its value, whatever its status, within a tenant when one is given. */
export async function findKey(db: Kysely<Database>, key: string, tenantId?: string): Promise<PublicKey | undefined> {
  let q = db.selectFrom('public_keys').selectAll().where('key', '=', key);
  if (tenantId) q = q.where('tenant_id', '=', tenantId);
  return q.executeTakeFirst();
}

export async function findKeyById(db: Kysely<Database>, tenantId: string, id: string): Promise<PublicKey | undefined> {
  return db
    .selectFrom('public_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('purpose', '=', 'widget')
    .executeTakeFirst();
}

export async function insertKey(db: Kysely<Database>, key: NewPublicKey): Promise<PublicKey> {
  return db.insertInto('public_keys').values(key).returningAll().executeTakeFirstOrThrow();
}

export async function listKeys(db: Kysely<Database>, tenantId?: string): Promise<PublicKey[]> {
  // The hidden key of admin test sessions is no widget key.
  let q = db.selectFrom('public_keys').selectAll().where('purpose', '=', 'widget');
  if (tenantId) q = q.where('tenant_id', '=', tenantId);
  return q.orderBy('created_at').execute();
}

/** Changes a key's settings; an update of a revoked key changes nothing (undefined). */
export async function updateKey(
  db: Kysely<Database>,
  id: string,
  tenantId: string,
  set: Partial<
    Pick<
      NewPublicKey,
      | 'label'
      | 'widget_label'
      | 'allowed_origins'
      | 'allowed_intents'
      | 'allows_all_intents'
      | 'allowed_forms'
      | 'allows_all_forms'
      | 'allow_server_side'
      | 'session_ttl_seconds'
    >
  >,
): Promise<PublicKey | undefined> {
  return db
    .updateTable('public_keys')
    .set(set)
    .where('id', '=', id)
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .returningAll()
    .executeTakeFirst();
}

/** Revokes a key by value (within a tenant when given); undefined when there is no such key. */
export async function revokeKey(
  db: Kysely<Database>,
  key: string,
  at: Date,
  tenantId?: string,
): Promise<PublicKey | undefined> {
  let q = db.updateTable('public_keys').set({ status: 'revoked', revoked_at: at }).where('key', '=', key);
  if (tenantId) q = q.where('tenant_id', '=', tenantId);
  return q.returningAll().executeTakeFirst();
}

/** Every origin some active key allows: what a preflight without a key may be answered from. */
export async function activeKeyOrigins(db: Kysely<Database>): Promise<Set<string>> {
  const rows = await db.selectFrom('public_keys').select('allowed_origins').where('status', '=', 'active').execute();
  return new Set(rows.flatMap((r) => r.allowed_origins));
}

/** The oldest active key of a tenant with this label. */
export async function activeKeyByLabel(
  db: Kysely<Database>,
  tenantId: string,
  label: string,
): Promise<PublicKey | undefined> {
  return db
    .selectFrom('public_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('label', '=', label)
    .where('status', '=', 'active')
    .orderBy('created_at')
    .executeTakeFirst();
}
