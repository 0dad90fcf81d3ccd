import { sql } from 'kysely';
import type { AppContext } from '../app/AppContext.js';
import { json } from '../db/json.js';
import { continueJobKey } from './persistStep.js';

/** A waiting_time execution whose job is gone for this long has lost it; it fails instead of hanging. */
const LOST_JOB_GRACE_MS = 10 * 60 * 1000;
const BATCH = 500;

export interface SweepResult {
  expired: number;
  lost: number;
  stuck: number;
}

/**
 * Keeps executions from hanging: input waits past their expiry end `aborted` (`wait_expired`); a `waiting_time`
 * execution whose job no longer exists ends `failed` (`timeout`); a `running` one left by a dead process (turns
 * commit atomically, so only a bug could leave one) ends `failed` too. Every change is conditional on the status it
 * expects, so sweepers in several workers never fight.
 */
export async function sweepExecutions(ctx: AppContext, now = new Date()): Promise<SweepResult> {
  const expired = await endExecutions(ctx, now, {
    select: (db) =>
      db
        .selectFrom('executions')
        .select(['id', 'wait_id'])
        // A literal, so that even a generic plan can use the partial index executions_wait_expiry.
        .where('status', '=', sql.lit('waiting_input'))
        .where('wait_expires_at', '<=', now)
        .limit(BATCH),
    status: 'waiting_input',
    set: { status: 'aborted', reason: 'wait_expired' },
    waitStatus: 'expired',
  });

  const candidates = await ctx.kysely
    .selectFrom('executions')
    .innerJoin('waits', 'waits.id', 'executions.wait_id')
    .select(['executions.id', 'executions.wait_id', 'waits.resume_at'])
    .where('executions.status', '=', 'waiting_time')
    .where('executions.updated_at', '<', new Date(now.getTime() - LOST_JOB_GRACE_MS))
    .limit(BATCH)
    .execute();
  const lostIds: string[] = [];
  for (const c of candidates) {
    if (c.resume_at && c.resume_at.getTime() > now.getTime() - LOST_JOB_GRACE_MS) continue;
    if (c.wait_id && !(await ctx.jobs.exists(continueJobKey(c.wait_id)))) lostIds.push(c.id);
  }
  const lost =
    lostIds.length === 0
      ? 0
      : await endExecutions(ctx, now, {
          select: (db) => db.selectFrom('executions').select(['id', 'wait_id']).where('id', 'in', lostIds),
          status: 'waiting_time',
          set: { status: 'failed', error: { code: 'timeout', message: 'The async work of this execution was lost.' } },
          waitStatus: 'cancelled',
        });

  const stuck = await endExecutions(ctx, now, {
    select: (db) =>
      db
        .selectFrom('executions')
        .select(['id', 'wait_id'])
        .where('status', '=', 'running')
        .where('updated_at', '<', new Date(now.getTime() - ctx.config.jobLeaseMs))
        .limit(BATCH),
    status: 'running',
    set: { status: 'failed', error: { code: 'timeout', message: 'The process running this execution stopped.' } },
    waitStatus: 'cancelled',
  });
  return { expired, lost, stuck };
}

type Select = (db: AppContext['kysely']) => { execute(): Promise<{ id: string; wait_id: string | null }[]> };

async function endExecutions(
  ctx: AppContext,
  now: Date,
  args: {
    select: Select;
    status: 'waiting_input' | 'waiting_time' | 'running';
    set: { status: 'aborted' | 'failed'; reason?: string; error?: { code: string; message: string } };
    waitStatus: 'expired' | 'cancelled';
  },
): Promise<number> {
  const ended = await ctx.kysely.transaction().execute(async (trx) => {
    const rows = await args.select(trx).execute();
    if (rows.length === 0) return [];
    // Claim the open waits first, in the order a resume takes its locks (wait, then execution): no deadlock, and a
    // wait that a resume or the worker already claimed makes the sweep leave that execution alone.
    let eligible = rows;
    if (args.status !== 'running') {
      const waitIds = rows.flatMap((r) => (r.wait_id ? [r.wait_id] : []));
      const claimed =
        waitIds.length === 0
          ? []
          : await trx
              .updateTable('waits')
              .set({ status: args.waitStatus })
              .where('id', 'in', waitIds)
              .where('status', '=', 'open')
              .returning('id')
              .execute();
      const claimedIds = new Set(claimed.map((w) => w.id));
      eligible = rows.filter((r) => r.wait_id !== null && claimedIds.has(r.wait_id));
    }
    if (eligible.length === 0) return [];
    let update = trx
      .updateTable('executions')
      .set({
        status: args.set.status,
        reason: args.set.reason ?? null,
        error: args.set.error ? json(args.set.error) : null,
        version: sql`version + 1`,
        updated_at: now,
        ended_at: now,
      })
      .where(
        'id',
        'in',
        eligible.map((r) => r.id),
      )
      .where('status', '=', args.status);
    // Still waiting on the very wait the sweep judged (not a newer one the worker moved it to meanwhile).
    if (args.status !== 'running')
      update = update.where(
        'wait_id',
        'in',
        eligible.map((r) => r.wait_id!),
      );
    const updated = await update.returning('id').execute();
    return updated.map((r) => r.id);
  });
  for (const id of ended) ctx.events.changed(id);
  return ended.length;
}
