import type { Kysely } from 'kysely';
import { isUuid } from '../db/isUuid.js';
import { json } from '../db/json.js';
import type { Database, Form, FormVersion } from '../db/types.js';
import type { JsonObject } from '../engine/types.js';
import type { FormDefinition } from './formDefinition.js';

// The SQL of forms, their immutable versions and submissions, always scoped by tenant.

export async function lockFormByCode(db: Kysely<Database>, tenantId: string, code: string): Promise<Form | undefined> {
  return db
    .selectFrom('forms')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('code', '=', code)
    .forUpdate()
    .executeTakeFirst();
}

/** A tenant's form by code, or by id when the text is a UUID. */
export async function findForm(db: Kysely<Database>, tenantId: string, codeOrId: string): Promise<Form | undefined> {
  return db
    .selectFrom('forms')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where(isUuid(codeOrId) ? 'id' : 'code', '=', codeOrId)
    .executeTakeFirst();
}

export async function insertForm(
  db: Kysely<Database>,
  row: { id: string; tenantId: string; definition: FormDefinition },
): Promise<Form> {
  return db
    .insertInto('forms')
    .values({ id: row.id, tenant_id: row.tenantId, code: row.definition.code, draft: json(row.definition) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setFormDraft(db: Kysely<Database>, form: Form, definition: FormDefinition): Promise<Form> {
  return db
    .updateTable('forms')
    .set({ draft: json(definition), updated_at: new Date() })
    .where('id', '=', form.id)
    .where('tenant_id', '=', form.tenant_id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findFormVersion(
  db: Kysely<Database>,
  formId: string,
  version: number,
): Promise<FormVersion | undefined> {
  return db
    .selectFrom('form_versions')
    .selectAll()
    .where('form_id', '=', formId)
    .where('version', '=', version)
    .executeTakeFirst();
}

export async function insertFormVersion(
  db: Kysely<Database>,
  form: Form,
  definition: JsonObject,
  id: string,
): Promise<FormVersion> {
  return db
    .insertInto('form_versions')
    .values({
      id,
      tenant_id: form.tenant_id,
      form_id: form.id,
      version: form.latest_version + 1,
      definition: json(definition),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setFormPublished(db: Kysely<Database>, form: Form, version: FormVersion): Promise<Form> {
  return db
    .updateTable('forms')
    .set({ published_version_id: version.id, latest_version: version.version, updated_at: new Date() })
    .where('id', '=', form.id)
    .where('tenant_id', '=', form.tenant_id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listFormRows(db: Kysely<Database>, tenantId: string): Promise<Form[]> {
  return db.selectFrom('forms').selectAll().where('tenant_id', '=', tenantId).orderBy('code').execute();
}

export async function formCodes(db: Kysely<Database>, tenantId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('forms').select('code').where('tenant_id', '=', tenantId).execute();
  return new Set(rows.map((r) => r.code));
}

/** Every published form of a tenant with its published version (for the edge document and live reads). */
export async function publishedFormVersions(
  db: Kysely<Database>,
  tenantId: string,
  codeOrId?: string,
): Promise<{ id: string; code: string; version: number; version_id: string; definition: JsonObject }[]> {
  let query = db
    .selectFrom('forms')
    .innerJoin('form_versions', 'form_versions.id', 'forms.published_version_id')
    .select([
      'forms.id',
      'forms.code',
      'form_versions.version',
      'form_versions.id as version_id',
      'form_versions.definition',
    ])
    .where('forms.tenant_id', '=', tenantId);
  if (codeOrId !== undefined) query = query.where(isUuid(codeOrId) ? 'forms.id' : 'forms.code', '=', codeOrId);
  return query.orderBy('forms.code').execute();
}

export async function findFormVersionById(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<FormVersion | undefined> {
  return db
    .selectFrom('form_versions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** A form's submissions, newest first (ties by id), from before a cursor's (created_at, id) when given. */
export async function listSubmissionRows(
  db: Kysely<Database>,
  tenantId: string,
  formId: string,
  page: { limit: number; before?: { createdAt: Date; id: string } },
) {
  let query = db
    .selectFrom('form_submissions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('form_id', '=', formId);
  const before = page.before;
  if (before) {
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', before.createdAt),
        eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)]),
      ]),
    );
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
}
