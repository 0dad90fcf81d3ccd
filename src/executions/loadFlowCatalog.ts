import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import { frameVersionIds, subflowIntents } from '../engine/subflows.js';
import type { ExecutionState, FlowCatalog } from '../engine/types.js';
import type { FlowDefinition } from '../engine/validateFlow.js';

/** The most subflow levels preloaded; the engine's own depth guard is lower. */
const MAX_DEPTH = 10;

/**
 * Preloads what subflow nodes can reach — the published flows of the intents they name (transitively) and the
 * versions pinned in the state's frames — so the pure engine can run them without touching the database.
 * Flows without subflow nodes cost nothing.
 */
export async function loadFlowCatalog(
  db: Kysely<Database>,
  tenantId: string,
  root: FlowDefinition,
  state: ExecutionState | null,
): Promise<FlowCatalog | undefined> {
  const frameIds = frameVersionIds(state);
  let pending = subflowIntents(root);
  if (pending.length === 0 && frameIds.length === 0) return undefined;

  const published = new Map<string, { versionId: string; flow: FlowDefinition }>();
  const versions = new Map<string, FlowDefinition>();
  if (frameIds.length > 0) {
    // Versions pinned by a subflow that is still running (e.g. waiting inside it): never the current publish.
    const rows = await db
      .selectFrom('flow_versions')
      .select(['id', 'definition'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', [...new Set(frameIds)])
      .execute();
    for (const row of rows) {
      const flow = row.definition as unknown as FlowDefinition;
      versions.set(row.id, flow);
      pending.push(...subflowIntents(flow));
    }
  }
  for (let depth = 0; depth < MAX_DEPTH && pending.length > 0; depth++) {
    const wanted = [...new Set(pending)].filter((i) => !published.has(i));
    if (wanted.length === 0) break;
    const rows = await db
      .selectFrom('flows')
      .innerJoin('flow_versions', 'flow_versions.id', 'flows.published_version_id')
      .select(['flows.intent_name', 'flow_versions.id', 'flow_versions.definition'])
      .where('flows.tenant_id', '=', tenantId)
      .where('flows.intent_name', 'in', wanted)
      .execute();
    pending = [];
    for (const row of rows) {
      const flow = row.definition as unknown as FlowDefinition;
      published.set(row.intent_name, { versionId: row.id, flow });
      versions.set(row.id, flow);
      pending.push(...subflowIntents(flow));
    }
  }
  return {
    published: (intent) => published.get(intent),
    version: (versionId) => versions.get(versionId),
  };
}
