import { type Kysely, sql } from 'kysely';
import { json } from '../db/json.js';
import { precompile } from '../db/precompile.js';
import type { Database, PublicKey } from '../db/types.js';
import type { JsonObject } from '../engine/types.js';

// The SQL of sessions and conversations: opening, reading for authentication, revoking.

/** A session row with its key's current row, as authentication reads it. */
export interface SessionRow {
  session_id: string;
  session_conversation_id: string;
  session_customer_id: string;
  session_locale: string | null;
  session_revoked_at: Date | null;
  /** A test session's draft snapshot (admin test pane), else null. */
  session_test_version_id: string | null;
  key: PublicKey;
}

const KEY_COLUMNS = [
  'id',
  'tenant_id',
  'key',
  'label',
  'widget_label',
  'allowed_origins',
  'allowed_intents',
  'allows_all_intents',
  'allowed_forms',
  'allows_all_forms',
  'allow_server_side',
  'session_ttl_seconds',
  'status',
  'created_at',
  'revoked_at',
  'rate_limits',
] as const satisfies readonly (keyof PublicKey)[];

/** `k.<column> as k_<column>` for every key column: reads that join a key beside other tables alias its columns. */
export const aliasedKeyColumns = KEY_COLUMNS.map((c) => `k.${c} as k_${c}` as const);
export const sessionColumns = [
  'cs.id as session_id',
  'cs.conversation_id as session_conversation_id',
  'cs.customer_id as session_customer_id',
  'cs.locale as session_locale',
  'cs.revoked_at as session_revoked_at',
  'cs.test_version_id as session_test_version_id',
] as const;

/**
 * The session and key of a joined read (`aliasedKeyColumns` + `sessionColumns`), or undefined when it found none.
 * (Kysely types aliased columns loosely, so the row is taken as the read returned it and its columns named here.)
 */
export function sessionRowOf(row: object): SessionRow | undefined {
  const r = row as Record<string, unknown>;
  if (r.session_id == null || r.k_id == null) return undefined;
  const key = Object.fromEntries(KEY_COLUMNS.map((c) => [c, r[`k_${c}`]])) as unknown as PublicKey;
  return {
    session_id: r.session_id as string,
    session_conversation_id: r.session_conversation_id as string,
    session_customer_id: r.session_customer_id as string,
    session_locale: (r.session_locale as string | null) ?? null,
    session_revoked_at: (r.session_revoked_at as Date | null) ?? null,
    session_test_version_id: (r.session_test_version_id as string | null) ?? null,
    key,
  };
}

const readSessionQuery = precompile(['sessionId', 'tenantId'], (db, v) =>
  db
    .selectFrom('sessions as cs')
    .innerJoin('public_keys as k', 'k.id', 'cs.public_key_id')
    .select([...aliasedKeyColumns, ...sessionColumns])
    .where('cs.id', '=', v.sessionId)
    .where('cs.tenant_id', '=', v.tenantId),
);

/** The session and its key's current row, or undefined. */
export async function readSession(
  db: Kysely<Database>,
  sessionId: string,
  tenantId: string,
): Promise<SessionRow | undefined> {
  const [row] = await readSessionQuery(db, { sessionId, tenantId });
  return row ? sessionRowOf(row) : undefined;
}

/** A conversation of this key and customer, locked for the session being opened on it. */
export async function lockConversation(
  db: Kysely<Database>,
  where: { id: string; tenantId: string; publicKeyId: string; customerId: string },
): Promise<{ id: string; variables: JsonObject } | undefined> {
  return db
    .selectFrom('conversations')
    .select(['id', 'variables'])
    .where('id', '=', where.id)
    .where('tenant_id', '=', where.tenantId)
    .where('public_key_id', '=', where.publicKeyId)
    .where('customer_id', '=', where.customerId)
    .where('revoked_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

export async function setConversationVariables(
  db: Kysely<Database>,
  id: string,
  tenantId: string,
  variables: JsonObject,
  now: Date,
): Promise<void> {
  await db
    .updateTable('conversations')
    .set({ variables: json(variables), updated_at: now })
    .where('id', '=', id)
    .where('tenant_id', '=', tenantId)
    .execute();
}

export async function insertConversation(
  db: Kysely<Database>,
  row: { id: string; tenantId: string; publicKeyId: string; customerId: string; variables: JsonObject },
): Promise<void> {
  await db
    .insertInto('conversations')
    .values({
      id: row.id,
      tenant_id: row.tenantId,
      public_key_id: row.publicKeyId,
      customer_id: row.customerId,
      variables: json(row.variables),
    })
    .execute();
}

export async function insertSession(
  db: Kysely<Database>,
  row: {
    id: string;
    tenantId: string;
    publicKeyId: string;
    conversationId: string;
    customerId: string;
    origin: string | null;
    locale: string | null;
    expiresAt: Date;
    testVersionId?: string;
  },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id: row.id,
      tenant_id: row.tenantId,
      public_key_id: row.publicKeyId,
      conversation_id: row.conversationId,
      customer_id: row.customerId,
      origin: row.origin,
      locale: row.locale,
      expires_at: row.expiresAt,
      ...(row.testVersionId ? { test_version_id: row.testVersionId } : {}),
    })
    .execute();
}

/** Which sessions to revoke: one session (with its conversation), one conversation, or every one of a customer. */
export type RevokeTarget = { sessionId: string } | { conversationId: string } | { customerId: string };

/**
 * Revokes the conversations the target names and every session on them, in one transaction; returns how many
 * sessions were revoked (already revoked ones not counted).
 */
export async function revokeSessionRows(
  db: Kysely<Database>,
  tenantId: string,
  target: RevokeTarget,
  at: Date,
  /** Runs in the same transaction once something was revoked (the audit entry). */
  within?: (trx: Kysely<Database>, revoked: { sessions: number; conversations: number }) => Promise<void>,
): Promise<{ sessions: number; conversations: number }> {
  return db.transaction().execute(async (trx) => {
    let conversationIds: string[];
    if ('customerId' in target) {
      const rows = await trx
        .selectFrom('conversations')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('customer_id', '=', target.customerId)
        .execute();
      conversationIds = rows.map((r) => r.id);
    } else if ('conversationId' in target) {
      conversationIds = [target.conversationId];
    } else {
      const row = await trx
        .selectFrom('sessions')
        .select('conversation_id')
        .where('id', '=', target.sessionId)
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      conversationIds = row ? [row.conversation_id] : [];
    }
    if (conversationIds.length === 0) return { sessions: 0, conversations: 0 };
    const conversations = await trx
      .updateTable('conversations')
      .set({ revoked_at: at })
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', conversationIds)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    const sessions = await trx
      .updateTable('sessions')
      .set({ revoked_at: at })
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', 'in', conversationIds)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    const revoked = { sessions: Number(sessions.numUpdatedRows), conversations: Number(conversations.numUpdatedRows) };
    if (within && (revoked.sessions > 0 || revoked.conversations > 0)) await within(trx, revoked);
    return revoked;
  });
}

export async function sessionExists(db: Kysely<Database>, tenantId: string, sessionId: string): Promise<boolean> {
  const row = await db
    .selectFrom('sessions')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', sessionId)
    .executeTakeFirst();
  return row !== undefined;
}

/** A keyset position in a newest-first walk: `created_at` to the microsecond (text, UTC) and the row id. */
export interface KeysetPosition {
  at: string;
  id: string;
}

/** `created_at` to the microsecond, as the text a keyset cursor keeps (a JS Date would drop the microseconds). */
const createdKey = sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * One page of a customer's sessions, newest first, strictly after `after` in (created_at, id) descending order: an
 * index range of sessions_customer, so sessions opened meanwhile (newer than the walk's start) never shift a page.
 */
export async function listCustomerSessions(
  db: Kysely<Database>,
  where: { tenantId: string; customerId: string },
  after: KeysetPosition | undefined,
  limit: number,
) {
  let q = db
    .selectFrom('sessions')
    .select([
      'id',
      'conversation_id',
      'customer_id',
      'public_key_id',
      'origin',
      'locale',
      'created_at',
      'expires_at',
      'revoked_at',
      createdKey.as('created_key'),
    ])
    .where('tenant_id', '=', where.tenantId)
    .where('customer_id', '=', where.customerId);
  if (after) q = q.where(sql<boolean>`(created_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)`);
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** A conversation of the tenant, as the Engine API shows it; undefined for unknown and other tenants' ids alike. */
export async function readConversationRow(db: Kysely<Database>, tenantId: string, conversationId: string) {
  return db
    .selectFrom('conversations')
    .select(['id', 'customer_id', 'public_key_id', 'variables', 'created_at', 'updated_at', 'revoked_at'])
    .where('id', '=', conversationId)
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
}
