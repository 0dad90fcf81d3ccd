import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFlow, ORIGIN, seedTenant, Widget } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { runCommand } from '../cli/runCommand.js';
import { createGoal } from '../goals/goalService.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const EVENTS = '/api/public/v1/chat/events';
const BATCH = '/api/public/v1/chat/events/batch';

interface Res {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, unknown>;
}

async function post(
  url: string,
  payload: unknown,
  options: { token?: string; origin?: string | null; headers?: Record<string, string> } = {},
): Promise<Res> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.origin !== null) headers.origin = options.origin ?? ORIGIN;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await t.app.inject({ method: 'POST', url, headers, payload: JSON.stringify(payload) });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : {}, headers: res.headers };
}

const code = (res: Res) => (res.body.error as { code?: string } | undefined)?.code;

async function countEvents(tenantId: string): Promise<number> {
  const row = await t.ctx.kysely
    .selectFrom('telemetry_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function session() {
  const seeded = await seedTenant(t.ctx);
  const w = new Widget(t.app);
  const opened = await w.open(seeded.key.key);
  expect(opened.status).toBe(201);
  return { ...seeded, w, token: w.token!, conversationId: String(opened.body.conversationId) };
}

describe('POST /chat/events/batch', () => {
  it('refuses 0 or 51 events, or a body that is not {events:[…]}, with 422', async () => {
    const { token } = await session();
    const event = { type: 'page_view' };
    for (const body of [
      { events: Array.from({ length: 51 }, () => event) },
      { events: [] },
      {},
      { events: event },
      [event],
      { events: [event], extra: 1 },
    ]) {
      const res = await post(BATCH, body, { token });
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(422);
      expect(code(res)).toBe('validation_failed');
    }
  });

  it('stores 49 of 50 when one is malformed, reports it by index, and a retried batch only counts duplicates', async () => {
    const { tenant, token, conversationId } = await session();
    const events = Array.from({ length: 50 }, (_, i) => ({
      type: i % 2 === 0 ? 'page_view' : 'custom_scroll_depth',
      clientEventId: `ev-${i}`,
      properties: { pageType: 'product', depth: i },
    }));
    events[17] = { type: 'purchase', clientEventId: 'ev-17', properties: { orderId: 'o-1', amount: 'lots' } } as never;

    const first = await post(BATCH, { events }, { token });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ accepted: 49, duplicates: 0 });
    const rejected = first.body.rejected as { index: number; error: { code: string; message: string } }[];
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.index).toBe(17);
    expect(rejected[0]!.error.code).toBe('validation_failed');
    expect(await countEvents(tenant.id)).toBe(49);

    const again = await post(BATCH, { events }, { token });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 49 });
    expect((again.body.rejected as { index: number }[]).map((r) => r.index)).toEqual([17]);
    expect(await countEvents(tenant.id)).toBe(49);

    const row = await t.ctx.kysely
      .selectFrom('telemetry_events')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .where('client_event_id', '=', 'ev-0')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ conversation_id: conversationId, page_type: 'product', type: 'page_view' });
  });

  it('answers 200 even when every event is rejected', async () => {
    const { token } = await session();
    const res = await post(BATCH, { events: [{ type: 'Not Snake' }, { nope: 1 }] }, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 0, duplicates: 0 });
    expect((res.body.rejected as { index: number }[]).map((r) => r.index)).toEqual([0, 1]);
  });

  it('rejects only the event holding text the database cannot store', async () => {
    const { tenant, token } = await session();
    const res = await post(
      BATCH,
      { events: [{ type: 'page_view', properties: { title: 'a\u0000b' } }, { type: 'page_view' }] },
      { token },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 1, rejected: [{ index: 0, error: { code: 'validation_failed' } }] });
    expect(await countEvents(tenant.id)).toBe(1);
  });

  it('documents both routes with their bodies and either credential', async () => {
    const doc = JSON.parse((await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).body);
    const batch = doc.paths['/api/public/v1/chat/events/batch'].post;
    expect(batch.security).toEqual([{ sessionToken: [] }, { publicKey: [] }]);
    expect(batch.requestBody.content['application/json'].schema.properties.events.maxItems).toBe(50);
    const single = doc.paths['/api/public/v1/chat/events'].post;
    expect(Object.keys(single.responses)).toEqual(expect.arrayContaining(['202', '401', '403', '422']));
  });

  it('counts a clientEventId repeated inside one batch once', async () => {
    const { tenant, token } = await session();
    const res = await post(
      BATCH,
      {
        events: [
          { type: 'widget_close', clientEventId: 'x' },
          { type: 'widget_close', clientEventId: 'x' },
        ],
      },
      { token },
    );
    expect(res.body).toMatchObject({ accepted: 1, duplicates: 1, rejected: [] });
    expect(await countEvents(tenant.id)).toBe(1);
  });
});

describe('POST /chat/events: credentials and origins', () => {
  it('accepts an event before a session with the public key and an anonymousId', async () => {
    const { tenant, key } = await seedTenant(t.ctx);
    const res = await post(EVENTS, {
      type: 'widget_open',
      publicKey: key.key,
      anonymousId: 'anon-7',
      properties: { pageType: 'checkout' },
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    const row = await t.ctx.kysely
      .selectFrom('telemetry_events')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      anonymous_id: 'anon-7',
      conversation_id: null,
      session_id: null,
      page_type: 'checkout',
    });

    // The key in a header, the visitor in the batch.
    const batch = await post(
      BATCH,
      { anonymousId: 'anon-7', events: [{ type: 'page_view' }] },
      { headers: { 'x-comerix-public-key': key.key } },
    );
    expect(batch.body).toMatchObject({ accepted: 1 });

    // A public key without anonymousId: the event is invalid.
    const anonymousless = await post(EVENTS, { type: 'widget_open', publicKey: key.key });
    expect(anonymousless.status).toBe(422);
    expect(code(anonymousless)).toBe('validation_failed');
  });

  it('answers 401 with neither a session nor a key', async () => {
    await seedTenant(t.ctx);
    const res = await post(EVENTS, { type: 'widget_open', anonymousId: 'a' });
    expect(res.status).toBe(401);
    expect(code(res)).toBe('invalid_session_token');
    const batch = await post(BATCH, { events: [{ type: 'widget_open' }] });
    expect(batch.status).toBe(401);
  });

  it('refuses a foreign origin with 403 and no CORS headers, by session and by key', async () => {
    const { key, token } = await session();
    for (const res of [
      await post(EVENTS, { type: 'widget_open' }, { token, origin: 'https://evil.example' }),
      await post(
        BATCH,
        { events: [{ type: 'widget_open' }], publicKey: key.key, anonymousId: 'a' },
        { origin: 'https://evil.example' },
      ),
      await post(EVENTS, { type: 'widget_open', publicKey: key.key, anonymousId: 'a' }, { origin: null }),
    ]) {
      expect(res.status).toBe(403);
      expect(code(res)).toBe('origin_not_allowed');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('refuses a conversationId that is not the session conversation', async () => {
    const { token } = await session();
    const res = await post(
      EVENTS,
      { type: 'widget_open', conversationId: '01900000-0000-7000-8000-000000000000' },
      { token },
    );
    expect(res.status).toBe(422);
  });

  it('duplicates by clientEventId on the single endpoint too', async () => {
    const { token } = await session();
    const event = { type: 'message_sent', clientEventId: 'single-1', properties: { length: 12 } };
    expect((await post(EVENTS, event, { token })).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const again = await post(EVENTS, event, { token });
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
  });
});

describe('Idempotency-Key on telemetry', () => {
  it('replays the first answer of a batch, written with its events', async () => {
    const { tenant, token } = await session();
    const body = { events: [{ type: 'widget_close' }, { type: 'nope!' }] };
    const headers = { 'idempotency-key': 'batch-1' };
    const first = await post(BATCH, body, { token, headers });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ accepted: 1, rejected: [{ index: 1 }] });
    const again = await post(BATCH, body, { token, headers });
    expect(again.status).toBe(200);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await countEvents(tenant.id)).toBe(1);
    const single = await post(EVENTS, { type: 'widget_close' }, { token, headers: { 'idempotency-key': 's-1' } });
    expect(single.status).toBe(202);
    const replayed = await post(EVENTS, { type: 'widget_close' }, { token, headers: { 'idempotency-key': 's-1' } });
    expect(replayed.status).toBe(202);
    expect(replayed.headers['idempotency-replayed']).toBe('true');
    expect(await countEvents(tenant.id)).toBe(2);
  });
});

describe('goal CLI', () => {
  it('creates, lists with hit counts and deletes goals; usage errors are invalid_request', async () => {
    const { tenant, token } = await session();
    const created = await runCommand(t.ctx, {
      command: 'goal:create',
      tenant: tenant.slug,
      key: 'viewed_cart',
      name: 'Viewed the cart',
      eventType: 'page_view',
      properties: { pageType: 'cart' },
    });
    expect(created).toBe('viewed_cart');
    await post(BATCH, { events: [{ type: 'page_view', properties: { pageType: 'cart' } }] }, { token });
    const list = await runCommand(t.ctx, { command: 'goal:list', tenant: tenant.slug });
    expect(list.split('\n')[0]).toMatch(/^KEY\s+NAME\s+EVENT TYPE\s+PROPERTIES\s+HITS$/);
    expect(list).toMatch(/viewed_cart\s+Viewed the cart\s+page_view\s+pageType=cart\s+1/);
    await expect(
      runCommand(t.ctx, { command: 'goal:create', tenant: tenant.slug, key: 'viewed_cart', name: 'Again' }),
    ).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(
      runCommand(t.ctx, { command: 'goal:create', tenant: tenant.slug, key: 'Bad-Key', name: 'x' }),
    ).rejects.toMatchObject({ code: 'invalid_request' });
    expect(await runCommand(t.ctx, { command: 'goal:delete', tenant: tenant.slug, key: 'viewed_cart' })).toBe(
      'viewed_cart',
    );
    await expect(
      runCommand(t.ctx, { command: 'goal:delete', tenant: tenant.slug, key: 'viewed_cart' }),
    ).rejects.toMatchObject({ code: 'not_found' });
    // The hit stays, by key, unlinked.
    const hits = await t.ctx.kysely.selectFrom('goal_hits').selectAll().where('tenant_id', '=', tenant.id).execute();
    expect(hits).toMatchObject([{ goal: 'viewed_cart', goal_id: null }]);
  });
});

describe('goals', () => {
  it('a goal on add_to_cart with a property filter is hit only by matching events, in their conversation', async () => {
    const { tenant, token, conversationId } = await session();
    await createGoal(t.ctx, {
      tenantId: tenant.id,
      key: 'added_shoes',
      name: 'Added shoes',
      eventType: 'add_to_cart',
      properties: { productId: 'sku-shoe', quantity: '2' },
    });
    await createGoal(t.ctx, { tenantId: tenant.id, key: 'any_cart', name: 'Any cart', eventType: 'add_to_cart' });
    const res = await post(
      BATCH,
      {
        events: [
          { type: 'add_to_cart', clientEventId: 'c1', properties: { productId: 'sku-shoe', quantity: 2 } },
          { type: 'add_to_cart', clientEventId: 'c2', properties: { productId: 'sku-shoe', quantity: 1 } },
          { type: 'add_to_cart', clientEventId: 'c3', properties: { productId: 'sku-hat', quantity: 2 } },
          { type: 'page_view', clientEventId: 'c4', properties: { productId: 'sku-shoe', quantity: 2 } },
        ],
      },
      { token },
    );
    expect(res.body).toMatchObject({ accepted: 4 });
    // A retry records no hit again.
    await post(
      BATCH,
      { events: [{ type: 'add_to_cart', clientEventId: 'c1', properties: { productId: 'sku-shoe', quantity: 2 } }] },
      { token },
    );
    const hits = await t.ctx.kysely
      .selectFrom('goal_hits')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .orderBy('id')
      .execute();
    const byGoal = (key: string) => hits.filter((h) => h.goal === key);
    expect(byGoal('added_shoes')).toHaveLength(1);
    expect(byGoal('added_shoes')[0]).toMatchObject({ conversation_id: conversationId, execution_id: null });
    expect(byGoal('added_shoes')[0]!.goal_id).not.toBeNull();
    expect(byGoal('any_cart')).toHaveLength(3);
  });

  it("a flow's goal node hit links to the defined goal with its key, and is kept by key when none is defined", async () => {
    const flow = exampleFlow('returns') as { nodes: Record<string, unknown>[]; edges: Record<string, unknown>[] };
    flow.nodes.push(
      { id: 'g1', type: 'goal', goal: 'return_started' },
      { id: 'g2', type: 'goal', goal: 'undefined_goal' },
    );
    flow.edges = flow.edges.map((e) => (e.from === 'confirm' ? { from: 'confirm', to: 'g1' } : e));
    flow.edges.push({ from: 'g1', to: 'g2' }, { from: 'g2', to: 'done' });
    const { tenant, key } = await seedTenant(t.ctx, { flows: [exampleFlow('order_status'), flow] });
    await createGoal(t.ctx, { tenantId: tenant.id, key: 'return_started', name: 'Return started' });
    const w = new Widget(t.app);
    await w.open(key.key);
    const reason = await w.trigger('returns');
    const form = await w.resume(reason, { reason: 'damaged' });
    const done = await w.resume(form, { order_number: '4242' });
    expect(done.body.status).toBe('completed');
    const hits = await t.ctx.kysely.selectFrom('goal_hits').selectAll().where('tenant_id', '=', tenant.id).execute();
    const defined = hits.find((h) => h.goal === 'return_started');
    const undefinedGoal = hits.find((h) => h.goal === 'undefined_goal');
    expect(defined?.goal_id).toBeTruthy();
    expect(defined?.execution_id).toBe(done.body.executionId);
    expect(undefinedGoal).toMatchObject({ goal_id: null, node_id: 'g2' });
  });
});
