import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, seedTenant, Widget } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { reportConversion } from './reportConversion.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function chat(customerId: string) {
  const seeded = await seedTenant(t.ctx);
  const w = new Widget(t.app);
  const opened = await w.open(seeded.key.key, { customerId });
  expect(opened.status).toBe(201);
  const turn = await w.trigger('order_status');
  expect(turn.status).toBe(200);
  return { ...seeded, w, conversationId: String(opened.body.conversationId) };
}

async function purchase(token: string, properties: Record<string, unknown>, clientEventId?: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/public/v1/chat/events',
    headers: { origin: ORIGIN, 'content-type': 'application/json', authorization: `Bearer ${token}` },
    payload: { type: 'purchase', properties, ...(clientEventId ? { clientEventId } : {}) },
  });
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
}

const conversionsOf = (tenantId: string) =>
  t.ctx.kysely.selectFrom('conversions').selectAll().where('tenant_id', '=', tenantId).orderBy('order_id').execute();

describe('conversions', () => {
  it('attributes a client purchase in a chat and a server conversion of the same customer to that conversation', async () => {
    const { tenant, w, conversationId } = await chat('cust-1');
    const client = await purchase(w.token!, { orderId: 'o-100', amount: '19.99', currency: 'EUR' }, 'p-1');
    expect(client.status).toBe(202);

    const server = await reportConversion(t.ctx, tenant.id, {
      orderId: 'o-200',
      amount: 1500,
      currency: 'JPY',
      customerId: 'cust-1',
      metadata: { channel: 'web' },
    });
    expect(server.created).toBe(true);
    expect(server.conversion).toMatchObject({
      orderId: 'o-200',
      amount: '1500',
      amountMinor: 1500,
      currency: 'JPY',
      source: 'server',
      verified: true,
      conversationId,
      intentName: 'order_status',
      customerId: 'cust-1',
    });

    const rows = await conversionsOf(tenant.id);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      order_id: 'o-100',
      amount_minor: 1999,
      currency: 'EUR',
      source: 'client',
      verified: false,
      conversation_id: conversationId,
      customer_id: 'cust-1',
      intent_name: 'order_status',
    });
    expect(rows[0]!.flow_id).toBe(rows[1]!.flow_id);
    expect(rows[0]!.flow_id).not.toBeNull();
  });

  it('leaves a conversion outside the attribution window unattributed, and a wider window attributes it', async () => {
    const { tenant } = await chat('cust-old');
    // The customer's only session was opened 8 days ago (default window: 7 days).
    await sql`update sessions set created_at = now() - interval '8 days' where tenant_id = ${tenant.id}::uuid`.execute(
      t.ctx.kysely,
    );
    const outside = await reportConversion(t.ctx, tenant.id, {
      orderId: 'o-old',
      amount: '5.00',
      currency: 'USD',
      customerId: 'cust-old',
    });
    expect(outside.conversion).toMatchObject({
      conversationId: null,
      flowId: null,
      intentName: null,
      customerId: 'cust-old',
      amountMinor: 500,
    });

    // Simulated by occurredAt instead: a conversion 8 days before the session opened is not the chat's either.
    const before = await reportConversion(t.ctx, tenant.id, {
      orderId: 'o-before',
      amount: '5',
      currency: 'USD',
      customerId: 'cust-old',
      occurredAt: new Date(Date.now() - 16 * 24 * 3600 * 1000).toISOString(),
    });
    expect(before.conversion.conversationId).toBeNull();

    await t.ctx.kysely
      .updateTable('tenants')
      .set({ attribution_window_days: 30 })
      .where('id', '=', tenant.id)
      .execute();
    const inside = await reportConversion(t.ctx, tenant.id, {
      orderId: 'o-new',
      amount: '5',
      currency: 'USD',
      customerId: 'cust-old',
    });
    expect(inside.conversion.conversationId).not.toBeNull();
  });

  it('records one conversion for an order reported twice by the server, and returns the first result', async () => {
    const { tenant, conversationId } = await chat('cust-2');
    const first = await reportConversion(t.ctx, tenant.id, {
      orderId: 'o-dup',
      amount: '10.50',
      currency: 'EUR',
      conversationId,
    });
    const second = await reportConversion(t.ctx, tenant.id, {
      orderId: 'o-dup',
      amount: '99.00',
      currency: 'USD',
      customerId: 'cust-2',
    });
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.conversion).toEqual(first.conversion);
    expect(second.conversion).toMatchObject({ amount: '10.50', currency: 'EUR', conversationId });
    expect(await conversionsOf(tenant.id)).toHaveLength(1);
  });

  it('replaces a client purchase with the server report of the same order: one verified conversion', async () => {
    const { tenant, w, conversationId } = await chat('cust-3');
    expect((await purchase(w.token!, { orderId: 'o-300', amount: 42, currency: 'KWD' })).status).toBe(202);
    // A second client purchase of the order changes nothing.
    expect((await purchase(w.token!, { orderId: 'o-300', amount: 1, currency: 'KWD' })).status).toBe(202);
    const [client] = await conversionsOf(tenant.id);
    expect(client).toMatchObject({ source: 'client', verified: false, amount_minor: 42000 });

    const server = await reportConversion(t.ctx, tenant.id, {
      orderId: 'o-300',
      amount: '41.500',
      currency: 'KWD',
      customerId: 'cust-3',
    });
    expect(server.created).toBe(true);
    expect(server.replacedClient).toBe(true);
    const rows = await conversionsOf(tenant.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: client!.id,
      source: 'server',
      verified: true,
      amount_minor: 41500,
      conversation_id: conversationId,
      event_id: client!.event_id,
    });

    // A client purchase after the server's report changes nothing either.
    await purchase(w.token!, { orderId: 'o-300', amount: 1, currency: 'KWD' });
    expect(await conversionsOf(tenant.id)).toMatchObject([{ source: 'server', amount_minor: 41500 }]);
  });

  it('validates the server report and hides other tenants’ conversations', async () => {
    const { tenant } = await chat('cust-4');
    const other = await chat('cust-4');
    await expect(
      reportConversion(t.ctx, tenant.id, { orderId: 'x', amount: '1.999', currency: 'EUR', customerId: 'c' }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(
      reportConversion(t.ctx, tenant.id, { orderId: 'x', amount: '1', currency: 'eur', customerId: 'c' }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(
      reportConversion(t.ctx, tenant.id, {
        orderId: 'x',
        amount: '1',
        currency: 'EUR',
        customerId: 'c',
        conversationId: other.conversationId,
      }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(
      reportConversion(t.ctx, tenant.id, {
        orderId: 'x',
        amount: '1',
        currency: 'EUR',
        conversationId: other.conversationId,
      }),
    ).rejects.toMatchObject({ code: 'not_found' });
    // The same customer id in another tenant is not this tenant's customer.
    const unattributed = await reportConversion(t.ctx, tenant.id, {
      orderId: 'y',
      amount: '1',
      currency: 'EUR',
      customerId: 'nobody',
    });
    expect(unattributed.conversion.conversationId).toBeNull();
  });

  it('rejects a purchase event with an amount its currency cannot hold, keeping the batch', async () => {
    const { tenant, w } = await chat('cust-5');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/public/v1/chat/events/batch',
      headers: { origin: ORIGIN, 'content-type': 'application/json', authorization: `Bearer ${w.token}` },
      payload: {
        events: [
          { type: 'purchase', properties: { orderId: 'j-1', amount: '10.5', currency: 'JPY' } },
          { type: 'purchase', properties: { orderId: 'j-2', amount: '10', currency: 'JPY' } },
        ],
      },
    });
    const body = JSON.parse(res.body);
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([0]);
    expect((await conversionsOf(tenant.id)).map((c) => c.order_id)).toEqual(['j-2']);
  });
});
