import { performance } from 'node:perf_hooks';
import { type Kysely, sql } from 'kysely';
import type { Database } from './types.js';

/**
 * The tables every turn, session or job updates or deletes in: each update leaves a dead row version behind, and
 * in the embedded store nothing ever removes it (PGlite runs PostgreSQL single-user, where autovacuum never starts).
 */
export const HOT_TABLES = [
  'executions',
  'chat_turns',
  'conversations',
  'sessions',
  'jobs',
  'idempotency_keys',
  'webhook_deliveries',
  'usage_counters',
  // Analytics marks are appended by every turn and deleted by each sweep; rollup rows are replaced on each recompute.
  'analytics_dirty',
  'analytics_rollups',
] as const satisfies readonly (keyof Database)[];

export interface VacuumStep {
  table: string;
  /** Whether this step also cleaned the indexes and analyzed. */
  full: boolean;
  ms: number;
}

/**
 * Autovacuum for the embedded store, done by hand in bounded steps: each step vacuums one hot table, the next in turn,
 * through the one PGlite session like any query, so requests queued behind it wait for one table's pass, never for a
 * whole-database one. Steps come often (COMERIX_PGLITE_VACUUM_SECONDS) so that a pass only visits the heap pages
 * written since the last one (the visibility map lets VACUUM skip the rest) and its cost follows the write rate,
 * not the table's size. Two parts of a full pass grow with the table instead, so they only run every
 * `fullEvery`-th visit of a table: the index pass (each index read from end to end; measured on the turn bench, a
 * step on `executions` went from 84 to 312 ms within 40 s of growth with it) and ANALYZE (samples up to 30,000
 * pages). Between them the light steps still prune dead row versions, make their space reusable and keep the
 * table's row count current for the planner.
 */
export class EmbeddedVacuum {
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly kysely: Kysely<Database>,
    private readonly tables: readonly string[] = HOT_TABLES,
    private readonly fullEvery = 30,
  ) {}

  /** Vacuums the next table of the rotation, and only that one: light, or full on every `fullEvery`-th visit. */
  async step(): Promise<VacuumStep> {
    const table = this.tables[this.next % this.tables.length]!;
    const visit = Math.floor(this.next / this.tables.length);
    this.next += 1;
    const full = visit % this.fullEvery === this.fullEvery - 1;
    const started = performance.now();
    // TRUNCATE false: giving the file's empty tail back to the OS takes an exclusive lock and buys nothing here.
    await (full
      ? sql`vacuum (analyze, truncate false) ${sql.table(table)}`
      : sql`vacuum (index_cleanup off, truncate false) ${sql.table(table)}`
    ).execute(this.kysely);
    return { table, full, ms: performance.now() - started };
  }

  /** A step every `intervalMs` (counted from the end of the previous one, so steps never overlap). */
  start(intervalMs: number, onStep: (step: VacuumStep) => void, onError: (error: unknown) => void): void {
    if (this.timer || intervalMs <= 0) return;
    const tick = () => {
      this.running = this.step()
        .then(onStep, onError)
        .finally(() => {
          this.running = undefined;
          if (this.timer) this.timer = setTimeout(tick, intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, intervalMs).unref();
  }

  /** Stops the timer and waits for a step in progress (the database closes after this). */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
