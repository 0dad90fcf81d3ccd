import { sql } from 'kysely';
import type { AppContext } from '../app/AppContext.js';
import type { Json } from '../engine/types.js';
import {
  type DeliverPayload,
  deliverJobKey,
  WEBHOOK_DELIVER_TASK,
  WEBHOOK_JOB_MAX_ATTEMPTS,
} from './emitWebhookEvent.js';

/** A pending delivery this long past due with no job has lost it. */
const LOST_JOB_GRACE_MS = 10 * 60 * 1000;
const BATCH = 200;

/**
 * Part of the worker's sweep: a delivery whose attempt's job is gone — its process died while sending (the claim's
 * lease lapsed) or the queue gave the job up after infrastructure failures — gets that attempt's job again. The job
 * itself re-checks the delivery's state, so a rescue that races a live job sends nothing twice.
 */
export async function rescueDeliveries(ctx: AppContext, now = new Date()): Promise<number> {
  const rows = await ctx.kysely
    .selectFrom('webhook_deliveries')
    .select(['id', 'tenant_id', 'status', 'attempts'])
    .where('status', 'in', [sql.lit<'pending'>('pending'), sql.lit<'sending'>('sending')])
    .where('next_attempt_at', '<', new Date(now.getTime() - LOST_JOB_GRACE_MS))
    // Unqueued pending deliveries are the relay's; these had a job.
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', sql.lit<'pending'>('pending')), eb('queued', '=', true)]),
        eb('locked_until', '<', now),
      ]),
    )
    .limit(BATCH)
    .execute();
  let rescued = 0;
  for (const row of rows) {
    const attempt = row.status === 'sending' ? row.attempts : row.attempts + 1;
    const jobKey = deliverJobKey(row.id, attempt);
    if (row.status === 'pending' && (await ctx.jobs.exists(jobKey))) continue;
    const payload: DeliverPayload = { tenantId: row.tenant_id, deliveryId: row.id, attempt };
    await ctx.jobs.enqueue(ctx.kysely, {
      task: WEBHOOK_DELIVER_TASK,
      payload: payload as unknown as Json,
      jobKey,
      maxAttempts: WEBHOOK_JOB_MAX_ATTEMPTS,
    });
    rescued++;
  }
  if (rescued > 0) ctx.jobs.wake();
  return rescued;
}
