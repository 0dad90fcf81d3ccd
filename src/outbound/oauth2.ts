import { createHash, randomUUID } from 'node:crypto';
import { OutboundError } from './OutboundError.js';
import { describeUrl, parseBaseUrl } from './requestUrl.js';
import { send } from './send.js';
import type { LookupAll } from './ssrfGuard.js';
import type { OutboundAuth, RetryOptions } from './types.js';

export type ClientCredentialsAuth = Extract<OutboundAuth, { type: 'oauth2_client_credentials' }>;

export interface AccessToken {
  accessToken: string;
  /** expires_in of the token response, when given. */
  expiresInSeconds?: number;
}

/** Without expires_in, a token is reused this long (a 401 still forces a new one). */
const DEFAULT_LIFETIME_SECONDS = 300;

/**
 * In-memory OAuth2 access tokens, reused until shortly before they expire (10% of their lifetime, at most 60 s
 * early). Concurrent callers share one token request. Keys are hashes, so no secret sits in the map's keys.
 */
export class OAuthTokenCache {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A cached token, or a new one from `fetch`; `cached` tells which. */
  async get(key: string, fetch: () => Promise<AccessToken>): Promise<{ token: string; cached: boolean }> {
    const hit = this.tokens.get(key);
    if (hit && hit.expiresAt > this.now()) return { token: hit.token, cached: true };
    this.tokens.delete(key);
    let request = this.pending.get(key);
    if (!request) {
      request = fetch()
        .then(({ accessToken, expiresInSeconds }) => {
          const lifetime = expiresInSeconds ?? DEFAULT_LIFETIME_SECONDS;
          const early = Math.min(60, lifetime * 0.1);
          const usable = (lifetime - early) * 1000;
          if (usable > 0) this.tokens.set(key, { token: accessToken, expiresAt: this.now() + usable });
          return accessToken;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, request);
    }
    return { token: await request, cached: false };
  }

  invalidate(key: string): void {
    this.tokens.delete(key);
  }

  clear(): void {
    this.tokens.clear();
  }
}

/** The process-wide cache used when a caller passes none. */
export const processTokenCache = new OAuthTokenCache();

/** Cache key: the connection plus everything that would change the token (a rotated secret gets a new token). */
export function tokenCacheKey(connectionId: string, auth: ClientCredentialsAuth): string {
  return createHash('sha256')
    .update(JSON.stringify([connectionId, auth.tokenUrl, auth.clientId, auth.clientSecret, auth.scope ?? null]))
    .digest('base64url');
}

/** `Basic` credentials of the client at the token endpoint (RFC 6749 §2.3.1: form-encode id and secret first). */
export function clientBasicCredentials(auth: ClientCredentialsAuth): string {
  const encode = (s: string) => new URLSearchParams({ s }).toString().slice(2);
  return Buffer.from(`${encode(auth.clientId)}:${encode(auth.clientSecret)}`).toString('base64');
}

export interface TokenRequestOptions {
  allowPrivateNetworks?: boolean;
  lookup?: LookupAll;
  signal?: AbortSignal;
  timeoutMs?: number;
  retry?: RetryOptions;
}

/** POSTs grant_type=client_credentials to the token URL through the same guarded client. */
export async function requestClientCredentialsToken(
  auth: ClientCredentialsAuth,
  options: TokenRequestOptions,
): Promise<AccessToken> {
  const url = parseBaseUrl(auth.tokenUrl);
  if (!url) {
    throw new OutboundError('invalid_url', 'the OAuth2 token URL is not an http(s) URL without credentials or query', {
      retryable: false,
    });
  }
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (auth.scope) form.set('scope', auth.scope);
  const basic = clientBasicCredentials(auth);
  if (auth.clientAuth === 'post') {
    form.set('client_id', auth.clientId);
    form.set('client_secret', auth.clientSecret);
  }
  const { raw } = await send({
    what: 'OAuth2 token request',
    method: 'POST',
    url,
    origin: url.origin,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      'user-agent': 'Comerix-Outbound/1',
      'idempotency-key': randomUUID(),
      ...(auth.clientAuth === 'post' ? {} : { authorization: `Basic ${basic}` }),
    },
    body: Buffer.from(form.toString()),
    auth: { headers: async () => ({}), secrets: () => [auth.clientSecret, basic] },
    ...options,
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const body = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  const invalid = (why: string) =>
    new OutboundError('invalid_response', `OAuth2 token request ${describeUrl(url)}: ${why}`, {
      retryable: false,
      status: raw.status,
    });
  if (typeof body.access_token !== 'string' || !body.access_token) throw invalid('the response has no access_token');
  if (/[\r\n]/.test(body.access_token) || !/^[\t\u0020-\u007e]+$/.test(body.access_token)) {
    throw invalid('the access_token is not usable in a header');
  }
  if (body.token_type !== undefined && String(body.token_type).toLowerCase() !== 'bearer') {
    throw invalid(`unsupported token_type (only bearer)`);
  }
  const expires = Number(body.expires_in);
  return {
    accessToken: body.access_token,
    ...(body.expires_in !== undefined && Number.isFinite(expires) && expires > 0 ? { expiresInSeconds: expires } : {}),
  };
}
