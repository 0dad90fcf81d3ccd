import { sql } from 'kysely';
import type { AppContext } from '../app/AppContext.js';

const BATCH = 200;

/**
 * Removes the bytes queued in `blob_purges` (a customer's deletion, retention), then their queue rows. Runs right
 * after the deletion commits and on every worker sweep, so bytes left by a crash in between are removed on the next
 * sweep. Removing bytes twice is a no-op, so two workers may overlap. `only`: just these (tenant, name) pairs.
 */
export async function purgeBlobs(
  ctx: AppContext,
  only?: readonly { tenant_id: string; storage_name: string }[],
): Promise<number> {
  let removed = 0;
  for (;;) {
    const rows = only
      ? only
      : await ctx.kysely
          .selectFrom('blob_purges')
          .select(['tenant_id', 'storage_name'])
          .orderBy('created_at')
          .limit(BATCH)
          .execute();
    for (const row of rows) {
      await ctx.blobs.delete(row.tenant_id, row.storage_name);
      await sql`delete from blob_purges where tenant_id = ${row.tenant_id}::uuid
        and storage_name = ${row.storage_name}`.execute(ctx.kysely);
    }
    removed += rows.length;
    if (only || rows.length < BATCH) return removed;
  }
}
