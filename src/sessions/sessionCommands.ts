import type { AppContext } from '../app/AppContext.js';
import { requireTenant } from '../tenants/tenantStore.js';
import { revokeSessions } from './revokeSessions.js';
import type { RevokeTarget } from './sessionStore.js';

export type SessionCommandRequest = { command: 'session:revoke'; tenant: string; target: RevokeTarget };

export async function runSessionCommand(ctx: AppContext, request: SessionCommandRequest): Promise<string> {
  const tenant = await requireTenant(ctx, request.tenant);
  return String(await revokeSessions(ctx, tenant.id, request.target));
}
