import type { ErrorCode } from '../../errors/catalog.js';

/** What any route authenticated by a session token can answer before its own checks. */
export const SESSION_ROUTE_ERRORS: ErrorCode[] = [
  'invalid_request',
  'invalid_session_token',
  'session_expired',
  'invalid_public_key',
  'origin_not_allowed',
];

export const CHAT_BASE = '/api/public/v1/chat';

export const idempotencyHeader = {
  name: 'Idempotency-Key',
  description:
    'Optional. The same key with the same body within 24 h replays the stored response. Use a new random key per logical attempt.',
};
export const originHeader = { name: 'Origin', description: "Must be one of the widget key's allowedOrigins." };
