import type { AppContext } from '../app/AppContext.js';
import { formatTable } from '../cli/formatTable.js';
import { requireTenant } from '../tenants/tenantStore.js';
import { createSecretKey, listTenantSecretKeys, revokeTenantSecretKey } from './secretKeyService.js';

export type SecretKeyCommandRequest =
  | { command: 'secret-key:create'; tenant: string; label: string; scopes: string[] }
  | { command: 'secret-key:list'; tenant: string }
  | { command: 'secret-key:revoke'; tenant: string; id: string };

export async function runSecretKeyCommand(ctx: AppContext, request: SecretKeyCommandRequest): Promise<string> {
  const tenantId = (await requireTenant(ctx, request.tenant)).id;
  switch (request.command) {
    case 'secret-key:create':
      return (await createSecretKey(ctx, { tenantId, label: request.label, scopes: request.scopes })).key;
    case 'secret-key:list':
      return formatTable(
        ['ID', 'PREFIX', 'LABEL', 'SCOPES', 'STATUS', 'LAST USED'],
        (await listTenantSecretKeys(ctx, tenantId)).map((k) => [
          k.id,
          `${k.prefix}…`,
          k.label,
          k.scopes.join(','),
          k.status,
          k.last_used_at ? k.last_used_at.toISOString() : '-',
        ]),
      );
    case 'secret-key:revoke':
      return (await revokeTenantSecretKey(ctx, tenantId, request.id)).id;
  }
}
