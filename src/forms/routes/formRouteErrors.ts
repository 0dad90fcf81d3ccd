import type { ErrorCode } from '../../errors/catalog.js';

export const PUBLIC_BASE = '/api/public/v1';

/** What a route authenticated by a public key answers before its own checks (DESIGN §4 precedence). */
export const PUBLIC_KEY_ROUTE_ERRORS: ErrorCode[] = ['invalid_request', 'invalid_public_key', 'origin_not_allowed'];

export const publicKeyHeaders = [
  { name: 'X-Comerix-Public-Key', description: 'The public widget key (or ?publicKey=, or a publicKey body field).' },
  {
    name: 'Origin',
    description:
      "When sent, must be one of the key's allowedOrigins (POSTs need it unless the key allows server-side callers).",
  },
];

export const ifNoneMatchHeader = {
  name: 'If-None-Match',
  description: 'The ETag of a copy you hold: 304 with no body when it is still current.',
};
