import type { AppContext } from '../app/AppContext.js';
import { formatTable } from '../cli/formatTable.js';
import { requireTenant, tenantSlugs } from '../tenants/tenantStore.js';
import {
  type CreateWidgetKeyInput,
  createWidgetKey,
  listWidgetKeys,
  revokeWidgetKey,
  type UpdateWidgetKeyInput,
  updateWidgetKey,
} from './widgetKeyService.js';

export type KeyCommandRequest =
  | ({ command: 'widget-key:create'; tenant: string } & Omit<CreateWidgetKeyInput, 'tenantId'>)
  | ({ command: 'widget-key:update'; tenant: string; key: string } & UpdateWidgetKeyInput)
  | { command: 'widget-key:list'; tenant?: string }
  | { command: 'widget-key:revoke'; key: string; tenant?: string };

export async function runKeyCommand(ctx: AppContext, request: KeyCommandRequest): Promise<string> {
  switch (request.command) {
    case 'widget-key:create': {
      const { command: _c, tenant, ...input } = request;
      return (await createWidgetKey(ctx, { ...input, tenantId: (await requireTenant(ctx, tenant)).id })).key;
    }
    case 'widget-key:update': {
      const { command: _c, tenant, key, ...change } = request;
      return (await updateWidgetKey(ctx, (await requireTenant(ctx, tenant)).id, key, change)).key;
    }
    case 'widget-key:list': {
      const tenantId = request.tenant ? (await requireTenant(ctx, request.tenant)).id : undefined;
      const tenants = await tenantSlugs(ctx);
      return formatTable(
        ['KEY', 'TENANT', 'LABEL', 'STATUS', 'INTENTS', 'ORIGINS'],
        (await listWidgetKeys(ctx, tenantId)).map((k) => [
          k.key,
          tenants.get(k.tenant_id) ?? k.tenant_id,
          k.label,
          k.status,
          k.allows_all_intents ? '*all*' : k.allowed_intents.join(','),
          k.allowed_origins.join(',') || (k.allow_server_side ? '(server-side)' : ''),
        ]),
      );
    }
    case 'widget-key:revoke': {
      const tenantId = request.tenant ? (await requireTenant(ctx, request.tenant)).id : undefined;
      return (await revokeWidgetKey(ctx, request.key, tenantId)).key;
    }
  }
}
