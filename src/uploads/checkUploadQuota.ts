import type { AppContext } from '../app/AppContext.js';
import { AppError } from '../errors/AppError.js';

/**
 * The per-key daily upload quota (DESIGN §8), checked before a byte of the file is read: today's stored `upload`
 * count plus what this process counted and has not flushed. Other processes' unflushed counts are not seen, so a key
 * spread over many API nodes may pass the quota by at most their last few seconds of uploads. The counts are the usage
 * meter's: with metering off (COMERIX_USAGE_METERING=off) nothing is counted and the quota is not enforced.
 */
export async function checkUploadQuota(ctx: AppContext, publicKeyId: string, now = new Date()): Promise<void> {
  const quota = ctx.config.uploadsPerKeyPerDay;
  if (quota === 0) return;
  const day = now.toISOString().slice(0, 10);
  const stored = await ctx.kysely
    .selectFrom('usage_counters')
    .select('count')
    .where('public_key_id', '=', publicKeyId)
    .where('day', '=', day)
    .where('kind', '=', 'upload')
    .executeTakeFirst();
  const pending = ctx.meter
    .snapshot()
    .filter((c) => c.publicKeyId === publicKeyId && c.day === day && c.kind === 'upload')
    .reduce((n, c) => n + c.count, 0);
  if (Number(stored?.count ?? 0) + pending < quota) return;
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  const retryAfter = String(Math.max(1, Math.ceil((midnight - now.getTime()) / 1000)));
  throw new AppError(
    'rate_limited',
    `This key made its ${quota} uploads for today (UTC).`,
    { limit: 'uploads_per_key_per_day', quota },
    { 'retry-after': retryAfter },
  );
}
