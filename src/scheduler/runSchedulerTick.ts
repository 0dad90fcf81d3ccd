import type { AppContext } from '../app/AppContext.js';
import type { JsonObject } from '../engine/types.js';
import { nextCronTime } from './cronSchedule.js';

/** Due schedules taken per tick; more wait for the next tick (each is one short transaction). */
const BATCH = 100;
/** A scheduled run is retried by the queue a few times; the next cron time is the real retry. */
export const SCHEDULED_JOB_MAX_ATTEMPTS = 3;

/** What every scheduled job receives besides the schedule's own payload. */
export interface ScheduledPayload {
  scheduleId: string;
  /** The cron time this run is for (RFC 3339): with the schedule, it names the run (job key, run row). */
  scheduledFor: string;
}

export function scheduledJobKey(scheduleId: string, scheduledFor: Date): string {
  return `schedule:${scheduleId}:${scheduledFor.toISOString()}`;
}

/**
 * One scheduler tick (DESIGN §13): every enabled schedule due at `ctx.clock()` has its `next_run_at` moved to its
 * next cron time after now — on the condition that it still holds the time this tick read — and, in the same
 * transaction, its run enqueued with a job key naming the schedule and that time. Of many workers ticking at once,
 * exactly one moves each schedule; the others' updates match no row and enqueue nothing, and even a duplicate
 * enqueue would only replace the pending job of the same key. Missed times (the workers were down) are not replayed
 * one by one: the earliest missed time runs once and the schedule continues from now. Returns the ids of the
 * schedules whose run this tick queued.
 */
export async function runSchedulerTick(ctx: AppContext): Promise<string[]> {
  const now = ctx.clock();
  const due = await ctx.kysely
    .selectFrom('schedules')
    .select(['id', 'task', 'payload', 'cron', 'time_zone', 'next_run_at'])
    .where('enabled', '=', true)
    .where('next_run_at', '<=', now)
    .orderBy('next_run_at')
    .limit(BATCH)
    .execute();
  const fired: string[] = [];
  for (const schedule of due) {
    let next: Date;
    try {
      next = nextCronTime(schedule.cron, schedule.time_zone, now);
    } catch {
      // Expressions are checked on the way in; one this runtime cannot read any more waits for an admin's fix.
      continue;
    }
    const scheduledFor = new Date(schedule.next_run_at);
    const queued = await ctx.kysely.transaction().execute(async (trx) => {
      const moved = await trx
        .updateTable('schedules')
        .set({ next_run_at: next, last_run_at: scheduledFor, updated_at: now })
        .where('id', '=', schedule.id)
        .where('enabled', '=', true)
        .where('next_run_at', '=', scheduledFor)
        .returning('id')
        .executeTakeFirst();
      if (!moved) return false;
      const own = (schedule.payload ?? {}) as JsonObject;
      const payload: JsonObject = { ...own, scheduleId: schedule.id, scheduledFor: scheduledFor.toISOString() };
      await ctx.jobs.enqueue(trx, {
        task: schedule.task,
        payload,
        jobKey: scheduledJobKey(schedule.id, scheduledFor),
        maxAttempts: SCHEDULED_JOB_MAX_ATTEMPTS,
      });
      return true;
    });
    if (queued) fired.push(schedule.id);
  }
  if (fired.length > 0) ctx.jobs.wake();
  return fired;
}
