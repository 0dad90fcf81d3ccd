import type { Kysely } from 'kysely';
import { json } from '../db/json.js';
import type { ConfigSection, Database, QuickQuestion } from '../db/types.js';
import type { JsonObject } from '../engine/types.js';
import type { EdgeDocument } from './edgeDocument.js';

// The SQL of quick questions, config sections and edge documents, always scoped by tenant.

export async function quickQuestionRows(db: Kysely<Database>, tenantId: string): Promise<QuickQuestion[]> {
  return db
    .selectFrom('quick_questions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('position')
    .orderBy('id')
    .execute();
}

export async function insertQuickQuestion(
  db: Kysely<Database>,
  row: { id: string; tenantId: string; text: string; intentName: string | null; pageTypes: string[]; position: number },
): Promise<QuickQuestion> {
  return db
    .insertInto('quick_questions')
    .values({
      id: row.id,
      tenant_id: row.tenantId,
      text: row.text,
      intent_name: row.intentName,
      page_types: json(row.pageTypes),
      position: row.position,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteQuickQuestion(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<QuickQuestion | undefined> {
  return db
    .deleteFrom('quick_questions')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function upsertConfigSection(
  db: Kysely<Database>,
  row: { tenantId: string; section: string; values: JsonObject; isPublic: boolean },
): Promise<ConfigSection> {
  return db
    .insertInto('config_sections')
    .values({ tenant_id: row.tenantId, section: row.section, values: json(row.values), public: row.isPublic })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'section']).doUpdateSet({
        values: json(row.values),
        public: row.isPublic,
        updated_at: new Date(),
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function configSectionRows(
  db: Kysely<Database>,
  tenantId: string,
  options: { publicOnly?: boolean; section?: string } = {},
): Promise<ConfigSection[]> {
  let query = db.selectFrom('config_sections').selectAll().where('tenant_id', '=', tenantId);
  if (options.publicOnly) query = query.where('public', '=', true);
  if (options.section !== undefined) query = query.where('section', '=', options.section);
  return query.orderBy('section').execute();
}

export async function insertEdgeDocument(
  db: Kysely<Database>,
  row: { id: string; tenantId: string; document: EdgeDocument },
): Promise<void> {
  await db
    .insertInto('edge_documents')
    .values({
      id: row.id,
      tenant_id: row.tenantId,
      content_hash: row.document.contentHash,
      document: json(row.document),
    })
    .execute();
}

export async function latestEdgeDocument(db: Kysely<Database>, tenantId: string): Promise<EdgeDocument | undefined> {
  const row = await db
    .selectFrom('edge_documents')
    .select('document')
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.document as unknown as EdgeDocument | undefined;
}
