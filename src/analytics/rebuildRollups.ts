import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import { refreshRollups } from './refreshRollups.js';

/**
 * `comerix analytics:rebuild`: recomputes the rollups of one tenant (or all) from the raw rows within each tenant's
 * retention period, by queueing a whole-tenant mark and running the same recompute the sweep runs. Older rollup rows
 * stay. Answers the tenants rebuilt.
 */
export async function rebuildRollups(db: Kysely<Database>, tenantId?: string): Promise<number> {
  let q = db.selectFrom('tenants').select('id');
  if (tenantId) q = q.where('id', '=', tenantId);
  const tenants = await q.execute();
  if (tenants.length === 0) return 0;
  await db
    .insertInto('analytics_dirty')
    .values(tenants.map((t) => ({ tenant_id: t.id, bucket: null, conversation_id: null })))
    .execute();
  await refreshRollups(db);
  return tenants.length;
}
