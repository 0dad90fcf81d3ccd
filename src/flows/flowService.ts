import { isDeepStrictEqual } from 'node:util';
import type { AppContext } from '../app/AppContext.js';
import { json } from '../db/json.js';
import { newId } from '../db/newId.js';
import type { Flow, FlowVersion } from '../db/types.js';
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
        id: newId(),
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
  const result = await ctx.kysely.transaction().execute(async (trx) => {
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
              id: newId(),
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
  await announceFlowChange(ctx);
  return result;
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
  await announceFlowChange(ctx);
  return flow;
}

/** A tenant's flows by intent name, or every tenant's (by tenant, then intent name). */
export async function listFlows(ctx: AppContext, tenantId?: string): Promise<Flow[]> {
  let q = ctx.kysely.selectFrom('flows').selectAll();
  if (tenantId) q = q.where('tenant_id', '=', tenantId);
  return q.orderBy('tenant_id').orderBy('intent_name').execute();
}

/** Intent names that have a flow in the tenant, published or draft-only (what a widget key may name). */
export async function knownIntentNames(ctx: AppContext, tenantId: string): Promise<Set<string>> {
  const rows = await ctx.kysely.selectFrom('flows').select('intent_name').where('tenant_id', '=', tenantId).execute();
  return new Set(rows.map((r) => r.intent_name));
}

/** The tenant's currently published intents, ordered by name. */
export async function publishedIntents(ctx: AppContext, tenantId: string): Promise<IntentSummary[]> {
  const intents = await ctx.flowCache.publishedIntents(ctx.kysely, tenantId);
  return [...intents.values()].map((i) => ({
    name: i.name,
    description: i.description,
    examples: i.examples,
    required_entities: i.required_entities,
  }));
}

export async function findPublishedFlow(
  ctx: AppContext,
  tenantId: string,
  intentName: string,
): Promise<{ flowId: string; versionId: string; definition: FlowDefinition } | undefined> {
  const intent = (await ctx.flowCache.publishedIntents(ctx.kysely, tenantId)).get(intentName);
  if (!intent) return undefined;
  const definition = await ctx.flowCache.version(ctx.kysely, tenantId, intent.versionId);
  return { flowId: intent.flowId, versionId: intent.versionId, definition };
}

/** A flow version (immutable, so cached for good). */
export async function loadFlowVersion(ctx: AppContext, tenantId: string, versionId: string): Promise<FlowDefinition> {
  return ctx.flowCache.version(ctx.kysely, tenantId, versionId);
}

/** Drops cached published intents here and, on PostgreSQL, in every other process. */
async function announceFlowChange(ctx: AppContext): Promise<void> {
  await ctx.events.announce('flows');
}
