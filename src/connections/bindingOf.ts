import type { Selectable } from 'kysely';
import type { ConnectionsTable } from '../db/types.js';
import type { SecretBinding } from './connectionSecret.js';

/** What a row's secret is sealed to (see SecretBinding): read from the row exactly as stored. */
export function bindingOf(
  row: Pick<Selectable<ConnectionsTable>, 'tenant_id' | 'id' | 'type' | 'base_url' | 'auth_type' | 'auth_config'>,
): SecretBinding {
  return {
    tenantId: row.tenant_id,
    connectionId: row.id,
    type: row.type,
    baseUrl: row.base_url,
    authType: row.auth_type,
    authConfig: row.auth_config,
  };
}
