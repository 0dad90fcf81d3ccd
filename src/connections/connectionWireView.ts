import type { ConnectionView } from './connectionTypes.js';

/** A connection as the admin API and the MCP tools show it: the caller's tenant is implied, so it is left out. */
export function connectionWireView(c: ConnectionView): Omit<ConnectionView, 'tenantId'> {
  const { tenantId: _tenant, ...rest } = c;
  return rest;
}
