import type { AppContext } from '../app/AppContext.js';
import { runSchedulerTick } from './runSchedulerTick.js';
import { ensureSystemSchedules } from './systemSchedules.js';

/** Cron expressions name minutes; a tick every few seconds starts each run within that of its time. */
export const SCHEDULER_TICK_MS = 5_000;

export interface RunningScheduler {
  stop(): Promise<void>;
}

/**
 * The worker's periodic scheduler tick (every worker runs one; the tick's compare-and-set makes each run fire once).
 * graphile-worker's crontab holds only entries fixed at start, and the table queue has none: this works on both.
 */
export async function startScheduler(
  ctx: AppContext,
  options: { tickMs?: number; log?: (msg: string, err?: unknown) => void } = {},
): Promise<RunningScheduler> {
  await ensureSystemSchedules(ctx);
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const tick = () => {
    // A slow tick is not overlapped by the next one in this process (other processes are handled by the CAS).
    if (busy) return;
    busy = true;
    running = runSchedulerTick(ctx)
      .catch((error: unknown) => options.log?.('scheduler tick failed', error))
      .finally(() => {
        busy = false;
      });
  };
  tick();
  const timer = setInterval(tick, options.tickMs ?? SCHEDULER_TICK_MS);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
