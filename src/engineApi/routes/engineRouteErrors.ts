import type { ErrorCode } from '../../errors/catalog.js';

export const ENGINE_BASE = '/api/engine/v1';

/** What any route authenticated by a secret key can answer before its own checks. */
export const SECRET_KEY_ROUTE_ERRORS: ErrorCode[] = ['invalid_request', 'invalid_secret_key', 'forbidden'];

export const engineIdempotencyHeader = {
  name: 'Idempotency-Key',
  description:
    'Optional. The same key with the same body within 24 h replays the stored response (records are scoped to the secret key). Use a new random key per logical attempt.',
};
