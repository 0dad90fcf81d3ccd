import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json200, ORIGIN, seedTenant, Widget } from '../../test/support/fixtures.js';
import { tablesContaining } from '../../test/support/tablesContaining.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function open(publicKey: string, customerId: string, idempotencyKey: string): Promise<Json200> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/public/v1/chat/sessions',
    headers: { origin: ORIGIN, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    payload: { publicKey, customerId, locale: 'en' },
  });
  return { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers };
}

describe('session opens with an Idempotency-Key', () => {
  it('gives two visitors with one key value their own sessions; replays re-sign; no token is stored', async () => {
    const { key } = await seedTenant(t.ctx);
    const a = await open(key.key, 'visitor-a', 'shared-key');
    const b = await open(key.key, 'visitor-b', 'shared-key');
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers['idempotency-replayed']).toBeUndefined();
    expect(b.body.conversationId).not.toBe(a.body.conversationId);
    expect(b.body.sessionToken).not.toBe(a.body.sessionToken);

    const again = await open(key.key, 'visitor-a', 'shared-key');
    expect(again.status).toBe(201);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(again.body.conversationId).toBe(a.body.conversationId);
    expect(again.body.conversationToken).toBe(a.body.conversationToken);
    expect(again.body.expiresAt).toBe(a.body.expiresAt);
    expect(again.body.intents).toEqual(a.body.intents);
    expect(String(again.body.sessionToken).startsWith('eyJ0aWQi')).toBe(true);

    // The replayed token is one of the same session, and works.
    const w = new Widget(t.app);
    w.token = String(again.body.sessionToken);
    const turn = await w.trigger('order_status', {});
    expect(turn.status).toBe(200);
    expect(turn.body.conversationId).toBe(a.body.conversationId);
    const original = new Widget(t.app);
    original.token = String(a.body.sessionToken);
    const history = await original.get('/api/public/v1/chat/history');
    expect(history.status).toBe(200);
    expect(history.body.pending).toMatchObject({ executionId: turn.body.executionId });

    const sessions = await t.ctx.kysely
      .selectFrom('sessions')
      .select(['customer_id', 'conversation_id'])
      .where('public_key_id', '=', key.id)
      .orderBy('customer_id')
      .execute();
    expect(sessions).toEqual([
      { customer_id: 'visitor-a', conversation_id: a.body.conversationId },
      { customer_id: 'visitor-b', conversation_id: b.body.conversationId },
    ]);

    // A turn sent with a key stores its answer without the wait token.
    const keyed = await w.send({ intentName: 'returns', text: 'x' }, { 'idempotency-key': 'turn-key' });
    expect(keyed.status).toBe(200);
    expect(String(keyed.body.waitToken)).toMatch(/^wt_/);

    const secrets = [
      a.body.sessionToken,
      b.body.sessionToken,
      again.body.sessionToken,
      a.body.conversationToken,
      b.body.conversationToken,
      turn.body.waitToken,
      keyed.body.waitToken,
      'eyJ0aWQi',
    ].map(String);
    // The scan finds what is there (the conversation ids are stored).
    expect(await tablesContaining(t.ctx.kysely, String(a.body.conversationId))).toEqual(
      expect.arrayContaining(['public.conversations', 'public.sessions', 'public.idempotency_keys']),
    );
    for (const secret of secrets) {
      expect(await tablesContaining(t.ctx.kysely, secret), secret.slice(0, 12)).toEqual([]);
    }
  });

  it('still refuses a different body for one visitor with 422 idempotency_key_reused', async () => {
    const { key } = await seedTenant(t.ctx);
    expect((await open(key.key, 'visitor-c', 'k-1')).status).toBe(201);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/public/v1/chat/sessions',
      headers: { origin: ORIGIN, 'content-type': 'application/json', 'idempotency-key': 'k-1' },
      payload: { publicKey: key.key, customerId: 'visitor-c', locale: 'fr' },
    });
    expect(res.statusCode).toBe(422);
    expect(JSON.parse(res.body).error.code).toBe('idempotency_key_reused');
  });
});
