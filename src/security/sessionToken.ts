import { AppError } from '../errors/AppError.js';
import { type Secrets, safeEqual } from './secrets.js';

export interface SessionClaims {
  tid: string;
  sid: string;
  cid: string;
  kid: string;
  exp: number;
}

/** The signing key id new tokens use; older kids stay verifiable while listed here. */
export const CURRENT_KID = 's1';
const KNOWN_KIDS = new Set([CURRENT_KID]);

/**
 * Compact signed token: base64url(JSON payload, "tid" first) + "." + base64url(HMAC-SHA256).
 * The payload's first member is "tid", so every token starts with `eyJ0aWQi` (DESIGN §4).
 */
export function signSessionToken(secrets: Secrets, claims: Omit<SessionClaims, 'kid'>): string {
  const payload = JSON.stringify({
    tid: claims.tid,
    sid: claims.sid,
    cid: claims.cid,
    kid: CURRENT_KID,
    exp: claims.exp,
  });
  const body = Buffer.from(payload).toString('base64url');
  return `${body}.${secrets.mac(`session:${CURRENT_KID}`, body).toString('base64url')}`;
}

/** Signature first (constant time), then expiry: a tampered expired token is `invalid_session_token`. */
export function verifySessionToken(
  secrets: Secrets,
  token: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): SessionClaims {
  const invalid = () => new AppError('invalid_session_token', 'The session token is not valid. Open a new session.');
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.') || token.length > 1024) throw invalid();
  const body = token.slice(0, dot);
  const signature = token.slice(dot + 1);
  let claims: SessionClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionClaims;
  } catch {
    throw invalid();
  }
  if (typeof claims !== 'object' || claims === null || typeof claims.kid !== 'string' || !KNOWN_KIDS.has(claims.kid)) {
    throw invalid();
  }
  const expected = secrets.mac(`session:${claims.kid}`, body).toString('base64url');
  if (!safeEqual(signature, expected)) throw invalid();
  if (
    typeof claims.tid !== 'string' ||
    typeof claims.sid !== 'string' ||
    typeof claims.cid !== 'string' ||
    typeof claims.exp !== 'number'
  ) {
    throw invalid();
  }
  if (claims.exp <= nowSeconds) throw new AppError('session_expired', 'The session has expired. Open a new session.');
  return claims;
}
