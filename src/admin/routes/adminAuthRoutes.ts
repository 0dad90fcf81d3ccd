import type { FastifyReply } from 'fastify';
import type { AppContext } from '../../app/AppContext.js';
import { AppError } from '../../errors/AppError.js';
import { defineRoute } from '../../http/defineRoute.js';
import { loginAnswer, loginBody } from '../../wire/adminSchemas.js';
import { findAdminUser } from '../adminStore.js';
import { ADMIN_COOKIE, adminUserView, csrfToken, login, logout } from '../adminUserService.js';
import { ADMIN_BASE, ADMIN_READ_ERRORS, ADMIN_WRITE_ERRORS, NO_STORE } from './adminRouteErrors.js';

function cookieOptions(ctx: AppContext) {
  return {
    path: ADMIN_BASE,
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: ctx.config.publicUrl.startsWith('https:'),
  };
}

function setSessionCookie(ctx: AppContext, reply: FastifyReply, value: string, expires: Date): void {
  reply.setCookie(ADMIN_COOKIE, value, { ...cookieOptions(ctx), expires });
}

export const loginRoute = defineRoute({
  method: 'POST',
  path: `${ADMIN_BASE}/auth/login`,
  operationId: 'adminLogin',
  summary: 'Log in to the admin API',
  description:
    'Checks the email and password and sets the session cookie `comerix_admin` (HttpOnly, SameSite=Lax, Secure behind HTTPS; a new session at every login, and the one sent with the request is ended). The answer carries the CSRF token to send as `X-CSRF-Token` with every change. Ten failed logins in a row lock the account for 15 minutes: 429 `rate_limited` with `Retry-After`, even for the right password.',
  tags: ['Admin'],
  auth: 'none',
  body: loginBody,
  // Per client IP, on top of the account lockout: guessing across many accounts from one address is limited too.
  limits: { rate: ['admin_logins_per_ip'] },
  response: { status: 200, description: 'Logged in', schema: loginAnswer },
  errors: ['invalid_request', 'unauthenticated', 'rate_limited'],
  handler: async ({ ctx, request, reply, body }) => {
    const result = await login(ctx, {
      email: body.email,
      password: body.password,
      previousToken: request.cookies?.[ADMIN_COOKIE],
    });
    setSessionCookie(ctx, reply, result.token, result.expiresAt);
    return {
      status: 200,
      body: {
        user: result.user,
        tenantId: result.tenantId,
        csrfToken: result.csrfToken,
        expiresAt: result.expiresAt.toISOString(),
      },
      headers: NO_STORE,
    };
  },
});

export const logoutRoute = defineRoute({
  method: 'POST',
  path: `${ADMIN_BASE}/auth/logout`,
  operationId: 'adminLogout',
  summary: 'Log out: end this session',
  tags: ['Admin'],
  auth: 'admin',
  role: 'viewer',
  response: { status: 204, description: 'Logged out' },
  errors: ADMIN_WRITE_ERRORS,
  handler: async ({ ctx, auth, reply }) => {
    await logout(ctx, auth);
    reply.clearCookie(ADMIN_COOKIE, cookieOptions(ctx));
    return { status: 204, body: undefined, headers: NO_STORE };
  },
});

export const meRoute = defineRoute({
  method: 'GET',
  path: `${ADMIN_BASE}/me`,
  operationId: 'adminMe',
  summary: 'The logged-in user and the CSRF token of this session',
  tags: ['Admin'],
  auth: 'admin',
  response: { status: 200, description: 'The user', schema: loginAnswer.omit({ expiresAt: true }) },
  errors: ADMIN_READ_ERRORS,
  handler: async ({ ctx, auth }) => {
    const user = await findAdminUser(ctx.kysely, auth.tenantId, auth.userId);
    if (!user) throw new AppError('unauthenticated', 'The user of this session is gone.');
    return {
      status: 200,
      body: {
        user: adminUserView(user),
        tenantId: auth.tenantId,
        csrfToken: csrfToken(ctx, auth.sessionId),
      },
      headers: NO_STORE,
    };
  },
});
