import { defineRoute } from '../../http/defineRoute.js';
import { openSessionRequest, openSessionResponse } from '../../wire/chatSchemas.js';
import { openSession, replaySession } from '../openSession.js';
import { CHAT_BASE, idempotencyHeader, originHeader } from './sessionRouteErrors.js';

export const openSessionRoute = defineRoute({
  method: 'POST',
  path: `${CHAT_BASE}/sessions`,
  operationId: 'openSession',
  summary: 'Open a chat session',
  description:
    'Exchanges a public widget key for a session token and the intents the widget may trigger (allowed ∩ published). Pass conversationId + conversationToken to continue an earlier conversation.',
  tags: ['Chat'],
  auth: 'publicKey',
  limits: { rate: ['sessions_per_ip', 'sessions_per_public_key'] },
  cors: true,
  body: openSessionRequest,
  headers: [originHeader, idempotencyHeader],
  response: { status: 201, description: 'Session opened', schema: openSessionResponse },
  errors: [
    'invalid_request',
    'invalid_public_key',
    'origin_not_allowed',
    'not_found',
    'validation_failed',
    'idempotency_key_reused',
    'idempotency_in_progress',
    'payload_too_large',
    'unsupported_media_type',
  ],
  // Every visitor of a widget shares its public key: a record is one customer's, and holds no token.
  idempotent: {
    scope: (_key, body) => {
      const customerId = (body as { customerId?: unknown } | null)?.customerId;
      return `customer:${typeof customerId === 'string' ? customerId : ''}`;
    },
    replay: replaySession,
  },
  handler: async ({ ctx, auth, body, origin, receipt }) => {
    const session = await openSession(ctx, auth, body, origin, receipt);
    ctx.meter.count(auth.tenant_id, auth.id, 'session');
    return { status: 201, body: session };
  },
});
