import type { AppContext } from '../../app/AppContext.js';
import type { PublicKey } from '../../db/types.js';
import { AppError } from '../../errors/AppError.js';
import { type SessionClaims, verifySessionToken } from '../../security/sessionToken.js';
import type { ChatSession } from '../../sessions/ChatSession.js';
import { readSession, type SessionRow } from '../../sessions/sessionStore.js';

export type { ChatSession };

/**
 * A request's session: the token is verified (signature, then expiry) before anything else; the session row —
 * revocation, its key's current status and origins — is verified from memory, by one read (`session()`), or from a
 * row a service read together with its own data (`verify`, the cold resume's one round trip).
 */
export interface SessionAuth {
  claims: SessionClaims;
  /** The verified session; reads its row unless this process remembers it. */
  session(): Promise<ChatSession>;
  /** Verifies a session row read by a service's own query (undefined: it found none). */
  verify(row: SessionRow | undefined): ChatSession;
  /** The session when already verified (remembered by this process, or verified earlier in this request). */
  readonly known: ChatSession | undefined;
}

const invalid = () => new AppError('invalid_session_token', 'The session token is not valid. Open a new session.');

/** `checkOrigin` applies the origin rules of the session's key (it throws `origin_not_allowed`). */
export function sessionAuth(
  ctx: AppContext,
  authorization: string | undefined,
  checkOrigin: (key: PublicKey) => void,
): SessionAuth {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match)
    throw new AppError('invalid_session_token', 'Send the session token as Authorization: Bearer <sessionToken>.');
  const claims = verifySessionToken(ctx.secrets, match[1]!);
  let known = ctx.sessions.get(claims.sid);
  if (known) {
    if (known.tenantId !== claims.tid || known.conversationId !== claims.cid) throw invalid();
    checkOrigin(known.key);
  }
  // A read that began before a change announcement must not refill the cache with what it saw.
  const generation = ctx.sessions.generation;
  const verify = (row: SessionRow | undefined): ChatSession => {
    if (!row || row.session_conversation_id !== claims.cid) throw invalid();
    if (row.key.status !== 'active')
      throw new AppError('invalid_public_key', 'The widget key of this session was revoked.');
    // Revoked is final: never `session_expired`, which a client answers by renewing the session.
    if (row.session_revoked_at) {
      throw new AppError('invalid_session_token', 'This session was revoked. Open a new conversation.');
    }
    checkOrigin(row.key);
    const session: ChatSession = {
      id: row.session_id,
      tenantId: claims.tid,
      conversationId: row.session_conversation_id,
      customerId: row.session_customer_id,
      locale: row.session_locale,
      key: row.key,
      testVersionId: row.session_test_version_id,
    };
    ctx.sessions.set(session, generation);
    known = session;
    return session;
  };
  return {
    claims,
    verify,
    async session() {
      return known ?? verify(await readSession(ctx.kysely, claims.sid, claims.tid));
    },
    get known() {
      return known;
    },
  };
}
