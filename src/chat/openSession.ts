import type { AppContext } from '../app/AppContext.js';
import { json } from '../db/json.js';
import { newId } from '../db/newId.js';
import type { PublicKey } from '../db/types.js';
import { AppError } from '../errors/AppError.js';
import { toSeconds } from '../executions/turnResponse.js';
import { publishedIntents } from '../flows/flowService.js';
import { keyAllowsIntent } from '../keys/widgetKeyService.js';
import { conversationToken, isConversationToken } from '../security/derivedTokens.js';
import { signSessionToken } from '../security/sessionToken.js';
import type { OpenSessionRequest, OpenSessionResponse } from '../wire/chatSchemas.js';
import { applyVariables } from './conversationVariables.js';

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
): Promise<OpenSessionResponse> {
  const notFound = () => new AppError('not_found', 'No such conversation for this key and customer.');
  if (request.conversationToken !== undefined && request.conversationId === undefined) {
    throw new AppError('invalid_request', 'conversationToken needs conversationId');
  }
  const now = new Date();
  const expiresAt = new Date(Math.floor(now.getTime() / 1000 + key.session_ttl_seconds) * 1000);

  const { conversationId, sessionId } = await ctx.kysely.transaction().execute(async (trx) => {
    let conversationId: string;
    if (request.conversationId !== undefined) {
      if (
        !request.conversationToken ||
        !isConversationToken(ctx.secrets, request.conversationId, request.conversationToken)
      ) {
        throw notFound();
      }
      const conversation = await trx
        .selectFrom('conversations')
        .select(['id', 'variables'])
        .where('id', '=', request.conversationId)
        .where('tenant_id', '=', key.tenant_id)
        .where('public_key_id', '=', key.id)
        .where('customer_id', '=', request.customerId)
        .forUpdate()
        .executeTakeFirst();
      if (!conversation) throw notFound();
      conversationId = conversation.id;
      if (request.variables !== undefined) {
        const { variables, issues } = applyVariables(conversation.variables, request.variables);
        if (issues.length > 0) throw AppError.validation(issues, 'The variables break a bound.');
        await trx
          .updateTable('conversations')
          .set({ variables: json(variables), updated_at: now })
          .where('id', '=', conversationId)
          .execute();
      }
    } else {
      const { variables, issues } =
        request.variables === undefined ? { variables: {}, issues: [] } : applyVariables({}, request.variables);
      if (issues.length > 0) throw AppError.validation(issues, 'The variables break a bound.');
      conversationId = newId();
      await trx
        .insertInto('conversations')
        .values({
          id: conversationId,
          tenant_id: key.tenant_id,
          public_key_id: key.id,
          customer_id: request.customerId,
          variables: json(variables),
        })
        .execute();
    }
    const sessionId = newId();
    await trx
      .insertInto('sessions')
      .values({
        id: sessionId,
        tenant_id: key.tenant_id,
        public_key_id: key.id,
        conversation_id: conversationId,
        customer_id: request.customerId,
        origin,
        locale: request.locale ?? null,
        expires_at: expiresAt,
      })
      .execute();
    return { conversationId, sessionId };
  });

  const intents = (await publishedIntents(ctx, key.tenant_id)).filter((i) => keyAllowsIntent(key, i.name));
  return {
    sessionToken: signSessionToken(ctx.secrets, {
      tid: key.tenant_id,
      sid: sessionId,
      cid: conversationId,
      exp: Math.floor(expiresAt.getTime() / 1000),
    }),
    conversationId,
    conversationToken: conversationToken(ctx.secrets, conversationId),
    expiresAt: toSeconds(expiresAt),
    widget: { label: key.widget_label ?? key.label },
    intents,
  };
}
