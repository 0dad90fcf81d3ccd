import { EventEmitter } from 'node:events';
import { Logger, type Runner, run, runMigrations, type Task, type WorkerEvents } from 'graphile-worker';

import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { json } from '../db/json.js';
import type { Database } from '../db/types.js';
import type { Json } from '../engine/types.js';
import type { JobHandler, JobQueue, JobSpec, WorkerOptions } from './JobQueue.js';

export interface GraphileQueueOptions {
  /** A worker that has not beaten for this long is presumed dead and its jobs are unlocked for others. */
  staleAfterMs?: number;
  heartbeatMs?: number;
}

const quiet = new Logger(() => () => {});
/** graphile keeps permanently failed jobs (attempts used up, not running): those are not pending work. */
const LIVE = sql`(attempts < max_attempts or locked_at is not null)`;

/**
 * graphile-worker on PostgreSQL: LISTEN/NOTIFY pickup in milliseconds, any number of worker processes.
 * Jobs are added with its `add_job` SQL function inside our own transaction. graphile keeps a crashed worker's jobs
 * locked for hours, so live workers beat a heartbeat and unlock the jobs of workers that stopped beating.
 */
export class GraphileJobQueue implements JobQueue {
  readonly kind = 'graphile' as const;
  private runner: Runner | undefined;
  private pool: pg.Pool | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly workerIds = new Set<string>();
  private readonly staleAfterMs: number;
  private readonly heartbeatMs: number;

  constructor(
    private readonly connectionString: string,
    private readonly kysely: Kysely<Database>,
    options: GraphileQueueOptions = {},
  ) {
    this.staleAfterMs = options.staleAfterMs ?? 30_000;
    this.heartbeatMs = options.heartbeatMs ?? Math.max(200, Math.floor(this.staleAfterMs / 3));
  }

  async prepare(): Promise<void> {
    await runMigrations({ connectionString: this.connectionString, logger: quiet });
  }

  async enqueue(db: Kysely<Database>, job: JobSpec): Promise<void> {
    await sql`select graphile_worker.add_job(
      identifier => ${job.task},
      payload => ${json(job.payload)}::json,
      run_at => ${job.runAt ?? null}::timestamptz,
      max_attempts => ${job.maxAttempts ?? 25}::int,
      job_key => ${job.jobKey ?? null}::text
    )`.execute(db);
  }

  async cancel(db: Kysely<Database>, jobKey: string): Promise<void> {
    await sql`select graphile_worker.remove_job(${jobKey})`.execute(db);
  }

  wake(): void {
    // add_job notifies workers on commit.
  }

  async start(handlers: Record<string, JobHandler>, options: WorkerOptions = {}): Promise<void> {
    this.pool = new pg.Pool({ connectionString: this.connectionString, max: (options.concurrency ?? 4) + 2 });
    // A dropped connection must not crash the process; graphile reconnects.
    this.pool.on('error', () => {});
    this.pool.on('connect', (client) => client.on('error', () => {}));
    const taskList: Record<string, Task> = {};
    for (const [name, handler] of Object.entries(handlers)) {
      taskList[name] = async (payload, helpers) => {
        const meta = {
          attempt: helpers.job.attempts,
          maxAttempts: helpers.job.max_attempts,
          jobKey: helpers.job.key ?? null,
        };
        options.onPickup?.(name, (Date.now() - new Date(helpers.job.run_at).getTime()) / 1000);
        try {
          await handler((payload ?? null) as Json, meta);
        } catch (error) {
          options.onError?.(name, error, meta);
          throw error;
        }
      };
    }
    // Jobs are locked under the pool's id (batched fetch) or a worker's id: record both as ours, from the very
    // first event, so a live lock is never mistaken for a dead one.
    const events: WorkerEvents = new EventEmitter();
    events.on('pool:create', ({ workerPool }) => this.workerIds.add(workerPool.id));
    events.on('pool:release', ({ workerPool }) => this.workerIds.delete(workerPool.id));
    events.on('worker:create', ({ worker }) => this.workerIds.add(worker.workerId));
    events.on('worker:release', ({ worker }) => this.workerIds.delete(worker.workerId));
    this.runner = await run({
      pgPool: this.pool,
      taskList,
      concurrency: options.concurrency ?? 4,
      noHandleSignals: true,
      pollInterval: 2000,
      logger: quiet,
      events,
    });
    await this.beat();

    this.timer = setInterval(() => void this.beat().catch(() => {}), this.heartbeatMs);
  }

  /** Records our workers as alive and frees the jobs of workers that stopped beating. */
  private async beat(): Promise<void> {
    const ids = [...this.workerIds];
    if (ids.length > 0) {
      await this.kysely
        .insertInto('worker_heartbeats')
        .values(ids.map((worker_id) => ({ worker_id, heartbeat_at: sql<Date>`now()` })))
        .onConflict((oc) => oc.column('worker_id').doUpdateSet({ heartbeat_at: sql<Date>`now()` }))
        .execute();
    }
    const staleSeconds = this.staleAfterMs / 1000;
    await sql`
      with locked as (
        select locked_by, min(locked_at) as since from graphile_worker._private_jobs
        where locked_by is not null group by locked_by
      ), dead as (
        select l.locked_by from locked l
        left join worker_heartbeats h on h.worker_id = l.locked_by
        where l.since < now() - make_interval(secs => ${staleSeconds})
          and (h.worker_id is null or h.heartbeat_at < now() - make_interval(secs => ${staleSeconds}))
      )
      select graphile_worker.force_unlock_workers(array(select locked_by from dead))
      where exists (select 1 from dead)`.execute(this.kysely);
    await this.kysely
      .deleteFrom('worker_heartbeats')
      .where('heartbeat_at', '<', sql<Date>`now() - interval '1 day'`)
      .execute();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.runner?.stop();
    await this.pool?.end();
    this.runner = undefined;
    this.pool = undefined;
  }

  async exists(jobKey: string): Promise<boolean> {
    const result = await sql<{
      n: number;
    }>`select count(*)::int as n from graphile_worker._private_jobs where key = ${jobKey} and ${LIVE}`.execute(
      this.kysely,
    );
    return Number(result.rows[0]?.n ?? 0) > 0;
  }

  async waiting(): Promise<number> {
    const result = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs
      where locked_at is null and run_at <= now() and attempts < max_attempts`.execute(this.kysely);
    return Number(result.rows[0]?.n ?? 0);
  }

  async pending(): Promise<number> {
    const result = await sql<{
      n: number;
    }>`select count(*)::int as n from graphile_worker._private_jobs where ${LIVE}`.execute(this.kysely);
    return Number(result.rows[0]?.n ?? 0);
  }
}
