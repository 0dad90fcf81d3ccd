import { createHash, randomBytes } from 'node:crypto';
import type { AppContext } from '../app/AppContext.js';
import { recordAudit } from '../audit/recordAudit.js';
import { newId } from '../db/newId.js';
import { dbErrorKind } from '../db/sqlState.js';
import type { AdminRole, AdminUser } from '../db/types.js';
import { AppError } from '../errors/AppError.js';
import { safeEqual } from '../security/secrets.js';
import type { AdminAuth } from './adminAuthTypes.js';
import {
  clearFailedLogins,
  countFailedLogin,
  countOwners,
  deleteAdminUser,
  findAdminUser,
  findAdminUserByEmail,
  insertAdminSession,
  insertAdminUser,
  listAdminUsers,
  revokeAdminSessions,
  setAdminPassword,
  setAdminRole,
} from './adminStore.js';
import { decoyHash, hashPassword, verifyPassword } from './passwordHash.js';

export const ADMIN_COOKIE = 'comerix_admin';
export const ADMIN_SESSION_MS = 12 * 60 * 60 * 1000;
export const LOCK_AFTER_FAILURES = 10;
export const LOCK_MS = 15 * 60 * 1000;
export const MIN_PASSWORD_LENGTH = 12;

/** An admin user as the API and the CLI show it (never its hash or lockout counters). */
export interface AdminUserView {
  id: string;
  email: string;
  role: AdminRole;
  createdAt: string;
}

export function adminUserView(user: AdminUser): AdminUserView {
  return { id: user.id, email: user.email, role: user.role, createdAt: user.created_at.toISOString() };
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > 1024) {
    throw AppError.validation([
      { path: 'password', rule: 'length', message: `between ${MIN_PASSWORD_LENGTH} and 1024 characters` },
    ]);
  }
}

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The CSRF token of a session: derived, so nothing more is stored, and useless with any other session. */
export function csrfToken(ctx: AppContext, sessionId: string): string {
  return ctx.secrets.mac('admin-csrf', sessionId).toString('base64url');
}

export function isCsrfToken(ctx: AppContext, sessionId: string, token: string): boolean {
  return safeEqual(token, csrfToken(ctx, sessionId));
}

/** Creates an admin user (CLI `admin:create`, the demo seed, an owner through the API). */
export async function createAdminUser(
  ctx: AppContext,
  input: { tenantId: string; email: string; role: AdminRole; password: string; actor: string },
): Promise<AdminUser> {
  checkPassword(input.password);
  const email = normalizeEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  try {
    return await ctx.kysely.transaction().execute(async (trx) => {
      const user = await insertAdminUser(trx, {
        id: newId(),
        tenantId: input.tenantId,
        email,
        role: input.role,
        passwordHash,
      });
      await recordAudit(trx, {
        tenantId: input.tenantId,
        actor: input.actor,
        action: 'admin_user.create',
        target: user.id,
        after: adminUserView(user),
      });
      return user;
    });
  } catch (error) {
    if (dbErrorKind(error) === 'unique_violation') {
      throw AppError.validation([{ path: 'email', rule: 'unique', message: 'an admin user has this email' }]);
    }
    throw error;
  }
}

/** Sets a new password and ends the user's sessions (CLI `admin:reset-password`). */
export async function resetAdminPassword(
  ctx: AppContext,
  input: { tenantId: string; email: string; password: string; actor: string },
): Promise<AdminUser> {
  checkPassword(input.password);
  const passwordHash = await hashPassword(input.password);
  return ctx.kysely.transaction().execute(async (trx) => {
    const found = await findAdminUserByEmail(trx, normalizeEmail(input.email));
    const user = found && found.tenant_id === input.tenantId ? found : undefined;
    if (!user) throw new AppError('not_found', 'No admin user of this tenant has this email.');
    const updated = await setAdminPassword(trx, input.tenantId, user.id, passwordHash);
    if (!updated) throw new AppError('not_found', 'No admin user of this tenant has this email.');
    await revokeAdminSessions(trx, input.tenantId, { userId: user.id }, ctx.clock());
    await recordAudit(trx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'admin_user.reset_password',
      target: user.id,
    });
    return updated;
  });
}

export interface LoginResult {
  user: AdminUserView;
  tenantId: string;
  /** The cookie's value: shown once, stored only as its hash. */
  token: string;
  sessionId: string;
  csrfToken: string;
  expiresAt: Date;
}

/**
 * Checks an email and password. A locked account answers 429 `rate_limited` whatever the password; ten failures in
 * a row lock it for 15 minutes. A successful login always makes a new session (rotation) and ends the one the
 * caller came with, if any.
 */
export async function login(
  ctx: AppContext,
  input: { email: string; password: string; previousToken?: string | undefined },
): Promise<LoginResult> {
  const now = ctx.clock();
  const email = normalizeEmail(input.email);
  let user = await findAdminUserByEmail(ctx.kysely, email);
  if (!user) {
    await verifyPassword(input.password, await decoyHash());
    throw new AppError('unauthenticated', 'The email or password is wrong.');
  }
  assertNotLocked(user, now);
  const ok = await verifyPassword(input.password, user.password_hash);
  if (!ok) {
    // Another failure may have counted meanwhile: count on the row as it is now.
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await countFailedLogin(ctx.kysely, user, now, LOCK_AFTER_FAILURES, new Date(now.getTime() + LOCK_MS))) {
        break;
      }
      const fresh = await findAdminUser(ctx.kysely, user.tenant_id, user.id);
      if (!fresh) break;
      user = fresh;
      assertNotLocked(user, now);
    }
    throw new AppError('unauthenticated', 'The email or password is wrong.');
  }
  const token = randomBytes(32).toString('base64url');
  const sessionId = newId();
  const expiresAt = new Date(now.getTime() + ADMIN_SESSION_MS);
  const tenantId = user.tenant_id;
  const userId = user.id;
  await ctx.kysely.transaction().execute(async (trx) => {
    await clearFailedLogins(trx, userId, now);
    if (input.previousToken) await revokePreviousSession(trx, tenantId, input.previousToken, now);
    await insertAdminSession(trx, { id: sessionId, tenantId, userId, tokenHash: hashSessionToken(token), expiresAt });
    await recordAudit(trx, { tenantId, actor: `admin:${userId}`, action: 'admin_session.login', target: sessionId });
  });
  return { user: adminUserView(user), tenantId, token, sessionId, csrfToken: csrfToken(ctx, sessionId), expiresAt };
}

async function revokePreviousSession(
  trx: Parameters<typeof recordAudit>[0],
  tenantId: string,
  previousToken: string,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('admin_sessions')
    .set({ revoked_at: now })
    .where('tenant_id', '=', tenantId)
    .where('token_hash', '=', hashSessionToken(previousToken))
    .where('revoked_at', 'is', null)
    .execute();
}

function assertNotLocked(user: AdminUser, now: Date): void {
  if (user.locked_until && user.locked_until > now) {
    const seconds = Math.ceil((user.locked_until.getTime() - now.getTime()) / 1000);
    throw new AppError(
      'rate_limited',
      'Too many failed logins: the account is locked for a while.',
      { retryAfterSeconds: seconds },
      { 'retry-after': String(seconds) },
    );
  }
}

export async function logout(ctx: AppContext, auth: AdminAuth): Promise<void> {
  await ctx.kysely.transaction().execute(async (trx) => {
    await revokeAdminSessions(trx, auth.tenantId, { sessionId: auth.sessionId }, ctx.clock());
    await recordAudit(trx, {
      tenantId: auth.tenantId,
      actor: `admin:${auth.userId}`,
      action: 'admin_session.logout',
      target: auth.sessionId,
    });
  });
}

export async function listUsers(ctx: AppContext, tenantId: string): Promise<AdminUserView[]> {
  return (await listAdminUsers(ctx.kysely, tenantId)).map(adminUserView);
}

/** Changes a user's role; a tenant always keeps at least one owner. */
export async function changeRole(
  ctx: AppContext,
  auth: AdminAuth,
  userId: string,
  role: AdminRole,
): Promise<AdminUserView> {
  return ctx.kysely.transaction().execute(async (trx) => {
    const user = await findAdminUser(trx, auth.tenantId, userId, { lock: true });
    if (!user) throw new AppError('not_found', 'No such admin user.');
    if (user.role === role) return adminUserView(user);
    if (user.role === 'owner') {
      // Locks the tenant's owners so two demotions cannot both see another owner left.
      await trx
        .selectFrom('admin_users')
        .select('id')
        .where('tenant_id', '=', auth.tenantId)
        .where('role', '=', 'owner')
        .forUpdate()
        .execute();
      if ((await countOwners(trx, auth.tenantId)) <= 1) {
        throw AppError.validation([{ path: 'role', rule: 'last_owner', message: 'a tenant keeps at least one owner' }]);
      }
    }
    const updated = await setAdminRole(trx, auth.tenantId, userId, user.role, role);
    if (!updated) throw new AppError('not_found', 'No such admin user.');
    await recordAudit(trx, {
      tenantId: auth.tenantId,
      actor: `admin:${auth.userId}`,
      action: 'admin_user.role',
      target: userId,
      before: adminUserView(user),
      after: adminUserView(updated),
    });
    return adminUserView(updated);
  });
}

/**
 * Removes an admin user from the tenant (their sessions end with them). A tenant keeps at least one owner, and an
 * admin cannot remove themselves: the panel would lose its own session mid-screen (another owner does it).
 */
export async function removeAdminUser(ctx: AppContext, auth: AdminAuth, userId: string): Promise<void> {
  await ctx.kysely.transaction().execute(async (trx) => {
    const user = await findAdminUser(trx, auth.tenantId, userId, { lock: true });
    if (!user) throw new AppError('not_found', 'No such admin user.');
    if (user.id === auth.userId) {
      throw AppError.validation([{ path: 'id', rule: 'self', message: 'another owner must remove you' }]);
    }
    if (user.role === 'owner') {
      // Locks the tenant's owners so two removals cannot both see another owner left.
      await trx
        .selectFrom('admin_users')
        .select('id')
        .where('tenant_id', '=', auth.tenantId)
        .where('role', '=', 'owner')
        .forUpdate()
        .execute();
      if ((await countOwners(trx, auth.tenantId)) <= 1) {
        throw AppError.validation([{ path: 'id', rule: 'last_owner', message: 'a tenant keeps at least one owner' }]);
      }
    }
    const removed = await deleteAdminUser(trx, auth.tenantId, userId, user.role);
    if (!removed) throw new AppError('not_found', 'No such admin user.');
    await recordAudit(trx, {
      tenantId: auth.tenantId,
      actor: `admin:${auth.userId}`,
      action: 'admin_user.remove',
      target: userId,
      before: adminUserView(user),
      after: null,
    });
  });
}
