import { sql } from 'kysely';
import type { AppContext } from '../app/AppContext.js';
import { newId } from '../db/newId.js';
import { purgeIdempotencyKeys } from '../http/idempotency.js';
import type { JobHandler } from '../jobs/JobQueue.js';
import { applyRetention } from '../privacy/applyRetention.js';
import { purgeBlobs } from '../privacy/purgeBlobs.js';
import { purgeExpiredUploads } from '../uploads/purgeExpiredUploads.js';

/**
 * The housekeeping that used to run on every worker's 30-second interval, now run once across all workers by the
 * scheduler. The sweep of executions (expired waits, lost jobs) and the rescue of webhook deliveries stay on the
 * worker's interval: they repair work the job queue lost, so they must not depend on that queue themselves.
 */
export const SYSTEM_SCHEDULES: readonly { name: string; cron: string; run: (ctx: AppContext) => Promise<unknown> }[] = [
  { name: 'idempotency.purge', cron: '* * * * *', run: (ctx) => purgeIdempotencyKeys(ctx, ctx.clock()) },
  { name: 'uploads.purge', cron: '* * * * *', run: (ctx) => purgeExpiredUploads(ctx, ctx.clock()) },
  // Bytes a deletion queued but a crash kept from removing.
  { name: 'blobs.purge', cron: '* * * * *', run: (ctx) => purgeBlobs(ctx) },
  // Retention deletes by the day: once an hour is plenty.
  { name: 'retention.apply', cron: '17 * * * *', run: (ctx) => applyRetention(ctx, ctx.clock()) },
];

export const systemTask = (name: string) => `system.${name}`;

/**
 * Makes sure each system schedule has its row (idempotent; every worker calls it at start). A new row is due at
 * once, as the interval sweeps ran at start; a cadence changed in code takes effect from now on.
 */
export async function ensureSystemSchedules(ctx: AppContext): Promise<void> {
  const now = ctx.clock();
  for (const schedule of SYSTEM_SCHEDULES) {
    await ctx.kysely
      .insertInto('schedules')
      .values({
        id: newId(),
        tenant_id: null,
        report_id: null,
        name: schedule.name,
        task: systemTask(schedule.name),
        payload: '{}',
        cron: schedule.cron,
        time_zone: 'UTC',
        enabled: true,
        next_run_at: now,
      })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({
          task: systemTask(schedule.name),
          cron: schedule.cron,
          next_run_at: sql<Date>`case when schedules.cron = excluded.cron then schedules.next_run_at else excluded.next_run_at end`,
        }),
      )
      .execute();
  }
}

/** The job handlers of the system schedules (their payload is the scheduler's own: nothing to read). */
export function systemScheduleHandlers(ctx: AppContext): Record<string, JobHandler> {
  return Object.fromEntries(
    SYSTEM_SCHEDULES.map((schedule) => [
      systemTask(schedule.name),
      async () => {
        await schedule.run(ctx);
      },
    ]),
  );
}
