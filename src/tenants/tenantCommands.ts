import type { AppContext } from '../app/AppContext.js';
import { createTenant } from './tenantStore.js';

export type TenantCommandRequest = { command: 'tenant:create'; name: string; slug: string };

export async function runTenantCommand(ctx: AppContext, request: TenantCommandRequest): Promise<string> {
  return (await createTenant(ctx, request)).id;
}
