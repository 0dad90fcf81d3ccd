import type { Kysely } from 'kysely';
import type { AuditEntry, Database } from '../db/types.js';

/** A tenant's audit log, newest first, after the cursor (an entry id) when given. */
export async function listAuditEntries(
  db: Kysely<Database>,
  tenantId: string,
  page: { before?: number; limit: number; action?: string; target?: string },
): Promise<AuditEntry[]> {
  let q = db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenantId);
  if (page.before !== undefined) q = q.where('id', '<', page.before);
  if (page.action !== undefined) q = q.where('action', '=', page.action);
  if (page.target !== undefined) q = q.where('target', '=', page.target);
  return q.orderBy('id', 'desc').limit(page.limit).execute();
}
