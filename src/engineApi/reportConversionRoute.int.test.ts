import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTenant, Widget } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { createSecretKey } from '../secretKeys/secretKeyService.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function post(key: string, payload: unknown, headers: Record<string, string> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/engine/v1/conversions',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(payload),
  });
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
}

describe('POST /api/engine/v1/conversions', () => {
  it('attributes a server conversion to the customer, answers the first result again, and needs conversions:write', async () => {
    const { tenant, key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    const opened = await w.open(key.key, { customerId: 'buyer-1' });
    await w.trigger('order_status');
    const writer = await createSecretKey(t.ctx, { tenantId: tenant.id, label: 'w', scopes: ['conversions:write'] });
    const reader = await createSecretKey(t.ctx, { tenantId: tenant.id, label: 'r', scopes: ['engine:read'] });
    const order = { orderId: 'A-1', amount: '19.99', currency: 'EUR', customerId: 'buyer-1' };

    const refused = await post(reader.key, order);
    expect(refused.status).toBe(403);
    expect((refused.body.error as { code: string }).code).toBe('forbidden');

    const first = await post(writer.key, order);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      orderId: 'A-1',
      amount: '19.99',
      amountMinor: 1999,
      currency: 'EUR',
      source: 'server',
      verified: true,
      conversationId: opened.body.conversationId,
      intentName: 'order_status',
    });
    const again = await post(writer.key, { ...order, amount: '25.00' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);

    const bad = await post(writer.key, { orderId: 'A-2', amount: '1.234', currency: 'EUR', customerId: 'x' });
    expect(bad.status).toBe(422);
    expect((bad.body.error as { code: string }).code).toBe('validation_failed');
  });
});
