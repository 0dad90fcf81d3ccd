import { LRUCache } from 'lru-cache';
import type { AppContext } from '../app/AppContext.js';
import { precompile } from '../db/precompile.js';
import type { PublicKey } from '../db/types.js';
import { AppError } from '../errors/AppError.js';
import { verifySessionToken } from '../security/sessionToken.js';

export interface ChatSession {
  id: string;
  tenantId: string;
  conversationId: string;
  customerId: string;
  locale: string | null;
  key: PublicKey;
}

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

/** The session and its key's current row. */
const readSession = precompile(['sessionId', 'tenantId'], (db, v) =>
  db
    .selectFrom('sessions')
    .innerJoin('public_keys', 'public_keys.id', 'sessions.public_key_id')
    .selectAll('public_keys')
    .select([
      'sessions.id as session_id',
      'sessions.conversation_id as session_conversation_id',
      'sessions.customer_id as session_customer_id',
      'sessions.locale as session_locale',
      'sessions.revoked_at as session_revoked_at',
    ])
    .where('sessions.id', '=', v.sessionId)
    .where('sessions.tenant_id', '=', v.tenantId),
);

/**
 * Bearer session token → the live session and its key's *current* scope. Signature and expiry come from the token;
 * revocation of the session or of its key comes from the database, so a revoked key stops its sessions at once.
 */
export async function authenticateSession(ctx: AppContext, authorization: string | undefined): Promise<ChatSession> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match)
    throw new AppError('invalid_session_token', 'Send the session token as Authorization: Bearer <sessionToken>.');
  const claims = verifySessionToken(ctx.secrets, match[1]!);
  const cached = ctx.sessions.get(claims.sid);
  if (cached) {
    if (cached.tenantId !== claims.tid || cached.conversationId !== claims.cid) {
      throw new AppError('invalid_session_token', 'The session token is not valid. Open a new session.');
    }
    return cached;
  }
  const generation = ctx.sessions.generation;
  const [row] = await readSession(ctx.kysely, { sessionId: claims.sid, tenantId: claims.tid });
  if (!row || row.session_conversation_id !== claims.cid) {
    throw new AppError('invalid_session_token', 'The session token is not valid. Open a new session.');
  }
  if (row.status !== 'active') throw new AppError('invalid_public_key', 'The widget key of this session was revoked.');
  if (row.session_revoked_at) throw new AppError('session_expired', 'The session was revoked. Open a new session.');
  const { session_id, session_conversation_id, session_customer_id, session_locale, session_revoked_at, ...key } = row;
  const session: ChatSession = {
    id: session_id,
    tenantId: claims.tid,
    conversationId: session_conversation_id,
    customerId: session_customer_id,
    locale: session_locale,
    key,
  };
  ctx.sessions.set(session, generation);
  return session;
}
