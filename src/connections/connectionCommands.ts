import type { AppContext } from '../app/AppContext.js';
import { formatTable } from '../cli/formatTable.js';
import { AppError } from '../errors/AppError.js';
import { requireTenant } from '../tenants/tenantStore.js';
import {
  type CreateConnectionInput,
  createConnection,
  deleteConnection,
  listConnections,
  testConnection,
} from './connectionService.js';

/** `connection:*` data commands, parsed by the CLI; the secret was read there from an env var or stdin. */
export type ConnectionCommandRequest =
  | ({ command: 'connection:create'; tenant: string } & Omit<CreateConnectionInput, 'tenantId'>)
  | { command: 'connection:list'; tenant: string }
  | { command: 'connection:test'; tenant: string; name: string; path?: string }
  | { command: 'connection:delete'; tenant: string; name: string };

/** Returns exactly what goes on stdout; a failed test throws, so the CLI prints it on stderr and exits 1. */
export async function runConnectionCommand(ctx: AppContext, request: ConnectionCommandRequest): Promise<string> {
  const tenant = await requireTenant(ctx, request.tenant);
  switch (request.command) {
    case 'connection:create': {
      const { command: _command, tenant: _tenant, ...input } = request;
      return (await createConnection(ctx, { ...input, tenantId: tenant.id })).id;
    }
    case 'connection:list':
      return formatTable(
        ['NAME', 'TYPE', 'AUTH', 'BASE URL', 'ID'],
        (await listConnections(ctx, tenant.id)).map((c) => [c.name, c.type, c.authType, c.baseUrl, c.id]),
      );
    case 'connection:test': {
      const result = await testConnection(ctx, tenant.id, request.name, request.path ? { path: request.path } : {});
      if (result.ok) return `ok ${result.status} ${result.latencyMs}ms`;
      const error = result.error;
      const detail = error?.bodyExcerpt ? ` — ${error.bodyExcerpt}` : '';
      throw new AppError(
        'unavailable',
        error
          ? `connection test failed: ${error.code}: ${error.message}${detail}`
          : `connection test failed: HTTP ${result.status}`,
      );
    }
    case 'connection:delete':
      return (await deleteConnection(ctx, tenant.id, request.name)).id;
  }
}
