import { describe, expect, it } from 'vitest';
import { OutboundError } from './OutboundError.js';
import { buildRequestUrl } from './requestUrl.js';
import { backoffDelay, isRetryableStatus, parseRetryAfter, resolveRetry } from './retryPolicy.js';

/** What `fn` threw; a call that does not throw fails the test here, so no assertion can pass by being skipped. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

function code(fn: () => unknown): string {
  const error = thrown(fn);
  return error instanceof OutboundError ? error.code : 'other';
}

describe('buildRequestUrl', () => {
  it('appends the encoded path to the base path and encodes the query', () => {
    expect(buildRequestUrl('https://api.acme.com/v1', '/orders/42').href).toBe('https://api.acme.com/v1/orders/42');
    expect(buildRequestUrl('https://api.acme.com/v1/', '/orders').href).toBe('https://api.acme.com/v1/orders');
    expect(buildRequestUrl('https://api.acme.com/v1/', '').href).toBe('https://api.acme.com/v1/');
    expect(buildRequestUrl('https://api.acme.com', 'orders').href).toBe('https://api.acme.com/orders');
    expect(buildRequestUrl('https://api.acme.com', '/s', { q: 'a b&c=d', x: '/?#' }).href).toBe(
      'https://api.acme.com/s?q=a+b%26c%3Dd&x=%2F%3F%23',
    );
  });

  it('keeps hostile values on the connection host', () => {
    for (const value of ['//evil.example/x', 'http://evil.example', '@evil.example', 'evil.example:80']) {
      const url = buildRequestUrl('https://api.acme.com/v1', `/${encodeURIComponent(value)}`);
      expect(url.origin).toBe('https://api.acme.com');
      expect(url.pathname.startsWith('/v1/')).toBe(true);
    }
    // Even unencoded, a path is only ever appended after the origin and a "/".
    for (const raw of ['//evil.example/x', '@evil.example/x', 'http://evil.example/']) {
      expect(buildRequestUrl('https://api.acme.com', raw).origin).toBe('https://api.acme.com');
    }
  });

  it('refuses paths that leave the base path or carry controls, and base URLs with credentials', () => {
    expect(code(() => buildRequestUrl('https://api.acme.com/v1', '/..'))).toBe('invalid_url');
    expect(code(() => buildRequestUrl('https://api.acme.com/v1', '/%2e%2e/admin'))).toBe('invalid_url');
    expect(code(() => buildRequestUrl('https://api.acme.com/v1', '/a/../../admin'))).toBe('invalid_url');
    expect(code(() => buildRequestUrl('https://api.acme.com/v1', '/a\r\nHost: x'))).toBe('invalid_url');
    expect(code(() => buildRequestUrl('https://api.acme.com/v1', '/a#frag'))).toBe('invalid_url');
    expect(code(() => buildRequestUrl('https://api.acme.com/v1', '/a\\b'))).toBe('invalid_url');
    expect(code(() => buildRequestUrl('https://user:pw@api.acme.com', '/x'))).toBe('invalid_url');
    expect(code(() => buildRequestUrl('ftp://api.acme.com', '/x'))).toBe('invalid_url');
    const error = thrown(() => buildRequestUrl('https://user:s3cr3t@api.acme.com', '/x'));
    expect(error).toBeInstanceOf(OutboundError);
    expect((error as Error).message).not.toContain('s3cr3t');
  });
});

describe('retry policy', () => {
  it('retries 429 for every method, 502/503/504 only for idempotent methods, never other statuses', () => {
    for (const m of ['GET', 'PUT', 'DELETE', 'HEAD'] as const) {
      for (const s of [429, 502, 503, 504]) expect(isRetryableStatus(m, s)).toBe(true);
      for (const s of [400, 401, 404, 409, 422, 500, 501]) expect(isRetryableStatus(m, s)).toBe(false);
    }
    for (const m of ['POST', 'PATCH'] as const) {
      expect(isRetryableStatus(m, 429)).toBe(true);
      for (const s of [500, 502, 503, 504, 400]) expect(isRetryableStatus(m, s)).toBe(false);
    }
  });

  it('backs off exponentially with jitter and reads Retry-After', () => {
    const low = resolveRetry({ baseDelayMs: 200, random: () => 0 });
    const high = resolveRetry({ baseDelayMs: 200, random: () => 0.999999 });
    expect([1, 2, 3].map((n) => backoffDelay(n, low))).toEqual([100, 200, 400]);
    expect([1, 2, 3].map((n) => backoffDelay(n, high))).toEqual([200, 400, 800]);
    expect(resolveRetry({ maxAttempts: 10 }).maxAttempts).toBe(3);
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
