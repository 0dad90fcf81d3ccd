import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFlow, ORIGIN, seedTenant } from '../../test/support/fixtures.js';
import { backend, createTestApp, type TestApp, testConfig } from '../../test/support/testApp.js';
import { buildApp } from '../app/buildApp.js';
import { createContext } from '../app/createContext.js';
import { runCommand } from '../cli/runCommand.js';
import { openPostgres } from '../db/openDatabase.js';
import type { PublicKey, Tenant } from '../db/types.js';
import { publishFlow, unpublishFlow } from '../flows/flowService.js';
import { createWidgetKey } from '../keys/widgetKeyService.js';
import { addQuickQuestion, publishWidgetSettings, setConfigSection } from './widgetSettingsService.js';

const QQ = '/api/public/v1/chat/quick-questions';
let t: TestApp;
let tenant: Tenant;
let key: PublicKey;
beforeAll(async () => {
  t = await createTestApp();
  ({ tenant, key } = await seedTenant(t.ctx, {
    flows: [exampleFlow('order_status'), exampleFlow('returns'), exampleFlow('track_order')],
  }));
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers: { origin: ORIGIN, 'x-comerix-public-key': key.key, ...headers } });

describe('quick questions and config, live then published', () => {
  it('filters by page types (union, ordered by position then id), hides out-of-scope and unpublished intents', async () => {
    const add = (text: string, position: number, pageTypes: string[], intentName?: string) =>
      addQuickQuestion(t.ctx, tenant.id, { text, position, pageTypes, ...(intentName ? { intentName } : {}) });
    await add('cart only', 20, ['cart']);
    await add('product only', 10, ['product']);
    await add('everywhere', 15, []);
    await add('checkout only', 5, ['checkout']);
    await add('both', 10, ['product', 'cart'], 'order_status');
    await add('not in key scope', 1, [], 'track_order');

    const res = await get(`${QQ}?pageType=product&pageType=cart`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-edge-source']).toBe('live');
    const items = res.json().items as { text: string; position: number; id: string }[];
    const tenAt = items.filter((i) => i.position === 10).map((i) => i.id);
    expect(tenAt).toEqual([...tenAt].sort());
    expect(items.map((i) => i.text).sort()).toEqual(['both', 'cart only', 'everywhere', 'product only'].sort());
    expect(items.map((i) => i.position)).toEqual([10, 10, 15, 20]);
    // The comma form is the same read.
    expect((await get(`${QQ}?pageTypes=product,cart`)).json()).toEqual(res.json());
    // No page type: everything in scope.
    expect((await get(QQ)).json().items.map((i: { text: string }) => i.text)).toContain('checkout only');
    // An unpublished intent hides its items.
    await unpublishFlow(t.ctx, tenant.id, 'order_status');
    expect((await get(`${QQ}?pageType=product`)).json().items.map((i: { text: string }) => i.text)).not.toContain(
      'both',
    );
    await publishFlow(t.ctx, tenant.id, 'order_status');
  });

  it('is shared-cacheable with a strong ETag over the exact body and 304; Vary names Origin and the key', async () => {
    const res = await get(`${QQ}?pageType=product`);
    expect(res.headers['cache-control']).toBe('public, max-age=60, stale-while-revalidate=300');
    expect(res.headers.vary).toBe('Origin, X-Comerix-Public-Key');
    expect(res.headers.etag).toBe(`"${createHash('sha256').update(res.body).digest('base64url')}"`);
    const again = await get(`${QQ}?pageType=product`, { 'if-none-match': String(res.headers.etag) });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers['access-control-allow-origin']).toBe(ORIGIN);
  });

  it('GET /config/{section}: public sections only; private and unknown → 404 config_section_not_found', async () => {
    await setConfigSection(t.ctx, tenant.id, {
      section: 'appearance',
      values: { colors: { primary: '#123456' }, greeting: 'Hello', launcherLabel: 'Chat', position: 'bottom-left' },
      isPublic: true,
    });
    await setConfigSection(t.ctx, tenant.id, { section: 'internal', values: { secret: 'x' }, isPublic: false });
    const res = await get('/api/public/v1/config/appearance');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      section: 'appearance',
      values: { colors: { primary: '#123456' }, greeting: 'Hello', launcherLabel: 'Chat', position: 'bottom-left' },
    });
    expect(res.headers['x-edge-source']).toBe('live');
    for (const section of ['internal', 'nope']) {
      const missing = await get(`/api/public/v1/config/${section}`);
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error.code).toBe('config_section_not_found');
    }
    await expect(
      setConfigSection(t.ctx, tenant.id, {
        section: 'appearance',
        values: { colors: { primary: 'red' } },
        isPublic: true,
      }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('X-Edge-Source: published after widget-settings:publish; later edits show only after the next publish', async () => {
    const hash = await runCommand(t.ctx, { command: 'widget-settings:publish', tenant: tenant.slug });
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const published = await get(`${QQ}?pageType=cart`);
    expect(published.headers['x-edge-source']).toBe('published');
    const before = published.json();
    await addQuickQuestion(t.ctx, tenant.id, { text: 'added later', pageTypes: ['cart'], position: 0 });
    await setConfigSection(t.ctx, tenant.id, {
      section: 'appearance',
      values: { greeting: 'Changed' },
      isPublic: true,
    });
    expect((await get(`${QQ}?pageType=cart`)).json()).toEqual(before);
    expect((await get('/api/public/v1/config/appearance')).json().values.greeting).toBe('Hello');
    await runCommand(t.ctx, { command: 'widget-settings:publish', tenant: tenant.slug });
    expect((await get(`${QQ}?pageType=cart`)).json().items[0].text).toBe('added later');
    const config = await get('/api/public/v1/config/appearance');
    expect(config.json().values).toEqual({ greeting: 'Changed' });
    expect(config.headers['x-edge-source']).toBe('published');
  });

  it('another tenant’s key never sees these', async () => {
    const other = await seedTenant(t.ctx);
    const res = await get(QQ, { 'x-comerix-public-key': other.key.key });
    expect(res.json().items).toEqual([]);
    expect((await get('/api/public/v1/config/appearance', { 'x-comerix-public-key': other.key.key })).statusCode).toBe(
      404,
    );
  });

  it('CLI: quick-question:add|list|remove and config:set', async () => {
    const id = await runCommand(t.ctx, {
      command: 'quick-question:add',
      tenant: tenant.slug,
      text: 'From the CLI',
      pageTypes: ['product'],
      position: 3,
    });
    expect(await runCommand(t.ctx, { command: 'quick-question:list', tenant: tenant.slug })).toContain('From the CLI');
    expect(await runCommand(t.ctx, { command: 'quick-question:remove', tenant: tenant.slug, id })).toBe(id);
    expect(await runCommand(t.ctx, { command: 'quick-question:list', tenant: tenant.slug })).not.toContain(
      'From the CLI',
    );
    await expect(
      runCommand(t.ctx, { command: 'quick-question:remove', tenant: tenant.slug, id }),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(
      await runCommand(t.ctx, {
        command: 'config:set',
        tenant: tenant.slug,
        section: 'behavior',
        values: { openOnLoad: false },
        isPublic: true,
      }),
    ).toBe('behavior');
  });
});

describe.runIf(backend === 'postgres')('a second API process', () => {
  it('serves the new edge document once the change announcement reaches it', async () => {
    const db2 = await openPostgres(t.ctx.config.databaseUrl!);
    const ctx2 = await createContext(testConfig({ DATABASE_URL: t.ctx.config.databaseUrl! }), db2);
    const app2 = await buildApp(ctx2);
    try {
      const read2 = () =>
        app2.inject({ method: 'GET', url: `${QQ}?pageType=product`, headers: { 'x-comerix-public-key': key.key } });
      const first = await read2();
      expect(first.headers['x-edge-source']).toBe('published');
      await addQuickQuestion(t.ctx, tenant.id, {
        text: 'seen by the other process',
        pageTypes: ['product'],
        position: -1,
      });
      // Still the cached document: nothing was announced.
      expect((await read2()).body).toBe(first.body);
      const announced = new Promise<void>((resolve) => ctx2.events.on('settings', resolve));
      await publishWidgetSettings(t.ctx, tenant.id);
      await announced;
      const second = await read2();
      expect(second.json().items[0].text).toBe('seen by the other process');
      expect(second.headers.etag).not.toBe(first.headers.etag);
    } finally {
      await app2.close();
      await ctx2.events.close();
      await db2.close();
    }
  });
});

describe('key scope of quick questions', () => {
  it('an all-intents key sees items of every published intent', async () => {
    const all = await createWidgetKey(t.ctx, {
      tenantId: tenant.id,
      label: 'all',
      origins: [ORIGIN],
      allIntents: true,
    });
    const texts = (await get(QQ, { 'x-comerix-public-key': all.key }))
      .json()
      .items.map((i: { text: string }) => i.text);
    expect(texts).toContain('not in key scope');
  });
});
