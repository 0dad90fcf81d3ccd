import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';

/** Ids of the enabled endpoints subscribed to each event type, per tenant. */
type TenantSubscriptions = ReadonlyMap<string, readonly string[]>;

const NONE: readonly string[] = [];

/**
 * Which tenant has an enabled endpoint subscribed to which event type, in memory: the hot path asks without a
 * query, so a tenant without webhooks pays nothing per turn (DESIGN §11). The whole map is re-read (it is small: one
 * row per endpoint) when the `webhooks` topic is announced on the change bus, here or in another process. It also
 * tells this process's delivery relay that the outbox got rows.
 */
export class WebhookSubscriptions {
  private byTenant = new Map<string, TenantSubscriptions>();
  /** Of two overlapping reloads, only the one started last may install its result. */
  private generation = 0;
  private readonly wakers = new Set<() => void>();

  constructor(private readonly kysely: Kysely<Database>) {}

  /** Enabled endpoints of the tenant subscribed to `type` (possibly stale: the outbox re-checks them in SQL). */
  endpointsFor(tenantId: string, type: string): readonly string[] {
    return this.byTenant.get(tenantId)?.get(type) ?? NONE;
  }

  /** Whether the tenant has an enabled endpoint for any of `types`. */
  wantsAny(tenantId: string, types: readonly string[]): boolean {
    const tenant = this.byTenant.get(tenantId);
    return tenant !== undefined && types.some((t) => tenant.has(t));
  }

  /** Whether any tenant subscribed to any of `types` (background writers decide on a transaction with it). */
  anyTenantWants(types: readonly string[]): boolean {
    for (const tenant of this.byTenant.values()) if (types.some((t) => tenant.has(t))) return true;
    return false;
  }

  /**
   * Deliveries were written to the outbox (not yet committed): a relay in this process looks soon. Other processes'
   * relays find them by their own wake-ups and poll.
   */
  written(): void {
    for (const wake of this.wakers) wake();
  }

  onWritten(wake: () => void): () => void {
    this.wakers.add(wake);
    return () => this.wakers.delete(wake);
  }

  /** Re-reads every enabled endpoint. A failed read keeps the previous map (the next announcement retries). */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    const rows = await this.kysely
      .selectFrom('webhook_endpoints')
      .select(['id', 'tenant_id', 'event_types'])
      .where('enabled', '=', true)
      .execute();
    if (generation !== this.generation) return;
    const next = new Map<string, Map<string, string[]>>();
    for (const row of rows) {
      const tenant = next.get(row.tenant_id) ?? new Map<string, string[]>();
      next.set(row.tenant_id, tenant);
      for (const type of row.event_types) {
        const ids = tenant.get(type);
        if (ids) ids.push(row.id);
        else tenant.set(type, [row.id]);
      }
    }
    this.byTenant = next;
  }
}
