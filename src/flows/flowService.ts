import { isDeepStrictEqual } from 'node:util';
import type { Kysely } from 'kysely';
import type { AppContext } from '../app/AppContext.js';
import { recordAudit } from '../audit/recordAudit.js';
import { newId } from '../db/newId.js';
import type { Database, Flow, FlowVersion } from '../db/types.js';
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
  testVersionFlow,
} from './flowStore.js';

export interface IntentSummary {
  name: string;
  description: string;
  examples: string[];
  required_entities: string[];
}

export function parseOrThrow(definition: unknown): FlowDefinition {
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
  options: { publish?: boolean; actor?: string } = {},
): Promise<{ flow: Flow; version?: FlowVersion }> {
  const flowDef = parseOrThrow(definition);
  const name = flowDef.intent.name;
  const actor = options.actor ?? 'cli';
  const flow = await ctx.kysely.transaction().execute(async (trx) => {
    const existing = await lockFlowByIntent(trx, tenantId, name);
    const saved = existing
      ? await setDraft(trx, existing.id, tenantId, flowDef)
      : await insertFlow(trx, { id: newId(), tenantId, definition: flowDef });
    await recordAudit(trx, {
      tenantId,
      actor,
      action: existing ? 'flow.update_draft' : 'flow.create',
      target: saved.id,
      ...(existing ? { before: existing.draft } : {}),
      after: saved.draft,
    });
    return saved;
  });
  if (!options.publish) return { flow };
  return publishFlow(ctx, tenantId, name, actor);
}

/**
 * Snapshots the draft into an immutable version and points the intent at it. Executions keep the version they
 * started on, so publishing never changes a running conversation.
 */
export async function publishFlow(
  ctx: AppContext,
  tenantId: string,
  intentName: string,
  actor = 'cli',
): Promise<{ flow: Flow; version: FlowVersion }> {
  const result = await ctx.kysely.transaction().execute(async (trx) => {
    const flow = await lockFlowByIntent(trx, tenantId, intentName);
    if (!flow) throw new AppError('not_found', `no flow for intent "${intentName}"`);
    return publishLockedDraft(trx, flow, actor);
  });
  await announceFlowChange(ctx);
  return result;
}

/**
 * Publishes the draft of a flow the caller has locked: a new version unless the draft equals the latest one.
 * Audited in the same transaction.
 */
export async function publishLockedDraft(
  trx: Kysely<Database>,
  flow: Flow,
  actor: string,
): Promise<{ flow: Flow; version: FlowVersion }> {
  const definition = parseOrThrow(flow.draft);
  const latest = await findVersion(trx, flow.tenant_id, flow.id, flow.latest_version);
  const version =
    latest && isDeepStrictEqual(latest.definition, definition as unknown as JsonObject)
      ? latest
      : await insertVersion(trx, {
          id: newId(),
          tenantId: flow.tenant_id,
          flowId: flow.id,
          version: flow.latest_version + 1,
          definition,
        });
  const published = await setPublished(trx, flow, version);
  await recordAudit(trx, {
    tenantId: flow.tenant_id,
    actor,
    action: 'flow.publish',
    target: flow.id,
    before: { publishedVersionId: flow.published_version_id },
    after: { publishedVersionId: version.id, version: version.version },
  });
  return { flow: published, version };
}

export async function unpublishFlow(
  ctx: AppContext,
  tenantId: string,
  intentName: string,
  actor = 'cli',
): Promise<Flow> {
  const flow = await ctx.kysely.transaction().execute(async (trx) => {
    const before = await lockFlowByIntent(trx, tenantId, intentName);
    const after = before ? await clearPublished(trx, tenantId, intentName) : undefined;
    if (!before || !after) throw new AppError('not_found', `no flow for intent "${intentName}"`);
    await recordAudit(trx, {
      tenantId,
      actor,
      action: 'flow.unpublish',
      target: after.id,
      before: { publishedVersionId: before.published_version_id },
      after: { publishedVersionId: null },
    });
    return after;
  });
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

/** A test session's draft snapshot, when it is of this intent (a test session triggers its own flow only). */
export async function findTestFlow(
  ctx: AppContext,
  tenantId: string,
  versionId: string,
  intentName: string,
): Promise<{ flowId: string; versionId: string; definition: FlowDefinition } | undefined> {
  const found = await testVersionFlow(ctx.kysely, tenantId, versionId);
  if (!found || found.intentName !== intentName) return undefined;
  return { flowId: found.flowId, versionId, definition: await ctx.flowCache.version(ctx.kysely, tenantId, versionId) };
}

/** A flow version (immutable, so cached for good). */
export async function loadFlowVersion(ctx: AppContext, tenantId: string, versionId: string): Promise<FlowDefinition> {
  return ctx.flowCache.version(ctx.kysely, tenantId, versionId);
}

/** Drops cached published intents here and, on PostgreSQL, in every other process. */
export async function announceFlowChange(ctx: AppContext): Promise<void> {
  await ctx.events.announce('flows');
}
