import { type Kysely, type Selectable, sql } from 'kysely';
import { json } from '../db/json.js';
import type { ConnectionsTable, Database } from '../db/types.js';

// The SQL of connections, always scoped by tenant. Only `findConnectionRow` and the re-seal read the ciphertext.

export const PUBLIC_COLUMNS = [
  'id',
  'tenant_id',
  'name',
  'type',
  'base_url',
  'auth_type',
  'auth_config',
  sql<boolean>`secret_ciphertext is not null`.as('has_secret'),
  'created_at',
  'updated_at',
] as const;

type Writable = Pick<ConnectionsTable, 'type' | 'base_url' | 'auth_type' | 'secret_ciphertext'> & {
  auth_config: ConnectionsTable['auth_config'];
};

export async function connectionIdByName(db: Kysely<Database>, tenantId: string, name: string) {
  return db
    .selectFrom('connections')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name)
    .executeTakeFirst();
}

export async function insertConnection(
  db: Kysely<Database>,
  row: { id: string; tenant_id: string; name: string } & Writable,
) {
  return db
    .insertInto('connections')
    .values({ ...row, auth_config: json(row.auth_config) })
    .returning(PUBLIC_COLUMNS)
    .executeTakeFirstOrThrow();
}

export async function listConnectionRows(db: Kysely<Database>, tenantId: string) {
  return db
    .selectFrom('connections')
    .select(PUBLIC_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .orderBy('name')
    .execute();
}

export async function connectionByName(db: Kysely<Database>, tenantId: string, name: string) {
  return db
    .selectFrom('connections')
    .select(PUBLIC_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name)
    .executeTakeFirst();
}

export async function deleteConnectionRow(db: Kysely<Database>, tenantId: string, name: string) {
  return db
    .deleteFrom('connections')
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name)
    .returning(PUBLIC_COLUMNS)
    .executeTakeFirst();
}

/** The whole row, secret included; `lock` for an update in a transaction. */
export async function findConnectionRow(
  db: Kysely<Database>,
  tenantId: string,
  name: string,
  options: { lock?: boolean } = {},
): Promise<Selectable<ConnectionsTable> | undefined> {
  let q = db.selectFrom('connections').selectAll().where('tenant_id', '=', tenantId).where('name', '=', name);
  if (options.lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function updateConnectionRow(db: Kysely<Database>, id: string, tenantId: string, set: Writable) {
  return db
    .updateTable('connections')
    .set({ ...set, auth_config: json(set.auth_config), updated_at: sql<string>`now()` })
    .where('id', '=', id)
    .where('tenant_id', '=', tenantId)
    .returning(PUBLIC_COLUMNS)
    .executeTakeFirstOrThrow();
}

/** Rows whose secret is still sealed the v1 way, locked for the re-seal at start. */
export async function legacySealedRows(db: Kysely<Database>) {
  return db
    .selectFrom('connections')
    .selectAll()
    .where('secret_ciphertext', 'is not', null)
    .where('secret_ciphertext', 'not like', 'v2.%')
    .forUpdate()
    .execute();
}

export async function setSecretCiphertext(db: Kysely<Database>, id: string, sealed: string): Promise<void> {
  await db.updateTable('connections').set({ secret_ciphertext: sealed }).where('id', '=', id).execute();
}
