import { type Kysely, type RawBuilder, sql } from 'kysely';
import { json } from '../db/json.js';
import type { Database, IdempotencyKeysTable } from '../db/types.js';
import type { Json } from '../engine/types.js';

// The SQL of idempotency records. Every change after the claim is conditional on the record's owner (a random token
// per attempt), so a request whose record was taken over can neither finish nor release it.

export interface RecordKey {
  tenant_id: string;
  caller: string;
  route: string;
  key: string;
}

interface Stored {
  body_hash: string;
  state: IdempotencyKeysTable['state'];
  owner: string | null;
  status_code: number | null;
  response: Json | null;
  expires_at: Date;
  created_at: Date;
}

/** Inserts an in-progress record owned by `owner`; false when one exists already. */
export async function claimRecord(
  db: Kysely<Database>,
  where: RecordKey,
  values: { bodyHash: string; owner: string; now: Date; expiresAt: Date },
): Promise<boolean> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({
      ...where,
      body_hash: values.bodyHash,
      state: 'in_progress',
      owner: values.owner,
      created_at: values.now,
      expires_at: values.expiresAt,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'caller', 'route', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function readRecord(db: Kysely<Database>, where: RecordKey): Promise<Stored | undefined> {
  return db
    .selectFrom('idempotency_keys')
    .select(['body_hash', 'state', 'owner', 'status_code', 'response', 'expires_at', 'created_at'])
    .where('tenant_id', '=', where.tenant_id)
    .where('caller', '=', where.caller)
    .where('route', '=', where.route)
    .where('key', '=', where.key)
    .executeTakeFirst();
}

/**
 * Takes over a record that expired or whose request died (stale in progress), exactly as it was read: of two
 * requests doing so at once, one wins. The loser's change (if it is still running) can no longer commit.
 */
export async function takeOverRecord(
  db: Kysely<Database>,
  where: RecordKey,
  seen: { owner: string | null; createdAt: Date },
  values: { bodyHash: string; owner: string; now: Date; expiresAt: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('idempotency_keys')
    .set({
      body_hash: values.bodyHash,
      state: 'in_progress',
      owner: values.owner,
      status_code: null,
      response: null,
      created_at: values.now,
      expires_at: values.expiresAt,
    })
    .where('tenant_id', '=', where.tenant_id)
    .where('caller', '=', where.caller)
    .where('route', '=', where.route)
    .where('key', '=', where.key)
    .where('created_at', '=', seen.createdAt)
    .where((eb) => (seen.owner === null ? eb('owner', 'is', null) : eb('owner', '=', seen.owner)))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Records the answer, only while `owner` still holds the record in progress: the statement or a CTE of one. */
export function finishStatement(where: RecordKey, owner: string, status: number, stored: Json): RawBuilder<unknown> {
  return sql`update idempotency_keys set state = 'done', status_code = ${status}, response = ${json(stored)}::jsonb
    where tenant_id = ${where.tenant_id}::uuid and caller = ${where.caller} and route = ${where.route}
      and key = ${where.key} and owner = ${owner} and state = 'in_progress'`;
}

/** Drops the record so the key can be used again (5xx, 409, 429 are not kept), only while `owner` holds it. */
export async function releaseRecord(db: Kysely<Database>, where: RecordKey, owner: string): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('tenant_id', '=', where.tenant_id)
    .where('caller', '=', where.caller)
    .where('route', '=', where.route)
    .where('key', '=', where.key)
    .where('owner', '=', owner)
    .where('state', '=', 'in_progress')
    .execute();
}

/** Drops records past their 24 h window, a batch at a time (the worker's periodic sweep). */
export async function purgeExpiredRecords(db: Kysely<Database>, now: Date, batch: number): Promise<number> {
  const result = await sql`
    delete from idempotency_keys where ctid in (
      select ctid from idempotency_keys where expires_at < ${now} limit ${batch}
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
