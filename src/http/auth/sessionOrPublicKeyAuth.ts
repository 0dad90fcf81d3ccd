import type { FastifyRequest } from 'fastify';
import type { PublicKey } from '../../db/types.js';
import type { ChatSession } from '../../sessions/ChatSession.js';

/**
 * The caller of a route that takes either credential (client telemetry, DESIGN §10): a session token — the request
 * belongs to its conversation — or a public key, for what a widget reports before any session (anonymous).
 */
export type SessionOrPublicKey = { kind: 'session'; session: ChatSession } | { kind: 'publicKey'; key: PublicKey };

/** Whether the request names a public key anywhere `publicKeyAuth` looks (query, header, body). */
export function publicKeyGiven(request: FastifyRequest): boolean {
  const query = request.query as Record<string, unknown> | undefined;
  if (query?.publicKey !== undefined) return true;
  if (request.headers['x-comerix-public-key'] !== undefined) return true;
  const body = request.body as Record<string, unknown> | null | undefined;
  return typeof body === 'object' && body !== null && !Array.isArray(body) && body.publicKey !== undefined;
}
