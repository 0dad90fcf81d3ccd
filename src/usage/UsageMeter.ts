import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/types.js';
import type { UsageKind } from './usageKinds.js';

/** Counters gathered in memory, keyed by `tenant|key|day|kind`. */
type Pending = Map<string, number>;

/** Most counter rows in one INSERT (a flush of a busy process). */
const ROWS_PER_STATEMENT = 500;

/**
 * Usage per key × UTC day × kind (DESIGN §9), counted in memory and added to `usage_counters` in batches: a request
 * never writes for its count, so cacheable reads stay reads. A flush swaps the map out first, so counts made while it
 * runs go to the next one; a failed flush puts its counts back. Off (COMERIX_USAGE_METERING=off), nothing is counted.
 */
export class UsageMeter {
  private pending: Pending = new Map();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    readonly enabled: boolean,
    private readonly now: () => Date = () => new Date(),
  ) {}

  count(tenantId: string, publicKeyId: string, kind: UsageKind, n = 1): void {
    if (!this.enabled) return;
    const at = `${tenantId}|${publicKeyId}|${this.now().toISOString().slice(0, 10)}|${kind}`;
    this.pending.set(at, (this.pending.get(at) ?? 0) + n);
  }

  /** What is counted and not flushed yet, for tests and `usage:show` (which adds it to the stored counts). */
  snapshot(): { tenantId: string; publicKeyId: string; day: string; kind: UsageKind; count: number }[] {
    return [...this.pending].map(([at, count]) => {
      const [tenantId, publicKeyId, day, kind] = at.split('|') as [string, string, string, UsageKind];
      return { tenantId, publicKeyId, day, kind, count };
    });
  }

  /** Writes what was counted; concurrent calls share one flush, then run again for what came meanwhile. */
  async flush(): Promise<void> {
    // Another caller's flush failing is its own error (its counts went back into `pending`, flushed below).
    while (this.flushing) await this.flushing.catch(() => {});
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.write(batch).catch((error: unknown) => {
      for (const [at, n] of batch) this.pending.set(at, (this.pending.get(at) ?? 0) + n);
      throw error;
    });
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  private async write(batch: Pending): Promise<void> {
    const rows = [...batch].map(([at, count]) => {
      const [tenant_id, public_key_id, day, kind] = at.split('|') as [string, string, string, string];
      return { tenant_id, public_key_id, day, kind, count };
    });
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      await this.db
        .insertInto('usage_counters')
        .values(rows.slice(i, i + ROWS_PER_STATEMENT))
        .onConflict((oc) =>
          oc
            .columns(['public_key_id', 'day', 'kind'])
            .doUpdateSet({ count: sql`usage_counters.count + excluded.count` }),
        )
        .execute();
    }
  }

  /** Flushes every `intervalMs` until stopped; the timer never keeps the process alive. */
  start(intervalMs: number, onError: (error: unknown) => void): void {
    if (!this.enabled || this.timer) return;
    this.timer = setInterval(() => this.flush().catch(onError), intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and writes what is left. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
