import type { AppContext } from '../app/AppContext.js';
import { AppError } from '../errors/AppError.js';
import { revokeSessions } from '../sessions/revokeSessions.js';
import { sessionExists } from '../sessions/sessionStore.js';
import { type AdminAuth, adminActor } from './adminAuthTypes.js';

/** Revokes a session of the admin's tenant; another tenant's session (or none) is `not_found`. */
export async function revokeSessionAsAdmin(ctx: AppContext, auth: AdminAuth, sessionId: string): Promise<number> {
  if (!(await sessionExists(ctx.kysely, auth.tenantId, sessionId))) throw new AppError('not_found', 'No such session.');
  return revokeSessions(ctx, auth.tenantId, { sessionId }, adminActor(auth));
}
