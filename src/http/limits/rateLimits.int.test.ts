import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ORIGIN, seedTenant, Widget } from '../../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../../test/support/testApp.js';
import { updateWidgetKey } from '../../keys/widgetKeyService.js';

/** A client address of its own per test and run: Redis counters outlive a run and are shared by both projects. */
const someIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

const openFrom = (t: TestApp, ip: string, publicKey: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/public/v1/chat/sessions',
    remoteAddress: ip,
    headers: { origin: ORIGIN, 'content-type': 'application/json' },
    payload: { publicKey, customerId: 'u-1' },
  });

/** A widget whose session was opened from an address of its own (sessions_per_ip is low in these tests). */
async function widgetOf(t: TestApp, publicKey: string): Promise<Widget> {
  const opened = await openFrom(t, someIp(), publicKey);
  expect(opened.statusCode).toBe(201);
  const w = new Widget(t.app);
  w.token = String(opened.json().sessionToken);
  return w;
}

describe('rate limits (in memory)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { COMERIX_RATE_LIMITS: 'on', COMERIX_RATE_LIMIT_OVERRIDES: 'sessions_per_ip=3/60,messages_per_session=2' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers a burst of new sessions from one IP with 429 rate_limited, Retry-After and CORS once over', async () => {
    const { key } = await seedTenant(t.ctx);
    const ip = someIp();
    const remaining: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await openFrom(t, ip, key.key);
      expect(res.statusCode).toBe(201);
      expect(res.headers['ratelimit-limit']).toBe('3');
      remaining.push(String(res.headers['ratelimit-remaining']));
      expect(Number(res.headers['ratelimit-reset'])).toBeGreaterThan(0);
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const over = await openFrom(t, ip, key.key);
    expect(over.statusCode).toBe(429);
    expect(over.json().error).toMatchObject({
      code: 'rate_limited',
      status: 429,
      retryable: true,
      details: { limit: 'sessions_per_ip', max: 3, windowSeconds: 60 },
    });
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(over.headers['ratelimit-remaining']).toBe('0');
    // The widget can read the 429 (its origin is allowed).
    expect(over.headers['access-control-allow-origin']).toBe(ORIGIN);
    // Another address is counted on its own.
    expect((await openFrom(t, someIp(), key.key)).statusCode).toBe(201);
  });

  it('counts messages per session, not per address', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = await widgetOf(t, key.key);
    expect((await w.trigger('order_status')).status).toBe(200);
    expect((await w.trigger('order_status', { supersede: true })).status).not.toBe(429);
    const third = await w.trigger('order_status', { supersede: true });
    expect(third.status).toBe(429);
    expect(third.body.error).toMatchObject({ code: 'rate_limited', details: { limit: 'messages_per_session' } });
    // A second session from the same address still talks.
    const other = new Widget(t.app);
    await other.open(key.key);
    expect((await other.trigger('order_status')).status).toBe(200);
  });

  it("a key's override raises and lowers a per-credential limit for that key's callers only", async () => {
    const raised = await seedTenant(t.ctx);
    const lowered = await seedTenant(t.ctx);
    const plain = await seedTenant(t.ctx);
    await updateWidgetKey(t.ctx, raised.tenant.id, raised.key.key, {
      rateLimits: { messages_per_session: { max: 4 }, sessions_per_public_key: { max: 1 } },
    });
    await updateWidgetKey(t.ctx, lowered.tenant.id, lowered.key.key, {
      rateLimits: { messages_per_session: { max: 1, windowSeconds: 30 } },
    });
    const talk = async (w: Widget, times: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < times; i += 1) statuses.push((await w.trigger('order_status', { supersede: i > 0 })).status);
      return statuses;
    };
    const up = await widgetOf(t, raised.key.key);
    expect(await talk(up, 4)).not.toContain(429);
    const fifth = await up.trigger('order_status', { supersede: true });
    expect(fifth.body.error).toMatchObject({ details: { limit: 'messages_per_session', max: 4, windowSeconds: 60 } });
    // Per public key: this key opens one session a minute, from any address.
    const second = await openFrom(t, someIp(), raised.key.key);
    expect(second.statusCode).toBe(429);
    expect(second.json().error.details).toMatchObject({ limit: 'sessions_per_public_key', max: 1 });

    const down = await widgetOf(t, lowered.key.key);
    expect(await talk(down, 1)).toEqual([200]);
    const over = await down.trigger('order_status', { supersede: true });
    expect(over.status).toBe(429);
    expect(over.body.error).toMatchObject({ details: { limit: 'messages_per_session', max: 1, windowSeconds: 30 } });
    expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(30);

    // Another key keeps the configured default (2), and opens sessions freely.
    const other = await widgetOf(t, plain.key.key);
    expect((await talk(other, 3)).at(-1)).toBe(429);
    expect((await openFrom(t, someIp(), plain.key.key)).statusCode).toBe(201);
  });

  it('keeps applying an override when the session has left the cache, and drops it at once when cleared', async () => {
    const { tenant, key } = await seedTenant(t.ctx);
    await updateWidgetKey(t.ctx, tenant.id, key.key, { rateLimits: { messages_per_session: { max: 3 } } });
    const w = await widgetOf(t, key.key);
    for (let i = 0; i < 3; i += 1) {
      // A message's cold resume reads its session after being counted: the key's limits are remembered meanwhile.
      if (i > 0) t.ctx.sessions.invalidate();
      expect((await w.trigger('order_status', { supersede: i > 0 })).status).not.toBe(429);
    }
    t.ctx.sessions.invalidate();
    const fourth = await w.trigger('order_status', { supersede: true });
    expect(fourth.body.error).toMatchObject({ details: { limit: 'messages_per_session', max: 3 } });

    // Cleared: the configured default (2) applies to the next message, already over it.
    await updateWidgetKey(t.ctx, tenant.id, key.key, { rateLimits: { messages_per_session: null } });
    const cleared = await w.trigger('order_status', { supersede: true });
    expect(cleared.body.error).toMatchObject({ details: { limit: 'messages_per_session', max: 2 } });
  });

  it('limits admin logins per client IP, whatever the accounts tried', async () => {
    const ip = someIp();
    const tryLogin = (n: number) =>
      t.app.inject({
        method: 'POST',
        url: '/api/admin/v1/auth/login',
        remoteAddress: ip,
        headers: { 'content-type': 'application/json' },
        payload: { email: `nobody-${n}@example.com`, password: 'not the password' },
      });
    for (let n = 0; n < 10; n += 1) expect((await tryLogin(n)).statusCode).toBe(401);
    const over = await tryLogin(10);
    expect(over.statusCode).toBe(429);
    expect(over.json().error).toMatchObject({
      code: 'rate_limited',
      details: { limit: 'admin_logins_per_ip', max: 10 },
    });
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('puts RateLimit-* headers on every answer, routes without auth included', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz', remoteAddress: someIp() });
    expect(res.statusCode).toBe(200);
    expect(res.headers['ratelimit-limit']).toBe('1200');
    expect(res.headers['ratelimit-remaining']).toBe('1199');
  });
});

describe('rate limits off', () => {
  it('sends no RateLimit-* headers and never 429s with COMERIX_RATE_LIMITS=off', async () => {
    const t = await createTestApp({
      env: { COMERIX_RATE_LIMITS: 'off', COMERIX_RATE_LIMIT_OVERRIDES: 'sessions_per_ip=1' },
    });
    try {
      const { key } = await seedTenant(t.ctx);
      const ip = someIp();
      for (let i = 0; i < 3; i += 1) {
        const res = await openFrom(t, ip, key.key);
        expect(res.statusCode).toBe(201);
        expect(res.headers['ratelimit-limit']).toBeUndefined();
      }
    } finally {
      await t.close();
    }
  });
});

const redisUrl = process.env.TEST_REDIS_URL;

describe.skipIf(!redisUrl)('rate limits shared through Redis', () => {
  it('two API processes with one REDIS_URL share the counter', async () => {
    const env = {
      COMERIX_RATE_LIMITS: 'on',
      COMERIX_RATE_LIMIT_OVERRIDES: 'sessions_per_ip=4/60',
      REDIS_URL: redisUrl!,
    };
    const a = await createTestApp({ env });
    const b = await createTestApp({ env });
    try {
      const { key: keyA } = await seedTenant(a.ctx);
      const { key: keyB } = await seedTenant(b.ctx);
      const ip = someIp();
      expect((await openFrom(a, ip, keyA.key)).statusCode).toBe(201);
      expect((await openFrom(b, ip, keyB.key)).statusCode).toBe(201);
      expect((await openFrom(a, ip, keyA.key)).statusCode).toBe(201);
      const fourth = await openFrom(b, ip, keyB.key);
      expect(fourth.statusCode).toBe(201);
      expect(fourth.headers['ratelimit-remaining']).toBe('0');
      const fifth = await openFrom(a, ip, keyA.key);
      expect(fifth.statusCode).toBe(429);
      expect(fifth.json().error.details.limit).toBe('sessions_per_ip');
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('stream caps', () => {
  it('answers the eleventh concurrent long poll of one session with 429 streams_per_session', async () => {
    const t = await createTestApp();
    try {
      const { key } = await seedTenant(t.ctx);
      const w = new Widget(t.app);
      await w.open(key.key);
      const turn = await w.trigger('order_status');
      expect(turn.body.status).toBe('waiting_input');
      const sid = JSON.parse(Buffer.from(w.token!.split('.')[0]!, 'base64url').toString()).sid as string;
      const url = `/api/public/v1/chat/executions/${turn.body.executionId}?after=${turn.body.cursor}&waitSeconds=25`;
      const held = Array.from({ length: 10 }, () => w.get(url));
      await vi.waitFor(() => expect(t.ctx.streams.heldBy(sid)).toBe(10), { timeout: 30_000, interval: 20 });
      const eleventh = await w.get(url);
      expect(eleventh.status).toBe(429);
      expect(eleventh.body.error).toMatchObject({ code: 'rate_limited', details: { limit: 'streams_per_session' } });
      expect(eleventh.headers['retry-after']).toBe('1');
      // Another session is not affected by this one's slots.
      const other = new Widget(t.app);
      await other.open(key.key);
      const otherTurn = await other.trigger('order_status');
      expect((await other.get(`/api/public/v1/chat/executions/${otherTurn.body.executionId}`)).status).toBe(200);
      // Shutting down ends the long polls; every slot is given back.
      t.ctx.shutdown.abort();
      for (const res of await Promise.all(held)) expect(res.status).toBe(200);
      expect(t.ctx.streams.heldBy(sid)).toBe(0);
    } finally {
      await t.close();
    }
  });
});
