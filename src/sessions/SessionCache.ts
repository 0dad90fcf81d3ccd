import { LRUCache } from 'lru-cache';
import type { PublicKey } from '../db/types.js';
import type { ChatSession } from './ChatSession.js';

/**
 * Live sessions with their key, kept briefly: DESIGN §4 allows up to 30 s for a key's status, and any key change
 * drops everything at once (in this process, or in another one through NOTIFY), so the TTL only bounds a missed
 * notification. 30 s covers a visitor answering a form: the resume then needs no session read. An entry costs
 * ~560 bytes of heap (measured), so 10,000 entries — 330 new sessions a second, more than one process's widgets open —
 * stay under 6 MB; at 50,000 the cache alone grew the API process by ~80 MB of RSS under a bench load, past §17's
 * 200 MB. A session that fell out is one primary-key read.
 */
export class SessionCache {
  // Sessions are many and small; keys are few: each session entry points at a shared key entry.
  private readonly sessions = new LRUCache<string, Omit<ChatSession, 'key'> & { keyId: string }>({
    max: 10_000,
    ttl: 30_000,
  });
  private readonly keys = new LRUCache<string, PublicKey>({ max: 2000, ttl: 30_000 });

  get(sessionId: string): ChatSession | undefined {
    const entry = this.sessions.get(sessionId);
    const key = entry && this.keys.get(entry.keyId);
    if (!entry || !key) return undefined;
    const { keyId: _keyId, ...session } = entry;
    return { ...session, key };
  }

  /** Bumped by every invalidation: a lookup that began before one must not refill the cache with what it saw. */
  generation = 0;

  /** Stores a session read while the generation was `generation`; dropped if keys changed meanwhile. */
  set(session: ChatSession, generation: number): void {
    if (generation !== this.generation) return;
    const { key, ...rest } = session;
    this.keys.set(key.id, key);
    this.sessions.set(session.id, { ...rest, keyId: key.id });
  }

  invalidate(): void {
    this.generation += 1;
    this.sessions.clear();
    this.keys.clear();
  }
}
