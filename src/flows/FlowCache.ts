import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Database } from '../db/types.js';
import type { FlowDefinition } from '../engine/validateFlow.js';
import { publishedRows, versionDefinition } from './flowStore.js';

export interface PublishedIntent {
  flowId: string;
  versionId: string;
  name: string;
  description: string;
  examples: string[];
  required_entities: string[];
}

/** How long a tenant's published-intents snapshot is trusted without an invalidation (other API nodes, missed NOTIFY). */
const PUBLISHED_TTL_MS = 5000;

/**
 * The hot path reads flows on every session and turn; they change rarely. Versions are immutable and cached for good;
 * each tenant's published intents are cached briefly and dropped whenever a flow is (un)published in any process.
 */
export class FlowCache {
  // Bounded by size as well as count, so a tenant with huge flows cannot grow the process without limit.
  private readonly versions = new LRUCache<string, FlowDefinition>({
    max: 2000,
    maxSize: 32 * 1024 * 1024,
    sizeCalculation: (flow) => Math.max(1, JSON.stringify(flow).length),
  });
  private readonly published = new LRUCache<string, Map<string, PublishedIntent>>({
    max: 10_000,
    ttl: PUBLISHED_TTL_MS,
  });

  /** Bumped by every invalidation: a read that began before one must not refill the cache with what it saw. */
  private generation = 0;

  invalidate(): void {
    this.generation += 1;
    this.published.clear();
  }

  /** The tenant's published intents by name (ordered by name). */
  async publishedIntents(db: Kysely<Database>, tenantId: string): Promise<Map<string, PublishedIntent>> {
    const cached = this.published.get(tenantId);
    if (cached) return cached;
    const generation = this.generation;
    const rows = await publishedRows(db, tenantId);
    const intents = new Map(
      rows.map((r) => [
        r.intent_name,
        {
          flowId: r.id,
          versionId: r.published_version_id!,
          name: r.intent_name,
          description: r.description,
          examples: r.examples,
          required_entities: r.required_entities,
        },
      ]),
    );
    if (generation === this.generation) this.published.set(tenantId, intents);
    return intents;
  }

  /** A flow version's definition (immutable). Pass the transaction when inside one: PGlite has one connection. */
  async version(db: Kysely<Database>, tenantId: string, versionId: string): Promise<FlowDefinition> {
    const key = `${tenantId}:${versionId}`;
    const cached = this.versions.get(key);
    if (cached) return cached;
    const definition = await versionDefinition(db, tenantId, versionId);
    if (!definition) throw new Error(`flow version ${versionId} is not in tenant ${tenantId}`);
    this.versions.set(key, definition);
    return definition;
  }
}
