import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, seedTenant, Widget } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { revokeWidgetKey, updateWidgetKey } from './widgetKeyService.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('widget-key:update', () => {
  it('changes scope and origins for live sessions at once, under the create rules', async () => {
    const { tenant, key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    await w.open(key.key);
    expect((await w.trigger('returns')).status).toBe(200);

    const updated = await updateWidgetKey(t.ctx, tenant.id, key.key, { intents: ['order_status'], label: 'Shop' });
    expect(updated).toMatchObject({ label: 'Shop', allowed_intents: ['order_status'], allows_all_intents: false });
    const refused = await w.trigger('returns');
    expect(refused.status).toBe(403);
    expect((refused.body.error as { code: string }).code).toBe('intent_not_allowed');

    await updateWidgetKey(t.ctx, tenant.id, key.key, { origins: ['https://shop.example'] });
    const foreign = await w.trigger('order_status');
    expect(foreign.status).toBe(403);
    expect((foreign.body.error as { code: string }).code).toBe('origin_not_allowed');
    const moved = new Widget(t.app, 'https://shop.example');
    expect((await moved.open(key.key)).status).toBe(201);

    const all = await updateWidgetKey(t.ctx, tenant.id, key.key, { allIntents: true, sessionTtlSeconds: 600 });
    expect(all).toMatchObject({ allowed_intents: [], allows_all_intents: true, session_ttl_seconds: 600 });
  });

  it('refuses what create refuses, and another tenant or a revoked key is not found', async () => {
    const { tenant, key } = await seedTenant(t.ctx);
    const other = await seedTenant(t.ctx);
    const cases: [Parameters<typeof updateWidgetKey>[3], string][] = [
      [{ intents: ['order_status'], allIntents: true }, 'intents'],
      [{ intents: ['no_such_intent'] }, 'intents'],
      [{ origins: ['not a url'] }, 'origins'],
      [{ origins: [] }, 'origins'],
      [{ label: '  ' }, 'label'],
      [{ sessionTtlSeconds: 5 }, 'sessionTtlSeconds'],
      [{ forms: ['contact'], allForms: true }, 'forms'],
    ];
    for (const [change, path] of cases) {
      const error = await updateWidgetKey(t.ctx, tenant.id, key.key, change).catch((e: unknown) => e);
      expect(error, JSON.stringify(change)).toMatchObject({ code: 'invalid_request', details: { fields: [{ path }] } });
    }
    await expect(updateWidgetKey(t.ctx, other.tenant.id, key.key, { label: 'x' })).rejects.toMatchObject({
      code: 'not_found',
    });
    const unchanged = await new Widget(t.app, ORIGIN).open(key.key);
    expect(unchanged.status).toBe(201);
    await revokeWidgetKey(t.ctx, key.key, tenant.id);
    await expect(updateWidgetKey(t.ctx, tenant.id, key.key, { label: 'x' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
