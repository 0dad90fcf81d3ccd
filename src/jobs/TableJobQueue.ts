import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { json } from '../db/json.js';
import type { Database } from '../db/types.js';
import type { Json } from '../engine/types.js';
import type { JobHandler, JobMeta, JobQueue, JobSpec, WorkerOptions } from './JobQueue.js';

export interface TableQueueOptions {
  /** How long a picked job stays locked; a worker that dies releases its jobs when this lapses. */
  leaseMs?: number;
  /** Idle poll interval: wake() makes pickup immediate in-process, this bounds it otherwise. */
  pollMs?: number;
  /** Delay before retry n (1-based); default exponential from 1 s, capped at 10 min. */
  backoffMs?: (attempt: number) => number;
}

interface PickedJob {
  id: number;
  task: string;
  payload: Json;
  job_key: string | null;
  attempts: number;
  max_attempts: number;
  /** How long past its run_at the job was picked. */
  late_seconds: number;
}

/**
 * A job queue over the `jobs` table, for PGlite (one process, no LISTEN across connections): picked with
 * `FOR UPDATE SKIP LOCKED` under a lease, retried with exponential backoff, deduped by job key.
 */
export class TableJobQueue implements JobQueue {
  readonly kind = 'table' as const;
  private readonly workerId = `w_${randomUUID().slice(0, 8)}`;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly backoffMs: (attempt: number) => number;
  private handlers: Record<string, JobHandler> = {};
  private options: WorkerOptions = {};
  private running = false;
  private active = 0;
  private timer: NodeJS.Timeout | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private idle: (() => void)[] = [];
  private pumping = false;
  private pumpAgain = false;

  constructor(
    private readonly kysely: Kysely<Database>,
    options: TableQueueOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 60_000;
    this.pollMs = options.pollMs ?? 1000;
    this.backoffMs = options.backoffMs ?? ((n) => Math.min(1000 * 2 ** (n - 1), 600_000));
  }

  async prepare(): Promise<void> {}

  async enqueue(db: Kysely<Database>, job: JobSpec): Promise<void> {
    const values = {
      task: job.task,
      payload: json(job.payload),
      job_key: job.jobKey ?? null,
      run_at: job.runAt ?? sql<Date>`now()`,
      max_attempts: job.maxAttempts ?? 25,
      attempts: 0,
    };
    await db
      .insertInto('jobs')
      .values(values)
      .onConflict((oc) =>
        oc
          .column('job_key')
          .doUpdateSet({
            task: job.task,
            payload: values.payload,
            run_at: values.run_at,
            max_attempts: values.max_attempts,
            attempts: 0,
            failed_at: null,
            last_error: null,
          })
          // A job that is running keeps running; the replacement waits for its lease like any retry.
          .where((eb) => eb.or([eb('jobs.locked_until', 'is', null), eb('jobs.locked_until', '<', sql<Date>`now()`)])),
      )
      .execute();
  }

  async cancel(db: Kysely<Database>, jobKey: string): Promise<void> {
    await db
      .deleteFrom('jobs')
      .where('job_key', '=', jobKey)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', sql<Date>`now()`)]))
      .execute();
  }

  wake(): void {
    if (this.running) setImmediate(() => void this.pump());
  }

  async start(handlers: Record<string, JobHandler>, options: WorkerOptions = {}): Promise<void> {
    this.handlers = handlers;
    this.options = options;
    this.running = true;
    const tick = () => {
      if (!this.running) return;
      void this.pump().finally(() => {
        if (this.running) this.timer = setTimeout(tick, this.pollMs);
      });
    };
    tick();
    // Running jobs keep their lease while this process lives; a killed process stops renewing and loses them.
    this.leaseTimer = setInterval(() => void this.renewLeases(), Math.max(100, Math.floor(this.leaseMs / 3)));
  }

  private async renewLeases(): Promise<void> {
    if (this.active === 0) return;
    await sql`update jobs set locked_until = now() + ${`${this.leaseMs} milliseconds`}::interval
      where locked_by = ${this.workerId} and failed_at is null`
      .execute(this.kysely)
      .catch(() => {});
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    if (this.active > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  async waiting(): Promise<number> {
    const row = await this.kysely
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('failed_at', 'is', null)
      .where('run_at', '<=', sql<Date>`now()`)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', sql<Date>`now()`)]))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async pending(): Promise<number> {
    const row = await this.kysely
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('failed_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async exists(jobKey: string): Promise<boolean> {
    const row = await this.kysely
      .selectFrom('jobs')
      .select('id')
      .where('job_key', '=', jobKey)
      .where('failed_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Picks ready jobs up to the concurrency limit; runs again if woken while busy. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        const limit = this.options.concurrency ?? 4;
        while (this.running && this.active < limit) {
          const job = await this.pick();
          if (!job) break;
          this.active += 1;
          void this.run(job).finally(() => {
            this.active -= 1;
            if (this.active === 0) for (const resolve of this.idle.splice(0)) resolve();
            if (this.running) this.wake();
          });
        }
      } while (this.pumpAgain && this.running);
    } catch {
      // The database is unreachable for now; the next tick tries again.
    } finally {
      this.pumping = false;
    }
  }

  private async pick(): Promise<PickedJob | undefined> {
    const result = await sql<PickedJob>`
      update jobs set locked_by = ${this.workerId},
        locked_until = now() + ${`${this.leaseMs} milliseconds`}::interval,
        attempts = attempts + 1
      where id = (
        select id from jobs
        where failed_at is null and run_at <= now() and (locked_until is null or locked_until < now())
        order by run_at, id
        limit 1
        for update skip locked
      )
      returning id, task, payload, job_key, attempts, max_attempts,
        greatest(0, extract(epoch from clock_timestamp() - run_at))::float8 as late_seconds`.execute(this.kysely);
    return result.rows[0];
  }

  private async run(job: PickedJob): Promise<void> {
    const meta: JobMeta = { attempt: job.attempts, maxAttempts: job.max_attempts, jobKey: job.job_key };
    const handler = this.handlers[job.task];
    this.options.onPickup?.(job.task, Number(job.late_seconds));
    try {
      if (!handler) throw new Error(`no handler for task "${job.task}"`);
      await handler(job.payload, meta);
      await this.kysely.deleteFrom('jobs').where('id', '=', job.id).where('locked_by', '=', this.workerId).execute();
    } catch (error) {
      this.options.onError?.(job.task, error, meta);
      const message = error instanceof Error ? error.message : String(error);
      const final = job.attempts >= job.max_attempts;
      await this.kysely
        .updateTable('jobs')
        .set({
          locked_by: null,
          locked_until: null,
          last_error: message.slice(0, 2000),
          ...(final ? { failed_at: new Date() } : { run_at: new Date(Date.now() + this.backoffMs(job.attempts)) }),
        })
        .where('id', '=', job.id)
        .where('locked_by', '=', this.workerId)
        .execute()
        .catch(() => {});
    }
  }
}
