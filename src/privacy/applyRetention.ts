import type { AppContext } from '../app/AppContext.js';
import { purgeBlobs } from './purgeBlobs.js';
import { retentionBatches } from './retentionBatches.js';

const BATCH = 500;
/** Per table and tenant per sweep: a backlog drains over a few sweeps instead of one long run. */
const MAX_BATCHES = 20;
const DAY_MS = 86_400_000;

export type RetentionResult = Record<keyof typeof retentionBatches, number>;

/**
 * Deletes each retaining tenant's raw transcripts, telemetry events, uploads and webhook delivery logs older than its
 * `retention_days` (DESIGN §12), in bounded batches; run by the worker's periodic sweep (every worker: each batch is
 * one statement, so two workers never delete a row twice). `now` is injectable for tests.
 */
export async function applyRetention(
  ctx: AppContext,
  now = new Date(),
  options: { batch?: number } = {},
): Promise<RetentionResult> {
  const batch = options.batch ?? BATCH;
  const result: RetentionResult = { transcripts: 0, events: 0, uploads: 0, deliveryLogs: 0 };
  const tenants = await ctx.kysely
    .selectFrom('tenants')
    .select(['id', 'retention_days'])
    .where('retention_days', 'is not', null)
    .execute();
  for (const tenant of tenants) {
    const before = new Date(now.getTime() - Number(tenant.retention_days) * DAY_MS);
    for (const [kind, run] of Object.entries(retentionBatches) as [
      keyof RetentionResult,
      (typeof retentionBatches)[keyof RetentionResult],
    ][]) {
      for (let i = 0; i < MAX_BATCHES; i++) {
        const n = await run(ctx.kysely, tenant.id, before, batch);
        result[kind] += n;
        if (n < batch) break;
      }
    }
  }
  if (result.uploads > 0) await purgeBlobs(ctx);
  return result;
}
