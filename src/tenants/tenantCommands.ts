import type { AppContext } from '../app/AppContext.js';
import { createTenant, requireTenant, setRetentionDays } from './tenantStore.js';

export type TenantCommandRequest =
  | { command: 'tenant:create'; name: string; slug: string }
  | { command: 'tenant:update'; tenant: string; retentionDays: number | null };

export async function runTenantCommand(ctx: AppContext, request: TenantCommandRequest): Promise<string> {
  if (request.command === 'tenant:create') return (await createTenant(ctx, request)).id;
  const tenant = await requireTenant(ctx, request.tenant);
  await setRetentionDays(ctx, tenant.id, request.retentionDays);
  return tenant.id;
}
