import type { AppContext } from '../app/AppContext.js';
import { deleteExpiredUploads } from './uploadStore.js';

const BATCH = 500;

/**
 * Removes uploads no submission or resume referenced within their 24 h (the worker's periodic sweep runs it on every
 * worker; a row is taken by one DELETE, so two workers never remove the same blob twice). The row goes first: a blob
 * left by a crash between the two is unreachable, never a row pointing at nothing.
 */
export async function purgeExpiredUploads(ctx: AppContext, now = new Date()): Promise<number> {
  let removed = 0;
  for (;;) {
    const rows = await deleteExpiredUploads(ctx.kysely, now, BATCH);
    for (const row of rows) await ctx.blobs.delete(row.tenant_id, row.storage_name);
    removed += rows.length;
    if (rows.length < BATCH) return removed;
  }
}
