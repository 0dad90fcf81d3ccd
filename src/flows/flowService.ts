import { isDeepStrictEqual } from 'node:util';
import type { Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { AppContext } from '../app/AppContext.js';
import { json } from '../db/json.js';
import type { Database, Flow, FlowVersion } from '../db/types.js';
import type { JsonObject } from '../engine/types.js';
import type { FlowDefinition } from '../engine/validateFlow.js';
import { validateFlow } from '../engine/validateFlow.js';
import { AppError } from '../errors/AppError.js';

export interface IntentSummary {
  name: string;
  description: string;
  examples: string[];
  required_entities: string[];
}

function parseOrThrow(definition: unknown): FlowDefinition {
  const result = validateFlow(definition);
  if (!result.ok) {
    throw new AppError('validation_failed', `The flow has ${result.problems.length} problem(s).`, {
      fields: result.problems.map((p) => ({
        path: p.path,
        rule: 'flow',
        message: p.nodeId ? `node ${p.nodeId}: ${p.message}` : p.message,
        ...(p.nodeId ? { nodeId: p.nodeId } : {}),
      })),
    });
  }
  return result.flow;
}

/** Saves a flow file as the draft of its intent's flow (creating the flow), optionally publishing it. */
export async function importFlow(
  ctx: AppContext,
  tenantId: string,
  definition: unknown,
  options: { publish?: boolean } = {},
): Promise<{ flow: Flow; version?: FlowVersion }> {
  const flowDef = parseOrThrow(definition);
  const name = flowDef.intent.name;
  const flow = await ctx.kysely.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('flows')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('intent_name', '=', name)
      .forUpdate()
      .executeTakeFirst();
    if (existing) {
      return trx
        .updateTable('flows')
        .set({ draft: json(flowDef), updated_at: new Date() })
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    return trx
      .insertInto('flows')
      .values({
        id: uuidv7(),
        tenant_id: tenantId,
        intent_name: name,
        description: flowDef.intent.description,
        examples: json(flowDef.intent.examples),
        required_entities: json(flowDef.intent.required_entities),
        draft: json(flowDef),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  if (!options.publish) return { flow };
  return publishFlow(ctx, tenantId, name);
}

/**
 * Snapshots the draft into an immutable version and points the intent at it. Executions keep the version they
 * started on, so publishing never changes a running conversation.
 */
export async function publishFlow(
  ctx: AppContext,
  tenantId: string,
  intentName: string,
): Promise<{ flow: Flow; version: FlowVersion }> {
  return ctx.kysely.transaction().execute(async (trx) => {
    const flow = await trx
      .selectFrom('flows')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('intent_name', '=', intentName)
      .forUpdate()
      .executeTakeFirst();
    if (!flow) throw new AppError('not_found', `no flow for intent "${intentName}"`);
    const definition = parseOrThrow(flow.draft);
    const latest = await trx
      .selectFrom('flow_versions')
      .selectAll()
      .where('flow_id', '=', flow.id)
      .where('version', '=', flow.latest_version)
      .executeTakeFirst();
    const version =
      latest && isDeepStrictEqual(latest.definition, definition as unknown as JsonObject)
        ? latest
        : await trx
            .insertInto('flow_versions')
            .values({
              id: uuidv7(),
              tenant_id: tenantId,
              flow_id: flow.id,
              version: flow.latest_version + 1,
              definition: json(definition),
            })
            .returningAll()
            .executeTakeFirstOrThrow();
    const updated = await trx
      .updateTable('flows')
      .set({
        published_version_id: version.id,
        latest_version: version.version,
        description: definition.intent.description,
        examples: json(definition.intent.examples),
        required_entities: json(definition.intent.required_entities),
        updated_at: new Date(),
      })
      .where('id', '=', flow.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { flow: updated, version };
  });
}

export async function unpublishFlow(ctx: AppContext, tenantId: string, intentName: string): Promise<Flow> {
  const flow = await ctx.kysely
    .updateTable('flows')
    .set({ published_version_id: null, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('intent_name', '=', intentName)
    .returningAll()
    .executeTakeFirst();
  if (!flow) throw new AppError('not_found', `no flow for intent "${intentName}"`);
  return flow;
}

export async function listFlows(ctx: AppContext, tenantId: string): Promise<Flow[]> {
  return ctx.kysely.selectFrom('flows').selectAll().where('tenant_id', '=', tenantId).orderBy('intent_name').execute();
}

/** Intent names that have a flow in the tenant, published or draft-only (what a widget key may name). */
export async function knownIntentNames(ctx: AppContext, tenantId: string): Promise<Set<string>> {
  const rows = await ctx.kysely.selectFrom('flows').select('intent_name').where('tenant_id', '=', tenantId).execute();
  return new Set(rows.map((r) => r.intent_name));
}

/** The tenant's currently published intents, ordered by name. */
export async function publishedIntents(ctx: AppContext, tenantId: string): Promise<IntentSummary[]> {
  const rows = await ctx.kysely
    .selectFrom('flows')
    .select(['intent_name', 'description', 'examples', 'required_entities'])
    .where('tenant_id', '=', tenantId)
    .where('published_version_id', 'is not', null)
    .orderBy('intent_name')
    .execute();
  return rows.map((r) => ({
    name: r.intent_name,
    description: r.description,
    examples: r.examples,
    required_entities: r.required_entities,
  }));
}

export async function findPublishedFlow(
  ctx: AppContext,
  tenantId: string,
  intentName: string,
): Promise<{ flowId: string; versionId: string; definition: FlowDefinition } | undefined> {
  const row = await ctx.kysely
    .selectFrom('flows')
    .innerJoin('flow_versions', 'flow_versions.id', 'flows.published_version_id')
    .select(['flows.id as flowId', 'flow_versions.id as versionId', 'flow_versions.definition'])
    .where('flows.tenant_id', '=', tenantId)
    .where('flows.intent_name', '=', intentName)
    .executeTakeFirst();
  if (!row) return undefined;
  return { flowId: row.flowId, versionId: row.versionId, definition: row.definition as unknown as FlowDefinition };
}

/** Versions are immutable; pass the transaction when calling inside one (PGlite has a single connection). */
export async function loadFlowVersion(
  db: Kysely<Database>,
  tenantId: string,
  versionId: string,
): Promise<FlowDefinition> {
  const row = await db
    .selectFrom('flow_versions')
    .select('definition')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', versionId)
    .executeTakeFirstOrThrow();
  return row.definition as unknown as FlowDefinition;
}
