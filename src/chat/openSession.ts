import type { AppContext } from '../app/AppContext.js';
import { applyVariables } from '../conversations/conversationVariables.js';
import { newId } from '../db/newId.js';
import type { PublicKey } from '../db/types.js';
import type { Json } from '../engine/types.js';
import { AppError } from '../errors/AppError.js';
import { toSeconds } from '../executions/turnResponse.js';
import { publishedIntents } from '../flows/flowService.js';
import type { Receipt } from '../idempotency/Receipt.js';
import { keyAllowsIntent } from '../keys/widgetKeyService.js';
import { conversationToken, isConversationToken } from '../security/derivedTokens.js';
import { signSessionToken } from '../security/sessionToken.js';
import {
  insertConversation,
  insertSession,
  lockConversation,
  setConversationVariables,
} from '../sessions/sessionStore.js';
import { emitWebhookEvent } from '../webhooks/emitWebhookEvent.js';
import type { OpenSessionRequest, OpenSessionResponse } from '../wire/chatSchemas.js';

/** A session open as its idempotency record keeps it: ids, never the tokens (they are signed again on replay). */
interface StoredSession {
  tenantId: string;
  sessionId: string;
  response: Omit<OpenSessionResponse, 'sessionToken' | 'conversationToken'>;
}

/**
 * Opens a session for a visitor: a new conversation, or an earlier one of the same key and customer when the
 * caller proves it holds that conversation's token (a key and a customerId alone never open someone's history).
 * The key and origin were checked by the route.
 */
export async function openSession(
  ctx: AppContext,
  key: PublicKey,
  request: OpenSessionRequest,
  origin: string | null,
  receipt?: Receipt,
): Promise<OpenSessionResponse> {
  const notFound = () => new AppError('not_found', 'No such conversation for this key and customer.');
  if (request.conversationToken !== undefined && request.conversationId === undefined) {
    throw new AppError('invalid_request', 'conversationToken needs conversationId');
  }
  const now = new Date();
  const expiresAt = new Date(Math.floor(now.getTime() / 1000 + key.session_ttl_seconds) * 1000);
  // Read before the transaction (PGlite has one connection): the answer is recorded inside it.
  const intents = (await publishedIntents(ctx, key.tenant_id)).filter((i) => keyAllowsIntent(key, i.name));
  const generation = ctx.sessions.generation;

  const stored = await ctx.kysely.transaction().execute(async (trx) => {
    let conversationId: string;
    if (request.conversationId !== undefined) {
      if (
        !request.conversationToken ||
        !isConversationToken(ctx.secrets, request.conversationId, request.conversationToken)
      ) {
        throw notFound();
      }
      const conversation = await lockConversation(trx, {
        id: request.conversationId,
        tenantId: key.tenant_id,
        publicKeyId: key.id,
        customerId: request.customerId,
      });
      if (!conversation) throw notFound();
      conversationId = conversation.id;
      if (request.variables !== undefined) {
        const { variables, issues } = applyVariables(conversation.variables, request.variables);
        if (issues.length > 0) throw AppError.validation(issues, 'The variables break a bound.');
        await setConversationVariables(trx, conversationId, key.tenant_id, variables, now);
      }
    } else {
      const { variables, issues } =
        request.variables === undefined ? { variables: {}, issues: [] } : applyVariables({}, request.variables);
      if (issues.length > 0) throw AppError.validation(issues, 'The variables break a bound.');
      conversationId = newId();
      await insertConversation(trx, {
        id: conversationId,
        tenantId: key.tenant_id,
        publicKeyId: key.id,
        customerId: request.customerId,
        variables,
      });
    }
    const sessionId = newId();
    await insertSession(trx, {
      id: sessionId,
      tenantId: key.tenant_id,
      publicKeyId: key.id,
      conversationId,
      customerId: request.customerId,
      origin,
      locale: request.locale ?? null,
      expiresAt,
    });
    await emitWebhookEvent(trx, ctx.webhooks, {
      tenantId: key.tenant_id,
      type: 'chat.session.created',
      occurredAt: now,
      data: {
        sessionId,
        conversationId,
        customerId: request.customerId,
        widgetKeyId: key.id,
        locale: request.locale ?? null,
        origin,
        resumed: request.conversationId !== undefined,
        createdAt: now.toISOString(),
      },
    });
    const session: StoredSession = {
      tenantId: key.tenant_id,
      sessionId,
      response: {
        conversationId,
        expiresAt: toSeconds(expiresAt),
        widget: { label: key.widget_label ?? key.label },
        intents,
      },
    };
    await receipt?.write(trx, 201, session as unknown as Json);
    return { session, conversationId, customerId: request.customerId, locale: request.locale ?? null };
  });
  // Remembered as sessionAuth would after a read: the first message then knows its key (and the key's rate limits)
  // without reading the row. Dropped like any entry when keys change.
  ctx.sessions.set(
    {
      id: stored.session.sessionId,
      tenantId: key.tenant_id,
      conversationId: stored.conversationId,
      customerId: stored.customerId,
      locale: stored.locale,
      key,
      testVersionId: null,
    },
    generation,
  );
  return withTokens(ctx, stored.session);
}

/** A recorded session open answered again: the same session, its tokens signed again. */
export function replaySession(ctx: AppContext, stored: { status: number; body: unknown }) {
  const session = stored.body as StoredSession | { error: unknown };
  if (!('sessionId' in session)) return stored;
  return { status: stored.status, body: withTokens(ctx, session) };
}

function withTokens(ctx: AppContext, stored: StoredSession): OpenSessionResponse {
  const { conversationId, expiresAt, widget, intents } = stored.response;
  return {
    sessionToken: signSessionToken(ctx.secrets, {
      tid: stored.tenantId,
      sid: stored.sessionId,
      cid: conversationId,
      exp: Math.floor(Date.parse(expiresAt) / 1000),
    }),
    conversationId,
    conversationToken: conversationToken(ctx.secrets, conversationId),
    expiresAt,
    widget,
    intents,
  };
}
