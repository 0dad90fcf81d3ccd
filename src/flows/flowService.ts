import { isDeepStrictEqual } from 'node:util';
import type { AppContext } from '../app/AppContext.js';
import { newId } from '../db/newId.js';
import type { Flow, FlowVersion } from '../db/types.js';
import type { JsonObject } from '../engine/types.js';
import type { FlowDefinition } from '../engine/validateFlow.js';
import { validateFlow } from '../engine/validateFlow.js';
import { AppError } from '../errors/AppError.js';
import {
  clearPublished,
  findVersion,
  insertFlow,
  insertVersion,
  intentNames,
  listFlowRows,
  lockFlowByIntent,
  setDraft,
  setPublished,
} from './flowStore.js';

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
    const existing = await lockFlowByIntent(trx, tenantId, name);
    if (existing) return setDraft(trx, existing.id, tenantId, flowDef);
    return insertFlow(trx, { id: newId(), tenantId, definition: flowDef });
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
    const flow = await lockFlowByIntent(trx, tenantId, intentName);
    if (!flow) throw new AppError('not_found', `no flow for intent "${intentName}"`);
    const definition = parseOrThrow(flow.draft);
    const latest = await findVersion(trx, flow.id, flow.latest_version);
    const version =
      latest && isDeepStrictEqual(latest.definition, definition as unknown as JsonObject)
        ? latest
        : await insertVersion(trx, {
            id: newId(),
            tenantId,
            flowId: flow.id,
            version: flow.latest_version + 1,
            definition,
          });
    return { flow: await setPublished(trx, flow, version), version };
  });
  await announceFlowChange(ctx);
  return result;
}

export async function unpublishFlow(ctx: AppContext, tenantId: string, intentName: string): Promise<Flow> {
  const flow = await clearPublished(ctx.kysely, tenantId, intentName);
  if (!flow) throw new AppError('not_found', `no flow for intent "${intentName}"`);
  await announceFlowChange(ctx);
  return flow;
}

/** A tenant's flows by intent name, or every tenant's (by tenant, then intent name). */
export async function listFlows(ctx: AppContext, tenantId?: string): Promise<Flow[]> {
  return listFlowRows(ctx.kysely, tenantId);
}

/** Intent names that have a flow in the tenant, published or draft-only (what a widget key may name). */
export async function knownIntentNames(ctx: AppContext, tenantId: string): Promise<Set<string>> {
  return intentNames(ctx.kysely, tenantId);
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
