import type { AppContext } from '../app/AppContext.js';
import { recordAudit } from '../audit/recordAudit.js';
import { newId } from '../db/newId.js';
import { dbErrorKind } from '../db/sqlState.js';
import type { Flow, FlowVersion } from '../db/types.js';
import type { FlowDefinition, FlowProblem } from '../engine/validateFlow.js';
import { validateFlow } from '../engine/validateFlow.js';
import { AppError } from '../errors/AppError.js';
import { diffFlows, type FlowDiff } from './diffFlows.js';
import { announceFlowChange, parseOrThrow, publishLockedDraft } from './flowService.js';
import {
  clearPublishedById,
  findFlowById,
  findVersion,
  insertFlow,
  listFlowRows,
  listVersionRows,
  setDraft,
  setPublished,
} from './flowStore.js';

// Flows by id, with their versions (DESIGN §16): what the admin API and the MCP tools call. The CLI's intent-named
// commands run on the same publishing code (flowService.ts).

export interface FlowSummary {
  id: string;
  intentName: string;
  description: string;
  publishedVersion: number | null;
  latestVersion: number;
  updatedAt: string;
}

export interface FlowDetail extends FlowSummary {
  draft: FlowDefinition;
}

export interface FlowVersionView {
  id: string;
  version: number;
  published: boolean;
  createdAt: string;
  definition?: FlowDefinition;
}

const notFound = () => new AppError('not_found', 'No such flow.');

async function publishedNumber(ctx: AppContext, flow: Flow): Promise<number | null> {
  if (!flow.published_version_id) return null;
  const row = await ctx.kysely
    .selectFrom('flow_versions')
    .select('version')
    .where('tenant_id', '=', flow.tenant_id)
    .where('id', '=', flow.published_version_id)
    .executeTakeFirst();
  return row?.version ?? null;
}

function summary(flow: Flow, publishedVersion: number | null): FlowSummary {
  return {
    id: flow.id,
    intentName: flow.intent_name,
    description: flow.description,
    publishedVersion,
    latestVersion: flow.latest_version,
    updatedAt: flow.updated_at.toISOString(),
  };
}

async function detail(ctx: AppContext, flow: Flow): Promise<FlowDetail> {
  return { ...summary(flow, await publishedNumber(ctx, flow)), draft: flow.draft as unknown as FlowDefinition };
}

export async function listFlowsOf(ctx: AppContext, tenantId: string): Promise<FlowSummary[]> {
  const flows = await listFlowRows(ctx.kysely, tenantId);
  const versions = await ctx.kysely
    .selectFrom('flow_versions')
    .select(['id', 'version'])
    .where('tenant_id', '=', tenantId)
    .execute();
  const numberOf = new Map(versions.map((v) => [v.id, v.version]));
  return flows.map((f) => summary(f, f.published_version_id ? (numberOf.get(f.published_version_id) ?? null) : null));
}

export async function getFlow(ctx: AppContext, tenantId: string, flowId: string): Promise<FlowDetail> {
  const flow = await findFlowById(ctx.kysely, tenantId, flowId);
  if (!flow) throw notFound();
  return detail(ctx, flow);
}

/** A new flow from a definition (its intent must be new to the tenant); saved as the draft, not published. */
export async function createFlow(
  ctx: AppContext,
  tenantId: string,
  definition: unknown,
  actor: string,
): Promise<FlowDetail> {
  const flowDef = parseOrThrow(definition);
  try {
    const flow = await ctx.kysely.transaction().execute(async (trx) => {
      const created = await insertFlow(trx, { id: newId(), tenantId, definition: flowDef });
      await recordAudit(trx, { tenantId, actor, action: 'flow.create', target: created.id, after: created.draft });
      return created;
    });
    return detail(ctx, flow);
  } catch (error) {
    if (dbErrorKind(error) === 'unique_violation') {
      throw AppError.validation([{ path: 'intent.name', rule: 'unique', message: 'a flow has this intent already' }]);
    }
    throw error;
  }
}

/** Replaces the draft; the intent name is the flow's identity and cannot change. */
export async function updateDraft(
  ctx: AppContext,
  tenantId: string,
  flowId: string,
  definition: unknown,
  actor: string,
): Promise<FlowDetail> {
  const flowDef = parseOrThrow(definition);
  const flow = await ctx.kysely.transaction().execute(async (trx) => {
    const before = await findFlowById(trx, tenantId, flowId, { lock: true });
    if (!before) throw notFound();
    if (flowDef.intent.name !== before.intent_name) {
      throw AppError.validation([
        { path: 'intent.name', rule: 'immutable', message: `this flow's intent is ${before.intent_name}` },
      ]);
    }
    const after = await setDraft(trx, flowId, tenantId, flowDef);
    await recordAudit(trx, {
      tenantId,
      actor,
      action: 'flow.update_draft',
      target: flowId,
      before: before.draft,
      after: after.draft,
    });
    return after;
  });
  return detail(ctx, flow);
}

/** Every problem of a definition (or of the flow's saved draft), each with its node id when it has one. */
export async function validateDraft(
  ctx: AppContext,
  tenantId: string,
  flowId: string,
  definition: unknown,
): Promise<{ valid: boolean; problems: FlowProblem[] }> {
  const flow = await findFlowById(ctx.kysely, tenantId, flowId);
  if (!flow) throw notFound();
  return validateDefinition(definition === undefined ? flow.draft : definition);
}

/** Every problem of a definition that belongs to no flow yet (an agent drafting a new flow before creating it). */
export function validateDefinition(definition: unknown): { valid: boolean; problems: FlowProblem[] } {
  const result = validateFlow(definition);
  return result.ok ? { valid: true, problems: [] } : { valid: false, problems: result.problems };
}

export async function publishFlowById(
  ctx: AppContext,
  tenantId: string,
  flowId: string,
  actor: string,
): Promise<FlowVersionView> {
  const { version } = await ctx.kysely.transaction().execute(async (trx) => {
    const flow = await findFlowById(trx, tenantId, flowId, { lock: true });
    if (!flow) throw notFound();
    return publishLockedDraft(trx, flow, actor);
  });
  await announceFlowChange(ctx);
  return versionView(version, version.id);
}

export async function unpublishFlowById(
  ctx: AppContext,
  tenantId: string,
  flowId: string,
  actor: string,
): Promise<FlowDetail> {
  const flow = await ctx.kysely.transaction().execute(async (trx) => {
    const before = await findFlowById(trx, tenantId, flowId, { lock: true });
    if (!before) throw notFound();
    const after = await clearPublishedById(trx, before);
    if (!after) throw notFound();
    await recordAudit(trx, {
      tenantId,
      actor,
      action: 'flow.unpublish',
      target: flowId,
      before: { publishedVersionId: before.published_version_id },
      after: { publishedVersionId: null },
    });
    return after;
  });
  await announceFlowChange(ctx);
  return detail(ctx, flow);
}

function versionView(version: Pick<FlowVersion, 'id' | 'version' | 'created_at'>, publishedId: string | null) {
  return {
    id: version.id,
    version: version.version,
    published: version.id === publishedId,
    createdAt: version.created_at.toISOString(),
  };
}

export async function listVersions(ctx: AppContext, tenantId: string, flowId: string): Promise<FlowVersionView[]> {
  const flow = await findFlowById(ctx.kysely, tenantId, flowId);
  if (!flow) throw notFound();
  const rows = await listVersionRows(ctx.kysely, tenantId, flowId);
  return rows.map((v) => versionView(v, flow.published_version_id));
}

async function requireVersion(ctx: AppContext, tenantId: string, flowId: string, version: number) {
  const row = await findVersion(ctx.kysely, tenantId, flowId, version);
  if (!row) throw new AppError('not_found', `The flow has no version ${version}.`);
  return row;
}

export async function getVersion(
  ctx: AppContext,
  tenantId: string,
  flowId: string,
  version: number,
): Promise<FlowVersionView> {
  const flow = await findFlowById(ctx.kysely, tenantId, flowId);
  if (!flow) throw notFound();
  const row = await requireVersion(ctx, tenantId, flowId, version);
  return { ...versionView(row, flow.published_version_id), definition: row.definition as unknown as FlowDefinition };
}

/** Version `from` against version `to`; `to` may be `draft` for the unpublished edits. */
export async function diffVersions(
  ctx: AppContext,
  tenantId: string,
  flowId: string,
  from: number,
  to: number | 'draft',
): Promise<FlowDiff & { from: number; to: number | 'draft' }> {
  const flow = await findFlowById(ctx.kysely, tenantId, flowId);
  if (!flow) throw notFound();
  const a = (await requireVersion(ctx, tenantId, flowId, from)).definition as unknown as FlowDefinition;
  const b =
    to === 'draft'
      ? (flow.draft as unknown as FlowDefinition)
      : ((await requireVersion(ctx, tenantId, flowId, to)).definition as unknown as FlowDefinition);
  return { from, to, ...diffFlows(a, b) };
}

/**
 * Rolling back is publishing an earlier version: new executions start on it, running ones finish on the version
 * they started on. The draft is left as it is.
 */
export async function rollbackFlow(
  ctx: AppContext,
  tenantId: string,
  flowId: string,
  version: number,
  actor: string,
): Promise<FlowVersionView> {
  const target = await ctx.kysely.transaction().execute(async (trx) => {
    const flow = await findFlowById(trx, tenantId, flowId, { lock: true });
    if (!flow) throw notFound();
    const row = await findVersion(trx, tenantId, flowId, version);
    if (!row) throw new AppError('not_found', `The flow has no version ${version}.`);
    await setPublished(trx, flow, row);
    await recordAudit(trx, {
      tenantId,
      actor,
      action: 'flow.rollback',
      target: flowId,
      before: { publishedVersionId: flow.published_version_id },
      after: { publishedVersionId: row.id, version: row.version },
    });
    return row;
  });
  await announceFlowChange(ctx);
  return versionView(target, target.id);
}
