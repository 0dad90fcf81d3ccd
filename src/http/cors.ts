import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database, PublicKey } from '../db/types.js';
import { AppError } from '../errors/AppError.js';
import { activeKeyOrigins, findActiveKey } from '../keys/keyStore.js';
import { normalizeOrigin } from '../keys/normalizeOrigin.js';
import { sendError } from './errorHandler.js';

export const ALLOWED_HEADERS =
  'Authorization, Content-Type, Idempotency-Key, X-Comerix-Public-Key, If-None-Match, Last-Event-ID';
export const EXPOSED_HEADERS =
  'ETag, X-Edge-Source, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-Request-Id, Idempotency-Replayed';
const ORIGIN_SET_TTL_MS = 30_000;

/**
 * CORS for the public API, decided per widget key. Allowed responses echo the exact origin (never `*`, no
 * credentials); a refused origin gets 403 with no CORS headers at all, so a browser never lets page JS read it.
 */
export class OriginPolicy {
  private cached?: { origins: Set<string>; at: number };
  constructor(private readonly kysely: Kysely<Database>) {}

  /** Keys changed (created, revoked): the preflight set is rebuilt on next use. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async anyKeyOrigins(): Promise<Set<string>> {
    if (this.cached && Date.now() - this.cached.at < ORIGIN_SET_TTL_MS) return this.cached.origins;
    const origins = await activeKeyOrigins(this.kysely);
    this.cached = { origins, at: Date.now() };
    return origins;
  }

  /**
   * Whether some active key allows the origin, answered from the cached set without a promise; undefined when the set
   * must be read first (at most every 30 s). Every request of the public API asks, before its body is parsed.
   */
  anyKeyAllows(origin: string): boolean | undefined {
    if (!this.cached || Date.now() - this.cached.at >= ORIGIN_SET_TTL_MS) return undefined;
    return this.cached.origins.has(origin);
  }

  /** Preflight: no body, no Authorization — decided from the Origin and the key in the URL, if any. */
  async preflightAllows(origin: string, publicKey: string | undefined): Promise<boolean> {
    if (publicKey) {
      const key = await findActiveKey(this.kysely, publicKey);
      return key?.allowed_origins.includes(origin) ?? false;
    }
    return (await this.anyKeyOrigins()).has(origin);
  }
}

export function originOf(request: FastifyRequest): string | undefined {
  const raw = request.headers.origin;
  return typeof raw === 'string' ? raw : undefined;
}

export function setCorsHeaders(reply: FastifyReply, origin: string): void {
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-expose-headers', EXPOSED_HEADERS);
  reply.header('vary', 'Origin');
}

/**
 * The actual request's origin check against its key. POSTs without an Origin (server-side code) need the key's
 * allowServerSide; GETs may omit it (browsers do on same-origin GETs), but one that is present must match.
 */
export function assertOrigin(
  request: FastifyRequest,
  reply: FastifyReply,
  key: Pick<PublicKey, 'allowed_origins' | 'allow_server_side'>,
): string | null {
  const raw = originOf(request);
  if (raw === undefined) {
    if (request.method === 'GET' || key.allow_server_side) return null;
    throw new AppError('origin_not_allowed', 'Requests without an Origin header are not allowed for this key.');
  }
  const origin = normalizeOrigin(raw);
  if (!origin || !key.allowed_origins.includes(origin)) {
    throw new AppError('origin_not_allowed', `The origin ${raw} is not allowed for this key.`);
  }
  setCorsHeaders(reply, raw);
  return origin;
}

export function installPreflight(app: FastifyInstance, policy: OriginPolicy): void {
  app.options('/api/public/*', async (request, reply) => {
    const raw = originOf(request);
    const origin = raw ? normalizeOrigin(raw) : undefined;
    const query = request.query as { publicKey?: unknown };
    const publicKey = typeof query.publicKey === 'string' ? query.publicKey : undefined;
    if (!raw || !origin || !(await policy.preflightAllows(origin, publicKey))) {
      return sendError(request, reply, new AppError('origin_not_allowed', 'This origin is not allowed.'));
    }
    setCorsHeaders(reply, raw);
    reply.header('access-control-allow-methods', 'GET, POST, OPTIONS');
    reply.header('access-control-allow-headers', ALLOWED_HEADERS);
    reply.header('access-control-max-age', '600');
    reply.header('vary', 'Origin, Access-Control-Request-Headers');
    return reply.code(204).send();
  });
}
