import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { demoOrigins, seedDemo } from '../demo/seedDemo.js';
import { activeKeyByLabel } from '../keys/keyStore.js';
import { banner } from '../server/banner.js';

const PUBLIC_URL = 'http://widget.test:8080';

describe('the widget script and its demo page', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'comerix-widget-route-'));
    t = await createTestApp({ env: { COMERIX_WIDGET_DIR: dir, COMERIX_PUBLIC_URL: PUBLIC_URL } });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says the widget is not built, and that there is no demo, with 404s', async () => {
    const script = await t.app.inject({ method: 'GET', url: '/widget/comerix-chat.js' });
    expect(script.statusCode).toBe(404);
    expect(script.json().error.message).toContain('npm run build');
    const demo = await t.app.inject({ method: 'GET', url: '/widget/demo' });
    expect(demo.statusCode).toBe(404);
    expect(demo.json().error.code).toBe('not_found');
  });

  it('serves the script to any origin: JavaScript, cacheable, revalidated by ETag', async () => {
    writeFileSync(join(dir, 'comerix-chat.js'), 'export const v = 1;\n');
    const res = await t.app.inject({
      method: 'GET',
      url: '/widget/comerix-chat.js',
      headers: { origin: 'https://any-shop.example' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('export const v = 1;\n');
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.headers['cache-control']).toContain('public');
    // Not an HTML page: no CSP or frame headers that would mean nothing on a script.
    expect(res.headers['content-security-policy']).toBeUndefined();
    const etag = res.headers.etag as string;
    const again = await t.app.inject({
      method: 'GET',
      url: '/widget/comerix-chat.js',
      headers: { 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');

    // A rebuild while the server runs is served at once, under a new ETag.
    writeFileSync(join(dir, 'comerix-chat.js'), 'export const v = 22;\n');
    const rebuilt = await t.app.inject({
      method: 'GET',
      url: '/widget/comerix-chat.js',
      headers: { 'if-none-match': etag },
    });
    expect(rebuilt.statusCode).toBe(200);
    expect(rebuilt.headers.etag).not.toBe(etag);
  });

  it("serves the demo page on the demo key, under the CSP, and the key allows the server's own origin", async () => {
    const demo = await seedDemo(t.ctx);
    const key = await activeKeyByLabel(t.ctx.kysely, demo.tenantId, 'Demo widget');
    expect(key?.allowed_origins).toEqual(['http://localhost:3000', 'https://acme.com', PUBLIC_URL]);
    expect(demo.origins).toEqual(demoOrigins(t.ctx.config));

    const res = await t.app.inject({ method: 'GET', url: '/widget/demo?page=cart' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.body).toContain(`<comerix-chat public-key="${demo.publicKey}" page-type="cart"></comerix-chat>`);
    expect(res.body).toContain('<script type="module" src="/widget/comerix-chat.js"></script>');
    // No inline script: the CSP allows none.
    expect(res.body.match(/<script/g)).toHaveLength(1);

    const bad = await t.app.inject({ method: 'GET', url: '/widget/demo?page=<x>' });
    expect(bad.statusCode).toBe(400);

    // The start banner links the page and lists the origins the key really has.
    const text = banner({ url: PUBLIC_URL, config: t.ctx.config, demo, origins: demo.origins ?? [] });
    expect(text).toContain(`Widget demo ${PUBLIC_URL}/widget/demo`);
    expect(text).toContain(`origins http://localhost:3000, https://acme.com, ${PUBLIC_URL})`);
  });
});
