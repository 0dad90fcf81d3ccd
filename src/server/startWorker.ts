import { refreshRollups } from '../analytics/refreshRollups.js';
import type { AppContext } from '../app/AppContext.js';
import { EmbeddedVacuum } from '../db/EmbeddedVacuum.js';
import { continueExecution, type HttpPerformer } from '../executions/continueExecution.js';
import { CONTINUE_TASK } from '../executions/persistStep.js';
import { sweepExecutions } from '../executions/sweepExecutions.js';
import type { LlmPerformer } from '../llm/performLlm.js';
import { REPORT_RUN_TASK } from '../reports/reportService.js';
import { runScheduledReport } from '../reports/runScheduledReport.js';
import { startScheduler } from '../scheduler/startScheduler.js';
import { systemScheduleHandlers } from '../scheduler/systemSchedules.js';
import { builtinTasks } from '../tasks/builtinTasks.js';
import { type DeliveryOptions, deliverWebhook } from '../webhooks/deliverWebhook.js';
import { WEBHOOK_DELIVER_TASK } from '../webhooks/emitWebhookEvent.js';
import { startRelay } from '../webhooks/relayDeliveries.js';
import { rescueDeliveries } from '../webhooks/rescueDeliveries.js';

/**
 * The sweep of executions and the rescue of deliveries repair work the job queue lost, so they run on this interval
 * in every worker rather than as scheduled jobs (as does the analytics rollup refresh, built to run beside itself);
 * the other housekeeping is on the scheduler (src/scheduler).
 */
const SWEEP_INTERVAL_MS = 30_000;
/** A vacuum step longer than this delays every request queued behind it noticeably: worth a line in the log. */
const SLOW_VACUUM_MS = 200;

export interface RunningWorker {
  stop(): Promise<void>;
}

/** Works the job queue (async nodes) and sweeps expired waits; `comerix worker`, and part of `comerix start`. */
export async function startWorker(
  ctx: AppContext,
  options: {
    http: HttpPerformer;
    llm?: LlmPerformer;
    log?: (msg: string, err?: unknown) => void;
    webhooks?: DeliveryOptions;
  },
): Promise<RunningWorker> {
  const tasks = await builtinTasks(ctx.config.tasksModule);
  await ctx.jobs.start(
    {
      [CONTINUE_TASK]: continueExecution(ctx, {
        tasks,
        http: options.http,
        ...(options.llm ? { llm: options.llm } : {}),
        ...(options.log ? { log: (message: string) => options.log?.(message) } : {}),
      }),
      [WEBHOOK_DELIVER_TASK]: deliverWebhook(ctx, {
        ...options.webhooks,
        ...(options.log ? { log: (message: string) => options.log?.(message) } : {}),
      }),
      [REPORT_RUN_TASK]: runScheduledReport(ctx),
      ...systemScheduleHandlers(ctx),
    },

    {
      concurrency: ctx.config.workerConcurrency,
      onError: (task, error, meta) =>
        options.log?.(`job ${task} attempt ${meta.attempt}/${meta.maxAttempts} failed`, error),
      onPickup: (task, seconds) => ctx.metrics.jobPickedUp(task, seconds),
    },
  );
  const sweep = () =>
    void Promise.all([
      sweepExecutions(ctx),
      rescueDeliveries(ctx),
      // Analytics rollups of what changed since the last sweep (queries also fold in what is newer).
      refreshRollups(ctx.kysely),
    ]).catch((error: unknown) => options.log?.('sweep failed', error));

  sweep();
  const timer = setInterval(sweep, SWEEP_INTERVAL_MS);
  // New webhook deliveries in the outbox become jobs here, in batches (the turns that wrote them enqueue nothing).
  const relay = startRelay(ctx, options.log);
  // Recurring runs (scheduled reports, the housekeeping purges and retention), each fired once across all workers.
  const scheduler = await startScheduler(ctx, options.log ? { log: options.log } : {});
  // PostgreSQL vacuums itself; the embedded store only gets what we run (see EmbeddedVacuum).
  const vacuum = ctx.db.backend === 'pglite' ? new EmbeddedVacuum(ctx.kysely) : undefined;
  vacuum?.start(
    ctx.config.pgliteVacuumMs,
    (step) => {
      if (step.ms > SLOW_VACUUM_MS)
        options.log?.(`vacuum of ${step.table} held the database for ${Math.round(step.ms)} ms`);
    },
    (error) => options.log?.('vacuum failed', error),
  );
  return {
    async stop() {
      clearInterval(timer);
      await scheduler.stop();
      await vacuum?.stop();
      await relay.stop();
      await ctx.jobs.stop();
    },
  };
}
