import type { AppContext } from '../app/AppContext.js';
import { frameVersionIds, subflowIntents } from '../engine/subflows.js';
import type { ExecutionState, FlowCatalog } from '../engine/types.js';
import type { FlowDefinition } from '../engine/validateFlow.js';

/** The most subflow levels preloaded; the engine's own depth guard is lower. */
const MAX_DEPTH = 10;

/**
 * Preloads what subflow nodes can reach — the published flows of the intents they name (transitively) and the
 * versions pinned in the state's frames — so the pure engine can run them without touching the database.
 * Flows without subflow nodes cost nothing; the rest mostly comes from the flow cache.
 */
export async function loadFlowCatalog(
  ctx: AppContext,
  tenantId: string,
  root: FlowDefinition,
  state: ExecutionState | null,
): Promise<FlowCatalog | undefined> {
  const frameIds = [...new Set(frameVersionIds(state))];
  let pending = subflowIntents(root);
  if (pending.length === 0 && frameIds.length === 0) return undefined;

  const published = new Map<string, { versionId: string; flow: FlowDefinition }>();
  const versions = new Map<string, FlowDefinition>();
  // Versions pinned by a subflow that is still running (e.g. waiting inside it): never the current publish.
  for (const id of frameIds) {
    const flow = await ctx.flowCache.version(ctx.kysely, tenantId, id);
    versions.set(id, flow);
    pending.push(...subflowIntents(flow));
  }
  const current = pending.length > 0 ? await ctx.flowCache.publishedIntents(ctx.kysely, tenantId) : undefined;
  for (let depth = 0; depth < MAX_DEPTH && pending.length > 0 && current; depth++) {
    const wanted = [...new Set(pending)].filter((i) => !published.has(i));
    pending = [];
    for (const intent of wanted) {
      const found = current.get(intent);
      if (!found) continue;
      const flow = await ctx.flowCache.version(ctx.kysely, tenantId, found.versionId);
      published.set(intent, { versionId: found.versionId, flow });
      versions.set(found.versionId, flow);
      pending.push(...subflowIntents(flow));
    }
  }
  return {
    published: (intent) => published.get(intent),
    version: (versionId) => versions.get(versionId),
  };
}
