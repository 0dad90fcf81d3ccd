import { sql } from 'kysely';
import type { AppContext } from '../app/AppContext.js';
import type { Json } from '../engine/types.js';
import {
  type DeliverPayload,
  deliverJobKey,
  WEBHOOK_DELIVER_TASK,
  WEBHOOK_JOB_MAX_ATTEMPTS,
} from './emitWebhookEvent.js';

const BATCH = 200;
/** How often an idle relay looks anyway (events written by another process, with no wake-up reaching this one). */
const POLL_MS = 250;

/**
 * Moves new outbox deliveries onto the job queue: up to BATCH unqueued pending deliveries, locked so that relays in
 * several workers split them, marked `queued` and given their first attempt's job in one transaction. The turns that
 * wrote them never touch the queue (on PostgreSQL each enqueue NOTIFYs, which would serialise their commits).
 */
export async function relayDeliveries(ctx: AppContext): Promise<number> {
  const queued = await ctx.kysely.transaction().execute(async (trx) => {
    const rows = await sql<{ id: string; tenant_id: string; attempts: number }>`
      update webhook_deliveries set queued = true
      where id in (
        select id from webhook_deliveries
        where status = 'pending' and not queued
        order by created_at
        limit ${BATCH}
        for update skip locked
      )
      returning id, tenant_id, attempts`.execute(trx);
    for (const row of rows.rows) {
      const attempt = row.attempts + 1;
      const payload: DeliverPayload = { tenantId: row.tenant_id, deliveryId: row.id, attempt };
      await ctx.jobs.enqueue(trx, {
        task: WEBHOOK_DELIVER_TASK,
        payload: payload as unknown as Json,
        jobKey: deliverJobKey(row.id, attempt),
        maxAttempts: WEBHOOK_JOB_MAX_ATTEMPTS,
      });
    }
    return rows.rows.length;
  });
  if (queued > 0) ctx.jobs.wake();
  return queued;
}

export interface RunningRelay {
  stop(): Promise<void>;
}

/**
 * The worker's relay loop: runs when this process wrote outbox rows, when any execution changed (here or, through the
 * change bus, in another process — most events come with one), and every POLL_MS otherwise; a full batch runs again
 * at once.
 */
export function startRelay(ctx: AppContext, log?: (message: string, error?: unknown) => void): RunningRelay {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  const run = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    running = (async () => {
      do {
        again = false;
        try {
          // A few ms: the rows that woke us are usually still committing.
          await new Promise((resolve) => setTimeout(resolve, 5));
          if ((await relayDeliveries(ctx)) >= BATCH) again = true;
        } catch (error) {
          log?.('webhook relay failed', error);
        }
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
      if (!stopped) timer = setTimeout(run, POLL_MS);
    });
  };
  const offWritten = ctx.webhooks.onWritten(run);
  ctx.events.onChanged(() => {
    if (ctx.webhooks.anyTenantWants(['chat.execution.updated', 'chat.execution.completed', 'chat.handoff.requested']))
      run();
  });
  run();
  return {
    async stop() {
      stopped = true;
      offWritten();
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
