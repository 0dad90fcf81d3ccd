import type { Kysely } from 'kysely';
import { json } from '../db/json.js';
import type { Database, Flow, FlowVersion } from '../db/types.js';
import type { JsonObject } from '../engine/types.js';
import type { FlowDefinition } from '../engine/validateFlow.js';

// The SQL of flows and their immutable versions, always scoped by tenant.

/** A tenant's flow of an intent, locked for a change (import, publish). */
export async function lockFlowByIntent(
  db: Kysely<Database>,
  tenantId: string,
  intentName: string,
): Promise<Flow | undefined> {
  return db
    .selectFrom('flows')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('intent_name', '=', intentName)
    .forUpdate()
    .executeTakeFirst();
}

export async function insertFlow(
  db: Kysely<Database>,
  row: { id: string; tenantId: string; definition: FlowDefinition },
): Promise<Flow> {
  const d = row.definition;
  return db
    .insertInto('flows')
    .values({
      id: row.id,
      tenant_id: row.tenantId,
      intent_name: d.intent.name,
      description: d.intent.description,
      examples: json(d.intent.examples),
      required_entities: json(d.intent.required_entities),
      draft: json(d),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setDraft(
  db: Kysely<Database>,
  flowId: string,
  tenantId: string,
  definition: FlowDefinition,
): Promise<Flow> {
  return db
    .updateTable('flows')
    .set({ draft: json(definition), updated_at: new Date() })
    .where('id', '=', flowId)
    .where('tenant_id', '=', tenantId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A published (never a test) version of one of the tenant's flows, by its number. */
export async function findVersion(
  db: Kysely<Database>,
  tenantId: string,
  flowId: string,
  version: number,
): Promise<FlowVersion | undefined> {
  return db
    .selectFrom('flow_versions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('flow_id', '=', flowId)
    .where('version', '=', version)
    .where('test', '=', false)
    .executeTakeFirst();
}

export async function insertVersion(
  db: Kysely<Database>,
  row: { id: string; tenantId: string; flowId: string; version: number; definition: FlowDefinition },
): Promise<FlowVersion> {
  return db
    .insertInto('flow_versions')
    .values({
      id: row.id,
      tenant_id: row.tenantId,
      flow_id: row.flowId,
      version: row.version,
      definition: json(row.definition as unknown as JsonObject),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Points the intent at a version and takes the intent's metadata from it. */
export async function setPublished(db: Kysely<Database>, flow: Flow, version: FlowVersion): Promise<Flow> {
  const d = version.definition as unknown as FlowDefinition;
  return db
    .updateTable('flows')
    .set({
      published_version_id: version.id,
      latest_version: Math.max(flow.latest_version, version.version),
      description: d.intent.description,
      examples: json(d.intent.examples),
      required_entities: json(d.intent.required_entities),
      updated_at: new Date(),
    })
    .where('id', '=', flow.id)
    .where('tenant_id', '=', flow.tenant_id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function clearPublished(
  db: Kysely<Database>,
  tenantId: string,
  intentName: string,
): Promise<Flow | undefined> {
  return db
    .updateTable('flows')
    .set({ published_version_id: null, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('intent_name', '=', intentName)
    .returningAll()
    .executeTakeFirst();
}

/** A tenant's flows by intent name, or every tenant's (by tenant, then intent name). */
export async function listFlowRows(db: Kysely<Database>, tenantId?: string): Promise<Flow[]> {
  let q = db.selectFrom('flows').selectAll();
  if (tenantId) q = q.where('tenant_id', '=', tenantId);
  return q.orderBy('tenant_id').orderBy('intent_name').execute();
}

export async function intentNames(db: Kysely<Database>, tenantId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('flows').select('intent_name').where('tenant_id', '=', tenantId).execute();
  return new Set(rows.map((r) => r.intent_name));
}

/** The tenant's published intents with their versions, by name. */
export async function publishedRows(db: Kysely<Database>, tenantId: string) {
  return db
    .selectFrom('flows')
    .select(['id', 'published_version_id', 'intent_name', 'description', 'examples', 'required_entities'])
    .where('tenant_id', '=', tenantId)
    .where('published_version_id', 'is not', null)
    .orderBy('intent_name')
    .execute();
}

/** A version's definition, or undefined (another tenant's version looks like none). */
export async function versionDefinition(
  db: Kysely<Database>,
  tenantId: string,
  versionId: string,
): Promise<FlowDefinition | undefined> {
  const row = await db
    .selectFrom('flow_versions')
    .select('definition')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', versionId)
    .executeTakeFirst();
  return row?.definition as unknown as FlowDefinition | undefined;
}

/** A tenant's flow by id (another tenant's looks like none); locked when it is about to change. */
export async function findFlowById(
  db: Kysely<Database>,
  tenantId: string,
  flowId: string,
  options: { lock?: boolean } = {},
): Promise<Flow | undefined> {
  const q = db.selectFrom('flows').selectAll().where('tenant_id', '=', tenantId).where('id', '=', flowId);
  return (options.lock ? q.forUpdate() : q).executeTakeFirst();
}

/** A flow's versions, newest first, without their definitions. */
export async function listVersionRows(db: Kysely<Database>, tenantId: string, flowId: string) {
  return db
    .selectFrom('flow_versions')
    .select(['id', 'version', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('flow_id', '=', flowId)
    .where('test', '=', false)
    .orderBy('version', 'desc')
    .execute();
}

/** Clears the published version only if it is still the one the caller saw. */
export async function clearPublishedById(
  db: Kysely<Database>,
  flow: Pick<Flow, 'id' | 'tenant_id'>,
): Promise<Flow | undefined> {
  return db
    .updateTable('flows')
    .set({ published_version_id: null, updated_at: new Date() })
    .where('tenant_id', '=', flow.tenant_id)
    .where('id', '=', flow.id)
    .returningAll()
    .executeTakeFirst();
}

/** A test pane's snapshot of a draft: version 0, marked test, never published. */
export async function insertTestVersion(
  db: Kysely<Database>,
  row: { id: string; tenantId: string; flowId: string; definition: FlowDefinition },
): Promise<FlowVersion> {
  return db
    .insertInto('flow_versions')
    .values({
      id: row.id,
      tenant_id: row.tenantId,
      flow_id: row.flowId,
      version: 0,
      definition: json(row.definition as unknown as JsonObject),
      test: true,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The flow of a test snapshot (undefined: no such test version in the tenant). */
export async function testVersionFlow(
  db: Kysely<Database>,
  tenantId: string,
  versionId: string,
): Promise<{ flowId: string; intentName: string } | undefined> {
  const row = await db
    .selectFrom('flow_versions as v')
    .innerJoin('flows as f', 'f.id', 'v.flow_id')
    .select(['f.id as flowId', 'f.intent_name as intentName'])
    .where('v.tenant_id', '=', tenantId)
    .where('v.id', '=', versionId)
    .where('v.test', '=', true)
    .executeTakeFirst();
  return row;
}
