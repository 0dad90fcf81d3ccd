import { type Kysely, sql } from 'kysely';
import { json } from '../db/json.js';
import type { Database } from '../db/types.js';
import { ROLLUP_FAMILIES } from './rollupSources.js';

/** Rollup rows with lo <= bucket < hi of one tenant are recomputed from the raw rows (timestamps as ISO text). */
export interface RollupWindow {
  tenant_id: string;
  lo: string;
  hi: string;
}

const COLUMNS = sql.raw(
  'tenant_id, bucket, metric, flow_id, public_key_id, page_type, model, status, currency, measure, value',
);

/**
 * Replaces the rollup rows of the windows with sums over the raw rows, family by family (delete, then insert: two
 * statements, since one statement's insert would still see the rows its own delete removes). Families whose raw rows
 * retention removes skip windows reaching before the tenant's retention period: their old rollup rows are all that is
 * left of those counts. Runs inside the caller's transaction.
 */
export async function recomputeWindows(trx: Kysely<Database>, windows: readonly RollupWindow[]): Promise<void> {
  if (windows.length === 0) return;
  const all = sql`select x.tenant_id, x.lo, x.hi
    from jsonb_to_recordset(${json(windows)}::jsonb) as x(tenant_id uuid, lo timestamptz, hi timestamptz)`;
  const retained = sql`select x.tenant_id, x.lo, x.hi from (${all}) x join tenants tn on tn.id = x.tenant_id
    where tn.retention_days is null or x.lo >= now() - tn.retention_days * interval '1 day'`;
  for (const family of ROLLUP_FAMILIES) {
    const w = family.thinned ? retained : all;
    const metrics = sql.join(family.metrics.map((m) => sql`${m}`));
    await sql`with w as (${w})
      delete from analytics_rollups r using w
      where r.tenant_id = w.tenant_id and r.bucket >= w.lo and r.bucket < w.hi and r.metric in (${metrics})`.execute(
      trx,
    );
    await sql`with w as (${w})
      insert into analytics_rollups (${COLUMNS}) ${family.select}`.execute(trx);
  }
}
