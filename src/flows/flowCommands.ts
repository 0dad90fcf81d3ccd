import type { AppContext } from '../app/AppContext.js';
import { formatTable } from '../cli/formatTable.js';
import { requireTenant, tenantSlugs } from '../tenants/tenantStore.js';
import { importFlow, listFlows, publishFlow, unpublishFlow } from './flowService.js';

export type FlowCommandRequest =
  | { command: 'flow:import'; tenant: string; definition: unknown; publish: boolean }
  | { command: 'flow:publish' | 'flow:unpublish'; tenant: string; intent: string }
  | { command: 'flow:list'; tenant?: string };

export async function runFlowCommand(ctx: AppContext, request: FlowCommandRequest): Promise<string> {
  switch (request.command) {
    case 'flow:import': {
      const tenant = await requireTenant(ctx, request.tenant);
      const { flow, version } = await importFlow(ctx, tenant.id, request.definition, { publish: request.publish });
      return version ? `${flow.id} v${version.version}` : flow.id;
    }
    case 'flow:publish': {
      const tenant = await requireTenant(ctx, request.tenant);
      const { version } = await publishFlow(ctx, tenant.id, request.intent);
      return `${request.intent} v${version.version}`;
    }
    case 'flow:unpublish': {
      const tenant = await requireTenant(ctx, request.tenant);
      await unpublishFlow(ctx, tenant.id, request.intent);
      return request.intent;
    }
    case 'flow:list': {
      const tenantId = request.tenant ? (await requireTenant(ctx, request.tenant)).id : undefined;
      const tenants = await tenantSlugs(ctx);
      return formatTable(
        ['TENANT', 'INTENT', 'PUBLISHED', 'LATEST', 'ID'],
        (await listFlows(ctx, tenantId)).map((f) => [
          tenants.get(f.tenant_id) ?? f.tenant_id,
          f.intent_name,
          f.published_version_id ? 'yes' : 'no',
          `v${f.latest_version}`,
          f.id,
        ]),
      );
    }
  }
}
