import { type Kysely, sql } from 'kysely';
import type { Database, Upload } from '../db/types.js';

// The SQL of uploads' metadata (their bytes are in the blob store), always scoped by tenant.

export async function insertUpload(
  db: Kysely<Database>,
  row: Omit<Upload, 'created_at' | 'submission_id' | 'referenced_at'>,
) {
  return db.insertInto('uploads').values(row).returningAll().executeTakeFirstOrThrow();
}

/**
 * Marks a form upload as used by a submission, in the submission's transaction: only an unused, unexpired upload of
 * this form, key and field qualifies, so a ref is accepted once and never from another form or key.
 */
export async function claimFormUpload(
  db: Kysely<Database>,
  where: { tenantId: string; id: string; formId: string; publicKeyId: string; field: string; submissionId: string },
  now: Date,
): Promise<boolean> {
  const row = await db
    .updateTable('uploads')
    .set({ submission_id: where.submissionId, referenced_at: now })
    .where('tenant_id', '=', where.tenantId)
    .where('id', '=', where.id)
    .where('form_id', '=', where.formId)
    .where('public_key_id', '=', where.publicKeyId)
    .where('field', '=', where.field)
    .where('referenced_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** A chat upload of this conversation, for this field, not expired (or already referenced by an earlier resume). */
export async function findChatUpload(
  db: Kysely<Database>,
  where: { tenantId: string; id: string; conversationId: string; field: string },
  now: Date,
): Promise<Upload | undefined> {
  return db
    .selectFrom('uploads')
    .selectAll()
    .where('tenant_id', '=', where.tenantId)
    .where('id', '=', where.id)
    .where('conversation_id', '=', where.conversationId)
    .where('field', '=', where.field)
    .where((eb) => eb.or([eb('referenced_at', 'is not', null), eb('expires_at', '>', now)]))
    .executeTakeFirst();
}

export async function markChatUploadsReferenced(
  db: Kysely<Database>,
  tenantId: string,
  ids: string[],
  now: Date,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('uploads')
    .set({ referenced_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .where('referenced_at', 'is', null)
    .execute();
}

export async function findUpload(db: Kysely<Database>, tenantId: string, id: string): Promise<Upload | undefined> {
  return db.selectFrom('uploads').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** Takes a batch of unreferenced uploads past their expiry off the table, returning their blobs to remove. */
export async function deleteExpiredUploads(
  db: Kysely<Database>,
  now: Date,
  batch: number,
): Promise<{ tenant_id: string; storage_name: string }[]> {
  const result = await sql<{ tenant_id: string; storage_name: string }>`
    delete from uploads where id in (
      select id from uploads where referenced_at is null and expires_at <= ${now} order by expires_at limit ${batch}
    ) and referenced_at is null
    returning tenant_id, storage_name`.execute(db);
  return result.rows;
}
