import type { PublicKey } from '../db/types.js';
import type { SessionRow } from '../sessions/sessionStore.js';

/** Who runs a turn, as the executions service needs it: the session's ids and its key's current intent scope. */
export interface TurnCaller {
  /** The session. */
  id: string;
  tenantId: string;
  conversationId: string;
  locale: string | null;
  key: Pick<PublicKey, 'allows_all_intents' | 'allowed_intents'>;
  /** A test session's draft snapshot: its flow is the only one it may trigger, and its executions are marked test. */
  testVersionId?: string | null;
}

/**
 * A caller whose token was verified but whose session row was not yet: the service verifies the row it reads with
 * its own data (one round trip instead of two), or asks for it alone.
 */
export interface UnverifiedCaller {
  claims: { sid: string; tid: string; cid: string };
  /** Already verified (remembered by this process). */
  readonly known: TurnCaller | undefined;
  /** Verifies a session row read with the service's own query; throws the caller's auth errors. */
  verify(row: SessionRow | undefined): TurnCaller;
  /** Reads and verifies the session alone. */
  session(): Promise<TurnCaller>;
}
