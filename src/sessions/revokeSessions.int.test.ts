import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTenant, Widget } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { revokeSessions } from './revokeSessions.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const code = (res: { body: Record<string, unknown> }) => (res.body.error as { code?: string } | undefined)?.code;

describe('session revocation', () => {
  it('a revoked session answers invalid_session_token at once, even while remembered, and its conversation cannot be continued', async () => {
    const { tenant, key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    const opened = await w.open(key.key);
    const waiting = await w.trigger('order_status');
    expect(waiting.status).toBe(200); // the session is now remembered by this process
    const sid = JSON.parse(Buffer.from(String(opened.body.sessionToken).split('.')[0]!, 'base64url').toString()).sid;

    expect(await revokeSessions(t.ctx, tenant.id, { sessionId: sid })).toBe(1);
    for (const res of [
      await w.trigger('order_status'),
      await w.resume(waiting, { order_number: '12345' }),
      await w.get(`/api/public/v1/chat/executions/${waiting.body.executionId}`),
      await w.get('/api/public/v1/chat/history'),
    ]) {
      expect(res.status).toBe(401);
      expect(code(res)).toBe('invalid_session_token');
    }
    const again = await new Widget(t.app).open(key.key, {
      conversationId: opened.body.conversationId,
      conversationToken: opened.body.conversationToken,
    });
    expect(again.status).toBe(404);
    expect(code(again)).toBe('not_found');
    // A new conversation of the same customer is fine.
    expect((await new Widget(t.app).open(key.key)).status).toBe(201);
  });

  it("revokes every session of a customer, and nobody else's; another tenant's revoke reaches nothing", async () => {
    const { tenant, key } = await seedTenant(t.ctx);
    const other = await seedTenant(t.ctx);
    const a1 = new Widget(t.app);
    const a2 = new Widget(t.app);
    const b = new Widget(t.app);
    await a1.open(key.key, { customerId: 'alice' });
    await a2.open(key.key, { customerId: 'alice' });
    await b.open(key.key, { customerId: 'bob' });
    expect(await revokeSessions(t.ctx, other.tenant.id, { customerId: 'alice' })).toBe(0);
    expect((await a1.get('/api/public/v1/chat/history')).status).toBe(200);

    expect(await revokeSessions(t.ctx, tenant.id, { customerId: 'alice' })).toBe(2);
    expect(code(await a1.get('/api/public/v1/chat/history'))).toBe('invalid_session_token');
    expect(code(await a2.get('/api/public/v1/chat/history'))).toBe('invalid_session_token');
    expect((await b.get('/api/public/v1/chat/history')).status).toBe(200);
    // Revoking again revokes nothing more.
    expect(await revokeSessions(t.ctx, tenant.id, { customerId: 'alice' })).toBe(0);
  });

  it('revokes a conversation and all its sessions; an unknown id is not found', async () => {
    const { tenant, key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    const opened = await w.open(key.key);
    const second = new Widget(t.app);
    await second.open(key.key, {
      conversationId: opened.body.conversationId,
      conversationToken: opened.body.conversationToken,
    });
    expect(await revokeSessions(t.ctx, tenant.id, { conversationId: String(opened.body.conversationId) })).toBe(2);
    expect(code(await second.get('/api/public/v1/chat/history'))).toBe('invalid_session_token');
    await expect(revokeSessions(t.ctx, tenant.id, { sessionId: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
  });
});
