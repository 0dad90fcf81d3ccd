import { OutboundError } from './OutboundError.js';

/**
 * Parses a connection base URL: http(s), no userinfo (credentials belong in the connection's auth), no query or
 * fragment. Returns undefined when it is not acceptable. The caller's message never echoes the URL (it could hold
 * userinfo).
 */
export function parseBaseUrl(baseUrl: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password || url.search || url.hash || !url.hostname) return undefined;
  return url;
}

function invalid(message: string): OutboundError {
  return new OutboundError('invalid_url', message, { retryable: false });
}

/** Characters a path may not carry literally: controls, whitespace, fragment, backslash. */
const BAD_PATH_CHAR = /[\p{Cc}\s#\\]/u;

/**
 * The request URL: base URL path + `/` + path (already percent-encoded by the engine) + query. Refused unless the
 * result keeps the base URL's origin (`origin_mismatch`) and stays under its path (`invalid_url`, e.g. a `..`
 * segment, which URL parsing resolves even when spelled `%2e%2e`).
 */
export function buildRequestUrl(baseUrl: string, path = '', query?: Record<string, string>): URL {
  const base = parseBaseUrl(baseUrl);
  if (!base) throw invalid('the connection base URL is not an http(s) URL without credentials, query or fragment');
  if (BAD_PATH_CHAR.test(path)) {
    throw invalid('the request path contains whitespace, a control character, "#" or "\\" (encode templated values)');
  }
  const basePath = base.pathname.replace(/\/+$/, '');
  let joined: string;
  if (path === '') joined = `${base.origin}${base.pathname}`;
  else joined = `${base.origin}${basePath}${path.startsWith('/') ? '' : '/'}${path}`;
  let url: URL;
  try {
    url = new URL(joined);
  } catch {
    throw invalid('the request path does not make a valid URL');
  }
  if (url.origin !== base.origin || url.username || url.password) {
    throw new OutboundError('origin_mismatch', `refused: the request would leave ${base.origin}`, { retryable: false });
  }
  if (basePath && url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) {
    throw invalid(`the request path leaves the connection's base path ${basePath}`);
  }
  for (const [name, value] of Object.entries(query ?? {})) {
    if (typeof value !== 'string') throw invalid(`query parameter ${JSON.stringify(name)} is not a string`);
    url.searchParams.append(name, value);
  }
  return url;
}

/** `origin + path` for messages: no userinfo, no query (it may carry personal data). */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
