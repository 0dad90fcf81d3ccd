import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { RouteResult } from '../http/defineRoute.js';

export const SHARED_CACHE = 'public, max-age=60, stale-while-revalidate=300';
export const PRIVATE_CACHE = 'private, max-age=60';

/**
 * A cacheable read (DESIGN §9): the body is serialised here, once, so the strong ETag is the hash of exactly the
 * bytes sent; an If-None-Match naming it (or `*`) answers 304 with no body. The answer varies by Origin (CORS) and by
 * the public key (scope), so shared caches key on both.
 */
export function cacheableAnswer(
  request: FastifyRequest,
  body: unknown,
  options: { cacheControl: string; source: 'published' | 'live' },
): RouteResult {
  const text = JSON.stringify(body);
  const etag = `"${createHash('sha256').update(text).digest('base64url')}"`;
  const headers = {
    'cache-control': options.cacheControl,
    etag,
    vary: 'Origin, X-Comerix-Public-Key',
    'x-edge-source': options.source,
  };
  if (matchesEtag(request.headers['if-none-match'], etag)) return { status: 304, body: '', headers };
  return { status: 200, body: text, headers: { ...headers, 'content-type': 'application/json; charset=utf-8' } };
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/"x"` matches `"x"`. */
function matchesEtag(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const values = (Array.isArray(header) ? header.join(',') : header).split(',').map((v) => v.trim());
  return values.some((v) => v === '*' || v === etag || v === `W/${etag}`);
}
