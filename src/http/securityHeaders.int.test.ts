import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, seedTenant } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { HTML_PREFIXES, isHtmlPath } from './securityHeaders.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** The headers helmet adds; none of them may reach a public API answer. */
const HELMET = [
  'content-security-policy',
  'x-frame-options',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'strict-transport-security',
  'x-dns-prefetch-control',
  'x-permitted-cross-domain-policies',
];

describe('security headers', () => {
  it('gives the HTML pages a CSP that allows only this origin, and forbids framing', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/docs' });
    expect(res.statusCode).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "frame-ancestors 'none'",
      "object-src 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    // The viewer's script is a file of its own (the CSP allows no inline script).
    expect((await t.app.inject({ method: 'GET', url: '/api/docs/init.js' })).headers['content-security-policy']).toBe(
      csp,
    );
  });

  it.each(['/admin', '/admin/', '/admin/flows?x=1', '/widget/demo', '/widget/demo/index.html'])(
    'covers %s before those pages exist (their 404 carries the headers too)',
    async (url) => {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-frame-options']).toBe('DENY');
    },
  );

  it('matches whole path segments only', () => {
    expect(HTML_PREFIXES).toContain('/api/docs');
    expect(isHtmlPath('/api/docsearch')).toBe(false);
    expect(isHtmlPath('/administrator')).toBe(false);
    expect(isHtmlPath('/api/docs?x=/admin')).toBe(true);
    expect(isHtmlPath('/api/openapi.json?next=/admin')).toBe(false);
  });

  it('leaves the public API answers and their CORS as they were', async () => {
    const { key } = await seedTenant(t.ctx);
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/public/v1/chat/sessions',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(preflight.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
    const opened = await t.app.inject({
      method: 'POST',
      url: '/api/public/v1/chat/sessions',
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      payload: { publicKey: key.key, customerId: 'u-1' },
    });
    expect(opened.statusCode).toBe(201);
    expect(opened.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(opened.headers.vary).toBe('Origin');
    expect(String(opened.headers['access-control-expose-headers'])).toContain('RateLimit');
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/public/v1/chat/sessions',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      payload: { publicKey: key.key, customerId: 'u-1' },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    for (const res of [preflight, opened, refused]) {
      for (const name of HELMET) expect(res.headers[name], name).toBeUndefined();
    }
    const openapi = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    for (const name of HELMET) expect(openapi.headers[name], name).toBeUndefined();
  });
});
