import type {} from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import type { AdminAuth } from '../../admin/adminAuthTypes.js';
import { roleAtLeast } from '../../admin/adminAuthTypes.js';
import { findLiveAdminSession } from '../../admin/adminStore.js';
import { ADMIN_COOKIE, hashSessionToken, isCsrfToken } from '../../admin/adminUserService.js';
import type { AppContext } from '../../app/AppContext.js';
import type { AdminRole } from '../../db/types.js';
import { AppError } from '../../errors/AppError.js';

export const CSRF_HEADER = 'x-csrf-token';

/**
 * The admin session of the request's cookie, found by the SHA-256 of its value (no comparison of secrets); missing,
 * unknown, expired and revoked sessions get the same 401. Then, for anything but a GET, the session's CSRF token in
 * `X-CSRF-Token` (403 `csrf_failed`), then the route's minimum role (403 `forbidden`).
 */
export async function adminAuth(
  ctx: AppContext,
  request: FastifyRequest,
  method: string,
  minimum: AdminRole,
): Promise<AdminAuth> {
  const token = request.cookies?.[ADMIN_COOKIE];
  const found =
    token && token.length <= 128
      ? await findLiveAdminSession(ctx.kysely, hashSessionToken(token), ctx.clock())
      : undefined;
  if (!found) throw new AppError('unauthenticated', 'Log in: no admin session, or it expired or was ended.');
  if (method !== 'GET') {
    const sent = request.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !isCsrfToken(ctx, found.sessionId, sent)) {
      throw new AppError('csrf_failed', 'Send the X-CSRF-Token header of this session with every change.');
    }
  }
  if (!roleAtLeast(found.role, minimum)) {
    throw new AppError('forbidden', `This needs the ${minimum} role.`, { requiredRole: minimum });
  }
  return found;
}
