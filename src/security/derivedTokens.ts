import { type Secrets, safeEqual } from './secrets.js';

// Wait and conversation tokens are derived, never stored: verification recomputes them in constant time,
// so nothing secret sits in the database and any later poll or replay can return the same token.

export function waitToken(secrets: Secrets, waitId: string): string {
  return `wt_${secrets.mac('wait', waitId).toString('base64url')}`;
}

export function isWaitToken(secrets: Secrets, waitId: string, token: string): boolean {
  return safeEqual(token, waitToken(secrets, waitId));
}

export function conversationToken(secrets: Secrets, conversationId: string): string {
  return `ct_${secrets.mac('conversation', conversationId).toString('base64url')}`;
}

export function isConversationToken(secrets: Secrets, conversationId: string, token: string): boolean {
  return safeEqual(token, conversationToken(secrets, conversationId));
}
