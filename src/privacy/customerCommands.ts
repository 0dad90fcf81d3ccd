import type { AppContext } from '../app/AppContext.js';
import { requireTenant } from '../tenants/tenantStore.js';
import { deleteCustomer } from './deleteCustomer.js';
import { exportCustomer } from './exportCustomer.js';

export type CustomerCommandRequest = {
  command: 'customer:export' | 'customer:delete';
  tenant: string;
  customerId: string;
};

export async function runCustomerCommand(ctx: AppContext, request: CustomerCommandRequest): Promise<string> {
  const tenant = await requireTenant(ctx, request.tenant);
  const result =
    request.command === 'customer:export'
      ? await exportCustomer(ctx, tenant.id, request.customerId)
      : await deleteCustomer(ctx, tenant.id, request.customerId, 'cli');
  return JSON.stringify(result, null, 2);
}
