import type { Kysely } from 'kysely';
import type { AppContext } from '../app/AppContext.js';
import type { Database } from '../db/types.js';
import { EXECUTION_EVENT_TYPES, emitExecutionChanges } from '../webhooks/emitExecutionChanges.js';
import { continueJobKey } from './persistStep.js';
import { endSweptExecutions, expiredInputWaits, quietTimeWaits, staleRunning } from './store/sweepStatements.js';

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
  const expiring = await expiredInputWaits(ctx.kysely, now, BATCH);
  const expired = await endExecutions(ctx, now, {
    rows: expiring,
    status: 'waiting_input',
    // Re-checked by the update itself: a resume that got there first moved the execution on, or was refused.
    expiredBy: now,
    set: { status: 'aborted', reason: 'wait_expired' },
  });

  const candidates = await quietTimeWaits(ctx.kysely, new Date(now.getTime() - LOST_JOB_GRACE_MS), BATCH);
  const lostRows: { id: string; wait_id: string | null }[] = [];
  for (const c of candidates) {
    if (c.wait_resume_at && c.wait_resume_at.getTime() > now.getTime() - LOST_JOB_GRACE_MS) continue;
    if (c.wait_id && !(await ctx.jobs.exists(continueJobKey(c.wait_id)))) lostRows.push(c);
  }
  const lost = await endExecutions(ctx, now, {
    rows: lostRows,
    status: 'waiting_time',
    set: { status: 'failed', error: { code: 'timeout', message: 'The async work of this execution was lost.' } },
  });

  const running = await staleRunning(ctx.kysely, new Date(now.getTime() - ctx.config.jobLeaseMs), BATCH);
  const stuck = await endExecutions(ctx, now, {
    rows: running,
    status: 'running',
    set: { status: 'failed', error: { code: 'timeout', message: 'The process running this execution stopped.' } },
  });
  if (expired > 0) ctx.metrics.executions.inc({ status: 'aborted' }, expired);
  if (lost + stuck > 0) ctx.metrics.executions.inc({ status: 'failed' }, lost + stuck);
  return { expired, lost, stuck };
}

/**
 * Ends the executions the sweep judged, each only if it is still in that state — the status, and for waits the very
 * wait (not a newer one the worker moved it to meanwhile) — in one conditional update: a concurrent resume, job or
 * trigger either got there first (and the sweep leaves that execution alone) or finds it ended.
 */
async function endExecutions(
  ctx: AppContext,
  now: Date,
  args: {
    rows: { id: string; wait_id: string | null }[];
    status: 'waiting_input' | 'waiting_time' | 'running';
    expiredBy?: Date;
    set: { status: 'aborted' | 'failed'; reason?: string; error?: { code: string; message: string } };
  },
): Promise<number> {
  const rows = args.status === 'running' ? args.rows : args.rows.filter((r) => r.wait_id !== null);
  if (rows.length === 0) return 0;
  const end = async (db: Kysely<Database>) => {
    const ended = await endSweptExecutions(db, now, {
      ids: rows.map((r) => r.id),
      status: args.status,
      ...(args.status !== 'running' ? { waitIds: rows.map((r) => r.wait_id!) } : {}),
      ...(args.expiredBy ? { expiredBy: args.expiredBy } : {}),
      set: args.set,
    });
    for (const tenantId of new Set(ended.map((e) => e.tenant_id))) {
      const changes = ended
        .filter((e) => e.tenant_id === tenantId)
        .map((e) => ({ executionId: e.id, previousStatus: args.status, cause: 'sweep' as const }));
      await emitExecutionChanges(db, ctx.webhooks, tenantId, changes);
    }
    return ended;
  };
  // The webhook events of what it ended commit with it; without any subscriber it stays one autocommit statement.
  const ended = ctx.webhooks.anyTenantWants(EXECUTION_EVENT_TYPES)
    ? await ctx.kysely.transaction().execute(end)
    : await end(ctx.kysely);
  for (const { id } of ended) ctx.events.changed(id);
  return ended.length;
}
