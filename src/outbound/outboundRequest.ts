import { randomUUID } from 'node:crypto';
import { callerHeaders, checkHeader } from './headers.js';
import { OutboundError } from './OutboundError.js';
import {
  type ClientCredentialsAuth,
  clientBasicCredentials,
  processTokenCache,
  requestClientCredentialsToken,
  tokenCacheKey,
} from './oauth2.js';
import { secretVariants } from './redact.js';
import { buildRequestUrl } from './requestUrl.js';
import { type AuthProvider, header, send } from './send.js';
import type { OutboundConnection, OutboundRequestOptions, OutboundResponse } from './types.js';

const USER_AGENT = 'Comerix-Outbound/1';

/**
 * The one outbound HTTP client (DESIGN §5). Builds the URL under the connection's base URL (same origin, same base
 * path), applies the connection's auth, sends `Idempotency-Key` on every attempt, resolves and checks the host once
 * per hop and connects to the checked address, follows at most 3 same-origin redirects, and retries by method and
 * outcome. Throws OutboundError; messages never carry a secret.
 */
export async function outboundRequest(options: OutboundRequestOptions): Promise<OutboundResponse> {
  const started = performance.now();
  const { connection, method } = options;
  const url = buildRequestUrl(connection.baseUrl, options.path ?? '', options.query);
  const auth = authProvider(connection, options);
  const headers = callerHeaders(options.headers, authHeaderName(connection));
  const idempotencyKey = options.idempotencyKey ?? randomUUID();
  checkHeader('Idempotency-Key', idempotencyKey);

  let body: Buffer | undefined;
  if (options.body !== undefined && method !== 'GET' && method !== 'HEAD') {
    const contentType = headers['content-type'];
    if (typeof options.body === 'string' && contentType && !/\bjson\b/i.test(contentType)) {
      body = Buffer.from(options.body);
    } else {
      body = Buffer.from(JSON.stringify(options.body) ?? 'null');
      headers['content-type'] ??= 'application/json';
    }
  }

  const { raw, attempts } = await send({
    method,
    url,
    origin: url.origin,
    headers: {
      accept: 'application/json, text/plain;q=0.9, */*;q=0.8',
      'accept-encoding': 'gzip, deflate, br',
      'user-agent': USER_AGENT,
      ...headers,
      'idempotency-key': idempotencyKey,
    },
    ...(body ? { body } : {}),
    auth,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    allowPrivateNetworks: options.allowPrivateNetworks ?? false,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.maxResponseBytes !== undefined ? { maxResponseBytes: options.maxResponseBytes } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.lookup ? { lookup: options.lookup } : {}),
  });

  const responseHeaders: Record<string, string> = {};
  for (const name of Object.keys(raw.headers)) {
    const value = header(raw, name);
    if (value !== undefined) responseHeaders[name] = value;
  }
  return {
    status: raw.status,
    headers: responseHeaders,
    body: parseBody(raw.body, responseHeaders['content-type']),
    latencyMs: Math.round(performance.now() - started),
    attempts,
  };
}

function parseBody(body: Buffer, contentType: string | undefined): unknown {
  const text = body.toString('utf8');
  const mime = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mime === 'application/json' || mime.endsWith('+json') || mime === 'text/json') {
    if (text.trim() === '') return null;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** The header the connection's auth sets, which callers may not set themselves. */
function authHeaderName(connection: OutboundConnection): string | undefined {
  switch (connection.auth.type) {
    case 'none':
      return undefined;
    case 'header':
      return connection.auth.headerName;
    default:
      return 'authorization';
  }
}

function authProvider(connection: OutboundConnection, options: OutboundRequestOptions): AuthProvider {
  const auth = connection.auth;
  switch (auth.type) {
    case 'none':
      return { headers: async () => ({}), secrets: () => [] };
    case 'header': {
      checkAuthHeader(auth.headerName, auth.value);
      const secrets = secretVariants([auth.value]);
      return { headers: async () => ({ [auth.headerName.toLowerCase()]: auth.value }), secrets: () => secrets };
    }
    case 'bearer': {
      checkAuthHeader('Authorization', auth.token);
      const secrets = secretVariants([auth.token]);
      return { headers: async () => ({ authorization: `Bearer ${auth.token}` }), secrets: () => secrets };
    }
    case 'basic': {
      const credentials = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
      const secrets = secretVariants([auth.password, credentials]);
      return { headers: async () => ({ authorization: `Basic ${credentials}` }), secrets: () => secrets };
    }
    case 'oauth2_client_credentials':
      return oauthProvider(connection.id, auth, options);
  }
}

function oauthProvider(
  connectionId: string,
  auth: ClientCredentialsAuth,
  options: OutboundRequestOptions,
): AuthProvider {
  const cache = options.tokenCache ?? processTokenCache;
  const key = tokenCacheKey(connectionId, auth);
  const fixed = [auth.clientSecret, clientBasicCredentials(auth)];
  let current: { token: string; cached: boolean } | undefined;
  return {
    async headers(signal) {
      current = await cache.get(key, () =>
        requestClientCredentialsToken(auth, {
          allowPrivateNetworks: options.allowPrivateNetworks ?? false,
          ...(options.lookup ? { lookup: options.lookup } : {}),
          ...(signal ? { signal } : {}),
          ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
          ...(options.retry ? { retry: options.retry } : {}),
        }),
      );
      return { authorization: `Bearer ${current.token}` };
    },
    refreshAfterUnauthorized() {
      // A token from the cache may have been revoked early: drop it and get one new token, once.
      if (!current?.cached) return false;
      cache.invalidate(key);
      return true;
    },
    secrets: () => secretVariants([...fixed, current?.token]),
  };
}

function checkAuthHeader(name: string, value: string): void {
  try {
    checkHeader(name, value);
  } catch {
    // Never echo a secret's problem in detail: the value itself is the secret.
    throw new OutboundError('invalid_header', `the connection's ${name} credential is not a valid header value`, {
      retryable: false,
    });
  }
}
