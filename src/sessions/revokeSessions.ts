import type { AppContext } from '../app/AppContext.js';
import { recordAudit } from '../audit/recordAudit.js';
import { isUuid } from '../db/isUuid.js';
import { AppError } from '../errors/AppError.js';
import { type RevokeTarget, revokeSessionRows } from './sessionStore.js';

/**
 * Revokes sessions at once in every process (their caches drop on the change announcement): a revoked session
 * answers 401 `invalid_session_token`, and its conversation can no longer be continued with its conversationToken.
 * Revoking one session revokes its conversation, and so the conversation's other sessions: whoever held the session
 * could otherwise open a new one on the same conversation. Returns how many sessions were revoked.
 */
export async function revokeSessions(
  ctx: AppContext,
  tenantId: string,
  target: RevokeTarget,
  actor = 'cli',
): Promise<number> {
  const id = 'sessionId' in target ? target.sessionId : 'conversationId' in target ? target.conversationId : undefined;
  if (id !== undefined && !isUuid(id)) throw new AppError('not_found', 'no such session or conversation');
  if ('customerId' in target && !target.customerId) throw new AppError('invalid_request', 'customerId is empty');
  const what = normalized(target);
  const revoked = await revokeSessionRows(ctx.kysely, tenantId, what, new Date(), (trx, counts) =>
    recordAudit(trx, {
      tenantId,
      actor,
      action: 'session.revoke',
      target: 'sessionId' in what ? what.sessionId : 'conversationId' in what ? what.conversationId : what.customerId,
      after: counts,
    }),
  );
  await ctx.events.announce('sessions');
  return revoked.sessions;
}

function normalized(target: RevokeTarget): RevokeTarget {
  if ('sessionId' in target) return { sessionId: target.sessionId.toLowerCase() };
  if ('conversationId' in target) return { conversationId: target.conversationId.toLowerCase() };
  return target;
}
