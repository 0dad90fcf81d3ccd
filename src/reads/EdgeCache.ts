import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Database } from '../db/types.js';
import type { EdgeDocument } from './edgeDocument.js';
import { latestEdgeDocument } from './readsStore.js';

/**
 * Each tenant's newest edge document, in memory: published reads answer from here without a query. Dropped in every
 * process when a new one is published (change bus topic `settings`); `null` remembers "nothing published yet".
 */
export class EdgeCache {
  private readonly documents = new LRUCache<string, { document: EdgeDocument | null }>({
    max: 10_000,
    maxSize: 256 * 1024 * 1024,
    sizeCalculation: (entry) => Math.max(1, entry.document ? JSON.stringify(entry.document).length : 1),
  });
  /** Bumped by every invalidation: a read that began before one must not refill the cache with what it saw. */
  private generation = 0;

  invalidate(): void {
    this.generation += 1;
    this.documents.clear();
  }

  async get(db: Kysely<Database>, tenantId: string): Promise<EdgeDocument | null> {
    const cached = this.documents.get(tenantId);
    if (cached) return cached.document;
    const generation = this.generation;
    const document = (await latestEdgeDocument(db, tenantId)) ?? null;
    if (generation === this.generation) this.documents.set(tenantId, { document });
    return document;
  }
}
