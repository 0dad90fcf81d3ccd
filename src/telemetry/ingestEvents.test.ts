import { describe, expect, it } from 'vitest';
import type { AppContext } from '../app/AppContext.js';
import type { PublicKey } from '../db/types.js';
import type { SessionOrPublicKey } from '../http/auth/sessionOrPublicKeyAuth.js';
import { ingestEvents } from './ingestEvents.js';

// Only rejections here: a batch with nothing valid never reaches the database (the store is tested on both DBs).
const ctx = {} as AppContext;
const key = { id: 'k', tenant_id: 't', key: `pk_live_${'a'.repeat(32)}` } as PublicKey;
const bySession: SessionOrPublicKey = {
  kind: 'session',
  session: {
    id: 's',
    tenantId: 't',
    conversationId: '01900000-0000-7000-8000-000000000001',
    customerId: 'u',
    locale: null,
    key,
  },
};
const byKey: SessionOrPublicKey = { kind: 'publicKey', key };

async function rejectedPaths(caller: SessionOrPublicKey, event: unknown): Promise<string[]> {
  const result = await ingestEvents(ctx, caller, [event]);
  expect(result.accepted).toBe(0);
  expect(result.rejected).toHaveLength(1);
  expect(result.rejected[0]!.error.code).toBe('validation_failed');
  return (result.rejected[0]!.error.details as { fields: { path: string }[] }).fields.map((f) => f.path);
}

describe('ingestEvents validation', () => {
  it('checks the standard types’ properties', async () => {
    expect(await rejectedPaths(bySession, { type: 'purchase', properties: { orderId: 'o' } })).toEqual(
      expect.arrayContaining(['properties.amount', 'properties.currency']),
    );
    expect(
      await rejectedPaths(bySession, {
        type: 'purchase',
        properties: { orderId: 'o', amount: '1.5', currency: 'JPY' },
      }),
    ).toEqual(['properties.amount']);
    expect(
      await rejectedPaths(bySession, { type: 'purchase', properties: { orderId: 'o', amount: 1, currency: 'euro' } }),
    ).toEqual(['properties.currency']);
    expect(await rejectedPaths(bySession, { type: 'add_to_cart', properties: { quantity: 0 } })).toEqual(
      expect.arrayContaining(['properties.productId', 'properties.quantity']),
    );
    expect(await rejectedPaths(bySession, { type: 'block_clicked' })).toEqual(['properties.blockId']);
    expect(await rejectedPaths(bySession, { type: 'widget_open', properties: { pageType: 7 } })).toContain(
      'properties.pageType',
    );
  });

  it('checks the envelope of each event', async () => {
    expect(await rejectedPaths(bySession, { type: 'Page View' })).toEqual(['type']);
    expect(await rejectedPaths(bySession, { type: 'x', unknown: 1 })).toEqual(['(event)']);
    expect(await rejectedPaths(bySession, { type: 'x', occurredAt: 'yesterday' })).toEqual(['occurredAt']);
    const future = new Date(Date.now() + 48 * 3600 * 1000).toISOString();
    expect(await rejectedPaths(bySession, { type: 'x', occurredAt: future })).toEqual(['occurredAt']);
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
    expect(await rejectedPaths(bySession, { type: 'x', properties: many })).toEqual(['properties']);
    expect(await rejectedPaths(bySession, { type: 'x', properties: { a: { b: { c: { d: { e: 1 } } } } } })).toEqual([
      'properties',
    ]);
  });

  it('ties events to the credential', async () => {
    expect(await rejectedPaths(byKey, { type: 'widget_open' })).toEqual(['anonymousId']);
    expect(
      await rejectedPaths(byKey, {
        type: 'widget_open',
        anonymousId: 'a',
        conversationId: '01900000-0000-7000-8000-000000000001',
      }),
    ).toEqual(['conversationId']);
    expect(
      await rejectedPaths(bySession, { type: 'widget_open', conversationId: '01900000-0000-7000-8000-000000000002' }),
    ).toEqual(['conversationId']);
    expect(await rejectedPaths(bySession, { type: 'widget_open', publicKey: `pk_live_${'b'.repeat(32)}` })).toEqual([
      'publicKey',
    ]);
  });

  it('reports each bad event by its index', async () => {
    const result = await ingestEvents(ctx, bySession, [{ type: 'A' }, 'nope', null, { type: 'block_clicked' }]);
    expect(result).toMatchObject({ accepted: 0, duplicates: 0 });
    expect(result.rejected.map((r) => r.index)).toEqual([0, 1, 2, 3]);
  });
});
