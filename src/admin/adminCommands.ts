import type { AppContext } from '../app/AppContext.js';
import type { AdminRole } from '../db/types.js';
import { requireTenant } from '../tenants/tenantStore.js';
import { createAdminUser, generatePassword, resetAdminPassword } from './adminUserService.js';

export type AdminCommandRequest =
  | { command: 'admin:create'; tenant: string; email: string; role: AdminRole }
  | { command: 'admin:reset-password'; tenant: string; email: string };

/** Prints the generated password (the only time it is shown). */
export async function runAdminCommand(ctx: AppContext, request: AdminCommandRequest): Promise<string> {
  const tenantId = (await requireTenant(ctx, request.tenant)).id;
  const password = generatePassword();
  switch (request.command) {
    case 'admin:create':
      await createAdminUser(ctx, { tenantId, email: request.email, role: request.role, password, actor: 'cli' });
      return password;
    case 'admin:reset-password':
      await resetAdminPassword(ctx, { tenantId, email: request.email, password, actor: 'cli' });
      return password;
  }
}
