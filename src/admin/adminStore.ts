import type { Kysely } from 'kysely';
import type { AdminRole, AdminUser, Database } from '../db/types.js';

// The SQL of admin users and their sessions, always scoped by tenant (login alone finds a user by email).

export async function insertAdminUser(
  db: Kysely<Database>,
  row: { id: string; tenantId: string; email: string; role: AdminRole; passwordHash: string },
): Promise<AdminUser> {
  return db
    .insertInto('admin_users')
    .values({
      id: row.id,
      tenant_id: row.tenantId,
      email: row.email,
      role: row.role,
      password_hash: row.passwordHash,
      locked_until: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findAdminUserByEmail(db: Kysely<Database>, email: string): Promise<AdminUser | undefined> {
  return db.selectFrom('admin_users').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function findAdminUser(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<AdminUser | undefined> {
  const q = db.selectFrom('admin_users').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  return (options.lock ? q.forUpdate() : q).executeTakeFirst();
}

export async function listAdminUsers(db: Kysely<Database>, tenantId: string): Promise<AdminUser[]> {
  return db.selectFrom('admin_users').selectAll().where('tenant_id', '=', tenantId).orderBy('email').execute();
}

/**
 * Counts a failed login, conditional on the count it read (a concurrent failure makes this a no-op, and the caller
 * reads again): the tenth in a row locks the account until `lockUntil` and starts the count again.
 */
export async function countFailedLogin(
  db: Kysely<Database>,
  user: Pick<AdminUser, 'id' | 'failed_logins'>,
  now: Date,
  lockAfter: number,
  lockUntil: Date,
): Promise<boolean> {
  const locks = user.failed_logins + 1 >= lockAfter;
  const result = await db
    .updateTable('admin_users')
    .set({
      failed_logins: locks ? 0 : user.failed_logins + 1,
      ...(locks ? { locked_until: lockUntil } : {}),
      updated_at: now,
    })
    .where('id', '=', user.id)
    .where('failed_logins', '=', user.failed_logins)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function clearFailedLogins(db: Kysely<Database>, userId: string, now: Date): Promise<void> {
  await db
    .updateTable('admin_users')
    .set({ failed_logins: 0, locked_until: null, updated_at: now })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('failed_logins', '>', 0), eb('locked_until', 'is not', null)]))
    .execute();
}

export async function setAdminPassword(
  db: Kysely<Database>,
  tenantId: string,
  userId: string,
  passwordHash: string,
): Promise<AdminUser | undefined> {
  return db
    .updateTable('admin_users')
    .set({ password_hash: passwordHash, failed_logins: 0, locked_until: null, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .returningAll()
    .executeTakeFirst();
}

/** Changes a role only from the one the caller saw (a race is a no-op: undefined). */
export async function setAdminRole(
  db: Kysely<Database>,
  tenantId: string,
  userId: string,
  from: AdminRole,
  to: AdminRole,
): Promise<AdminUser | undefined> {
  return db
    .updateTable('admin_users')
    .set({ role: to, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .where('role', '=', from)
    .returningAll()
    .executeTakeFirst();
}

export async function countOwners(db: Kysely<Database>, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('admin_users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertAdminSession(
  db: Kysely<Database>,
  row: { id: string; tenantId: string; userId: string; tokenHash: string; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('admin_sessions')
    .values({
      id: row.id,
      tenant_id: row.tenantId,
      user_id: row.userId,
      token_hash: row.tokenHash,
      expires_at: row.expiresAt,
      revoked_at: null,
    })
    .execute();
}

/** The live session of a cookie, with its user's role (read each request: a role change applies at once). */
export async function findLiveAdminSession(db: Kysely<Database>, tokenHash: string, now: Date) {
  return db
    .selectFrom('admin_sessions as s')
    .innerJoin('admin_users as u', (j) => j.onRef('u.id', '=', 's.user_id').onRef('u.tenant_id', '=', 's.tenant_id'))
    .select(['s.id as sessionId', 's.tenant_id as tenantId', 'u.id as userId', 'u.email', 'u.role'])
    .where('s.token_hash', '=', tokenHash)
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', now)
    .executeTakeFirst();
}

/** Ends sessions: one (logout, rotation at login) or all of a user's (password reset). */
export async function revokeAdminSessions(
  db: Kysely<Database>,
  tenantId: string,
  where: { sessionId: string } | { userId: string },
  now: Date,
): Promise<number> {
  let q = db
    .updateTable('admin_sessions')
    .set({ revoked_at: now })
    .where('tenant_id', '=', tenantId)
    .where('revoked_at', 'is', null);
  q = 'sessionId' in where ? q.where('id', '=', where.sessionId) : q.where('user_id', '=', where.userId);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Deletes a user only in the role the caller saw (a concurrent role change makes it a no-op); sessions cascade. */
export async function deleteAdminUser(
  db: Kysely<Database>,
  tenantId: string,
  userId: string,
  role: AdminRole,
): Promise<AdminUser | undefined> {
  return db
    .deleteFrom('admin_users')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .where('role', '=', role)
    .returningAll()
    .executeTakeFirst();
}
