import type { AppContext } from '../app/AppContext.js';
import { requireTenant } from '../tenants/tenantStore.js';
import { rebuildRollups } from './rebuildRollups.js';

export interface AnalyticsCommandRequest {
  command: 'analytics:rebuild';
  tenant?: string;
}

/** `analytics:rebuild`: the rollups of one tenant (or every tenant) recomputed from the raw rows. */
export async function runAnalyticsCommand(ctx: AppContext, request: AnalyticsCommandRequest): Promise<string> {
  const tenant = request.tenant !== undefined ? await requireTenant(ctx, request.tenant) : undefined;
  const n = await rebuildRollups(ctx.kysely, tenant?.id);
  return `rebuilt the analytics rollups of ${n} tenant(s) within their retention period`;
}
