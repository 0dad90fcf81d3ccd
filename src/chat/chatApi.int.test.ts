import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockTypes, exampleFlow, ORIGIN, seedTenant, Widget } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { importFlow, publishFlow, unpublishFlow } from '../flows/flowService.js';
import { revokeWidgetKey } from '../keys/widgetKeyService.js';
import { Secrets } from '../security/secrets.js';
import { signSessionToken } from '../security/sessionToken.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('quick start steps 2–5', () => {
  it('opens a session, triggers order_status, resumes to completed with blocks in order', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    const session = await w.open(key.key);
    expect(session.status).toBe(201);

    const turn = await w.trigger('order_status', { text: 'check my order' });
    expect(turn.status).toBe(200);
    expect(turn.body.status).toBe('waiting_input');
    expect(turn.body.waitToken).toMatch(/^wt_[A-Za-z0-9_-]{43}$/);
    expect(turn.body.executionId).toMatch(UUID_V7);
    expect(turn.body.conversationId).toBe(session.body.conversationId);
    expect(blockTypes(turn)).toEqual(['text', 'form']);
    const blocks = turn.body.blocks as Record<string, unknown>[];
    expect(blocks[0]).toMatchObject({ type: 'text', text: 'Let me check that for you.' });
    expect(blocks[1]).toMatchObject({
      type: 'form',
      submitLabel: 'Check',
      fields: [{ name: 'order_number', type: 'text', required: true }],
    });
    expect(new Set(blocks.map((b) => b.id)).size).toBe(2);
    expect(turn.body.wait).toMatchObject({ type: 'input', fields: [{ name: 'order_number' }] });

    const done = await w.resume(turn, { order_number: '12345' });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('completed');
    expect(done.body.executionId).toBe(turn.body.executionId);
    expect(done.body.blocks).toEqual([
      expect.objectContaining({ type: 'markdown', text: 'Order **12345** has shipped.' }),
    ]);
    expect(done.body.waitToken).toBeUndefined();
  });

  it('loops through a choice and ends aborted with the end node reason', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    await w.open(key.key);
    const first = await w.trigger('order_status');
    const unknown = await w.resume(first, { order_number: '999' });
    expect(unknown.body.status).toBe('waiting_input');
    expect(blockTypes(unknown)).toEqual(['buttons']);
    expect(unknown.body.wait).toMatchObject({ fields: [{ name: 'unknown', type: 'select' }] });
    const retry = await w.resume(unknown, { unknown: 'retry' });
    expect(blockTypes(retry)).toEqual(['form']);
    const again = await w.resume(retry, { order_number: '888' });
    const stop = await w.resume(again, { unknown: 'stop' });
    expect(stop.body).toMatchObject({ status: 'aborted', reason: 'user_declined', blocks: [] });
  });

  it('runs the returns flow: choice, ask form, message, completed', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    await w.open(key.key);
    const reason = await w.trigger('returns');
    expect(blockTypes(reason)).toEqual(['buttons']);
    const form = await w.resume(reason, { reason: 'damaged' });
    expect(form.body.status).toBe('waiting_input');
    expect(blockTypes(form)).toContain('form');
    const done = await w.resume(form, { order_number: '4242', comment: 'Box was wet' });
    expect(done.body.status).toBe('completed');
    expect((done.body.blocks as { text: string }[])[0]!.text).toContain('**4242**');
  });
});

describe('sessions', () => {
  it('answers the seed shape, a signed token, a UUIDv7 conversation and intents = allowed ∩ published', async () => {
    const { tenant, key } = await seedTenant(t.ctx, { key: { intents: ['order_status', 'returns'] } });
    await unpublishFlow(t.ctx, tenant.id, 'returns');
    const res = await new Widget(t.app).open(key.key);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual([
      'conversationId',
      'conversationToken',
      'expiresAt',
      'intents',
      'sessionToken',
      'widget',
    ]);
    expect(String(res.body.sessionToken).startsWith('eyJ0aWQi')).toBe(true);
    expect(res.body.conversationId).toMatch(UUID_V7);
    expect(res.body.expiresAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(res.body.widget).toEqual({ label: 'Demo widget' });
    expect(res.body.intents).toEqual([
      {
        name: 'order_status',
        description: 'Look up the status of an order',
        examples: ['Where is my order #...'],
        required_entities: [],
      },
    ]);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
  });

  it('gives an --all-intents key newly published intents without re-issuing it', async () => {
    const { tenant, key } = await seedTenant(t.ctx, {
      flows: [exampleFlow('order_status')],
      key: { allIntents: true },
    });
    const before = await new Widget(t.app).open(key.key);
    expect((before.body.intents as { name: string }[]).map((i) => i.name)).toEqual(['order_status']);
    await importFlow(t.ctx, tenant.id, exampleFlow('returns'), { publish: true });
    const after = await new Widget(t.app).open(key.key);
    expect((after.body.intents as { name: string }[]).map((i) => i.name)).toEqual(['order_status', 'returns']);
  });

  it('refuses unknown and revoked keys with 401 invalid_public_key', async () => {
    const { key } = await seedTenant(t.ctx);
    const unknown = await new Widget(t.app).open(`pk_live_${'0'.repeat(32)}`);
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toMatchObject({ code: 'invalid_public_key', status: 401, retryable: false });
    await revokeWidgetKey(t.ctx, key.key);
    const revoked = await new Widget(t.app).open(key.key);
    expect(revoked.status).toBe(401);
    expect((revoked.body.error as { code: string }).code).toBe('invalid_public_key');
    // Readable by the widget: the origin is one that active keys allow (the preflight's rule).
    expect(revoked.headers['access-control-allow-origin']).toBe(ORIGIN);
    const stranger = await new Widget(t.app, 'https://stranger.example').open(key.key);
    expect(stranger.status).toBe(401);
    expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses another origin with 403 and no CORS headers, on the preflight and the request', async () => {
    const { key } = await seedTenant(t.ctx);
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/public/v1/chat/sessions',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(403);
    expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    expect(JSON.parse(preflight.body).error.code).toBe('origin_not_allowed');

    const res = await new Widget(t.app, 'https://evil.example').open(key.key);
    expect(res.status).toBe(403);
    expect((res.body.error as { code: string }).code).toBe('origin_not_allowed');
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('answers an allowed preflight with the exact origin, allowed and exposed headers', async () => {
    const { key } = await seedTenant(t.ctx);
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: `/api/public/v1/chat/messages?publicKey=${key.key}`,
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(String(res.headers['access-control-allow-headers'])).toContain('Idempotency-Key');
    expect(String(res.headers['access-control-allow-headers'])).toContain('Last-Event-ID');
    expect(String(res.headers.vary)).toContain('Origin');
  });

  it('refuses a POST without Origin unless the key allows server-side callers', async () => {
    const { key } = await seedTenant(t.ctx);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/public/v1/chat/sessions',
      headers: { 'content-type': 'application/json' },
      payload: { publicKey: key.key, customerId: 'u-1' },
    });
    expect(res.statusCode).toBe(403);
    const { key: serverKey } = await seedTenant(t.ctx, { key: { allowServerSide: true, origins: [] } });
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/public/v1/chat/sessions',
      headers: { 'content-type': 'application/json' },
      payload: { publicKey: serverKey.key, customerId: 'u-1' },
    });
    expect(ok.statusCode).toBe(201);
  });

  it('continues a conversation only with its conversationToken', async () => {
    const { key } = await seedTenant(t.ctx);
    const first = new Widget(t.app);
    const opened = await first.open(key.key);
    await first.trigger('order_status');

    const noToken = await new Widget(t.app).open(key.key, { conversationId: opened.body.conversationId });
    expect(noToken.status).toBe(404);
    expect((noToken.body.error as { code: string }).code).toBe('not_found');
    const wrongToken = await new Widget(t.app).open(key.key, {
      conversationId: opened.body.conversationId,
      conversationToken: 'ct_nope',
    });
    expect(wrongToken.status).toBe(404);

    const again = new Widget(t.app);
    const continued = await again.open(key.key, {
      conversationId: opened.body.conversationId,
      conversationToken: opened.body.conversationToken,
    });
    expect(continued.status).toBe(201);
    expect(continued.body.conversationId).toBe(opened.body.conversationId);
    const history = await again.get('/api/public/v1/chat/history');
    expect(history.status).toBe(200);
    expect((history.body.items as unknown[]).length).toBeGreaterThan(0);
    expect(history.body.pending).toMatchObject({ status: 'waiting_input' });
    expect(String((history.body.pending as { waitToken: string }).waitToken)).toMatch(/^wt_/);
  });

  it('keeps each conversation history to itself', async () => {
    const { key } = await seedTenant(t.ctx);
    const a = new Widget(t.app);
    await a.open(key.key);
    const turn = await a.trigger('order_status', { text: 'secret of A' });
    const b = new Widget(t.app);
    await b.open(key.key);
    const history = await b.get('/api/public/v1/chat/history');
    expect(history.body.items).toEqual([]);
    expect(history.body.pending).toBeUndefined();
    expect(JSON.stringify(history.body)).not.toContain('secret of A');
    const mine = await a.get('/api/public/v1/chat/history');
    expect(mine.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ role: 'user', text: 'secret of A', executionId: turn.body.executionId }),
      ]),
    );
  });

  it('pages through the transcript in order with every limit, items split across turns or not', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    await w.open(key.key);
    // trigger (user + 2 blocks), resume (user + 1 block), trigger again (user + 2 blocks): 8 items in 3 turn rows.
    const first = await w.trigger('order_status', { text: 'first' });
    expect((await w.resume(first, { order_number: '12345' })).status).toBe(200);
    const second = await w.trigger('order_status', { text: 'second' });
    const all = await w.get('/api/public/v1/chat/history?limit=200');
    const items = all.body.items as { id: string; role: string; text?: string; values?: unknown; block?: unknown }[];
    expect(all.body.nextCursor).toBeNull();
    expect(items.map((i) => i.role)).toEqual(['user', 'bot', 'bot', 'user', 'bot', 'user', 'bot', 'bot']);
    expect(items[0]).toMatchObject({ text: 'first', executionId: first.body.executionId });
    expect(items[3]).toMatchObject({ values: { order_number: '12345' } });
    expect(items[5]).toMatchObject({ text: 'second', executionId: second.body.executionId });
    expect(items.slice(6).map((i) => i.block)).toEqual(second.body.blocks);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);

    for (const limit of [1, 2, 3, 4, 7, 8]) {
      const paged: unknown[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const url: string = `/api/public/v1/chat/history?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await w.get(url);
        expect(page.status).toBe(200);
        const got = page.body.items as unknown[];
        expect(got.length).toBeLessThanOrEqual(limit);
        paged.push(...got);
        cursor = page.body.nextCursor as string | null;
        pages += 1;
      } while (cursor !== null && pages < 20);
      expect(paged, `limit ${limit}`).toEqual(items);
      expect(pages, `limit ${limit}`).toBe(Math.ceil(items.length / limit));
    }

    for (const bad of ['7', 'abc', '1.2.3', '-1.0']) {
      const refused = await w.get(`/api/public/v1/chat/history?cursor=${bad}`);
      expect(refused.status, bad).toBe(400);
      expect((refused.body.error as { code: string }).code).toBe('invalid_request');
    }
  });
});

describe('messages', () => {
  it('refuses an intent outside the key scope (403) and one with no published flow (404)', async () => {
    const { tenant, key } = await seedTenant(t.ctx, { key: { intents: ['order_status'] } });
    const w = new Widget(t.app);
    await w.open(key.key);
    const notAllowed = await w.trigger('returns');
    expect(notAllowed.status).toBe(403);
    expect((notAllowed.body.error as { code: string }).code).toBe('intent_not_allowed');
    expect(notAllowed.headers['access-control-allow-origin']).toBe(ORIGIN);
    await unpublishFlow(t.ctx, tenant.id, 'order_status');
    const notMatched = await w.trigger('order_status');
    expect(notMatched.status).toBe(404);
    expect((notMatched.body.error as { code: string }).code).toBe('intent_not_matched');
  });

  it('refuses tampered, foreign-tenant, expired and missing tokens with 401', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    const opened = await w.open(key.key);
    const token = String(opened.body.sessionToken);
    const [payload, sig] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());

    const tampered = new Widget(t.app);
    tampered.token = `${Buffer.from(JSON.stringify({ ...claims, cid: '00000000-0000-7000-8000-000000000000' })).toString('base64url')}.${sig}`;
    expect((await tampered.trigger('order_status')).body.error).toMatchObject({
      code: 'invalid_session_token',
      status: 401,
    });

    const foreign = new Widget(t.app);
    foreign.token = signSessionToken(new Secrets(Buffer.alloc(32, 7)), {
      tid: claims.tid,
      sid: claims.sid,
      cid: claims.cid,
      exp: claims.exp,
    });
    expect((await foreign.trigger('order_status')).status).toBe(401);

    const otherTenant = await seedTenant(t.ctx);
    const forged = new Widget(t.app);
    forged.token = signSessionToken(t.ctx.secrets, {
      tid: otherTenant.tenant.id,
      sid: claims.sid,
      cid: claims.cid,
      exp: claims.exp,
    });
    expect((await forged.trigger('order_status')).body.error).toMatchObject({ code: 'invalid_session_token' });

    const expired = new Widget(t.app);
    expired.token = signSessionToken(t.ctx.secrets, {
      tid: claims.tid,
      sid: claims.sid,
      cid: claims.cid,
      exp: Math.floor(Date.now() / 1000) - 5,
    });
    const expiredRes = await expired.trigger('order_status');
    expect(expiredRes.body.error).toMatchObject({ code: 'session_expired', status: 401 });
    // The widget can read it and knows to open a new session.
    expect(expiredRes.headers['access-control-allow-origin']).toBe(ORIGIN);

    const missing = new Widget(t.app);
    expect((await missing.trigger('order_status')).body.error).toMatchObject({ code: 'invalid_session_token' });
  });

  it('stops the sessions of a revoked key', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    await w.open(key.key);
    await revokeWidgetKey(t.ctx, key.key);
    const res = await w.trigger('order_status');
    expect(res.status).toBe(401);
    expect((res.body.error as { code: string }).code).toBe('invalid_public_key');
  });

  it('answers 409 wait_token_invalid for a used token', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    await w.open(key.key);
    const turn = await w.trigger('order_status');
    expect((await w.resume(turn, { order_number: '999' })).status).toBe(200);
    const reused = await w.resume(turn, { order_number: '12345' });
    expect(reused.status).toBe(409);
    expect(reused.body.error).toMatchObject({ code: 'wait_token_invalid', retryable: false });
    const forged = await w.send({ waitToken: 'wt_forged', executionId: turn.body.executionId, values: {} });
    expect((forged.body.error as { code: string }).code).toBe('wait_token_invalid');
  });

  it('runs exactly one of two concurrent resumes of one wait', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    await w.open(key.key);
    const turn = await w.trigger('order_status');
    const results = await Promise.all([
      w.resume(turn, { order_number: '12345' }),
      w.resume(turn, { order_number: '12345' }),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409]);
    expect((results.find((r) => r.status === 409)!.body.error as { code: string }).code).toBe('wait_token_invalid');
    const poll = await w.get(`/api/public/v1/chat/executions/${turn.body.executionId}`);
    expect(poll.body.status).toBe('completed');
    const markdown = (poll.body.blocks as { type: string }[]).filter((b) => b.type === 'markdown');
    expect(markdown).toHaveLength(1);
  });

  it('answers 422 per field for wrong values and keeps the execution waiting', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    await w.open(key.key);
    const turn = await w.trigger('order_status');
    const bad = await w.resume(turn, { order_number: 'abc', extra: 1 });
    expect(bad.status).toBe(422);
    const fields = (bad.body.error as { details: { fields: { path: string; rule: string }[] } }).details.fields;
    expect(fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'values.order_number', rule: 'pattern' }),
        expect.objectContaining({ path: 'values.extra', rule: 'unknown_field' }),
      ]),
    );
    const missing = await w.resume(turn, {});
    expect((missing.body.error as { details: { fields: { path: string; rule: string }[] } }).details.fields).toEqual([
      expect.objectContaining({ path: 'values.order_number', rule: 'required' }),
    ]);
    const poll = await w.get(`/api/public/v1/chat/executions/${turn.body.executionId}`);
    expect(poll.body.status).toBe('waiting_input');
    expect(poll.body.waitToken).toBe(turn.body.waitToken);
    expect((await w.resume(turn, { order_number: '12345' })).body.status).toBe('completed');
  });

  it('answers 422 naming the path and rule for variables over each bound', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    await w.open(key.key);
    const cases: [unknown, string, string][] = [
      [{ BadKey: 1 }, 'variables.BadKey', 'key_format'],
      [Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])), 'variables', 'max_keys'],
      [{ blob: 'x'.repeat(4100) }, 'variables', 'max_bytes'],
      [{ a: { b: { c: { d: { e: 1 } } } } }, 'variables.a.b.c.d', 'max_depth'],
    ];
    for (const [variables, path, rule] of cases) {
      const res = await w.trigger('order_status', { variables });
      expect(res.status, rule).toBe(422);
      expect((res.body.error as { details: { fields: unknown[] } }).details.fields).toEqual(
        expect.arrayContaining([expect.objectContaining({ path, rule })]),
      );
    }
    const ok = await w.trigger('order_status', { variables: { a: { b: { c: { d: 1 } } }, cart_total: 42 } });
    expect(ok.status).toBe(200);
    const session = await new Widget(t.app).open(key.key, { variables: { Bad: 1 } });
    expect(session.status).toBe(422);
  });

  it('answers 400 for malformed JSON and for a body that is both or neither trigger and resume', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    await w.open(key.key);
    const malformed = await w.send('{"intentName": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ code: 'invalid_request', status: 400, retryable: false });
    expect(typeof (malformed.body.error as { requestId: string }).requestId).toBe('string');
    expect(JSON.stringify(malformed.body)).not.toMatch(/at .*\.js|stack/i);
    const both = await w.send({
      intentName: 'order_status',
      waitToken: 'wt_x',
      executionId: '0193f8a1-0000-7000-8000-000000000000',
    });
    expect(both.status).toBe(400);
    const neither = await w.send({ text: 'hello' });
    expect(neither.status).toBe(400);
    const wrongType = await w.send({ intentName: 42 });
    expect(wrongType.status).toBe(400);
    expect((wrongType.body.error as { details: { fields: { path: string }[] } }).details.fields[0]!.path).toBe(
      'body.intentName',
    );
  });

  it('answers 400, not 500, for text the database cannot store (NUL, lone surrogates)', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    await w.open(key.key);
    const nul = await w.send('{"intentName":"order_status","text":"a\\u0000b"}');
    expect(nul.status).toBe(400);
    expect((nul.body.error as { details: { fields: { path: string }[] } }).details.fields[0]!.path).toBe('body.text');
    const surrogate = await w.send('{"intentName":"order_status","variables":{"x":"a\\ud800b"}}');
    expect(surrogate.status).toBe(400);
    const turn = await w.trigger('order_status');
    const values = await w.send(
      `{"waitToken":"${turn.body.waitToken}","executionId":"${turn.body.executionId}","values":{"order_number":"\\u0000"}}`,
    );
    expect(values.status).toBe(400);
    expect((await w.resume(turn, { order_number: '12345' })).body.status).toBe('completed');
  });

  it('answers 413 for a body over 64 KB', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    await w.open(key.key);
    const res = await w.send({ intentName: 'order_status', text: 'x'.repeat(70 * 1024) });
    expect(res.status).toBe(413);
    expect((res.body.error as { code: string }).code).toBe('payload_too_large');
  });

  it("hides another conversation's and another tenant's executions behind 404", async () => {
    const { key } = await seedTenant(t.ctx);
    const a = new Widget(t.app);
    await a.open(key.key);
    const turn = await a.trigger('order_status');
    const b = new Widget(t.app);
    await b.open(key.key);
    const other = await b.get(`/api/public/v1/chat/executions/${turn.body.executionId}`);
    expect(other.status).toBe(404);
    expect((other.body.error as { code: string }).code).toBe('execution_not_found');
    const resume = await b.resume(turn, { order_number: '12345' });
    expect(resume.status).toBe(404);

    const foreign = await seedTenant(t.ctx);
    const c = new Widget(t.app);
    await c.open(foreign.key.key);
    expect((await c.get(`/api/public/v1/chat/executions/${turn.body.executionId}`)).status).toBe(404);
  });

  it('replays the same Idempotency-Key + body and runs one execution', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    const opened = await w.open(key.key);
    const headers = { 'idempotency-key': 'turn-1' };
    const first = await w.send({ intentName: 'order_status', text: 'hi' }, headers);
    const second = await w.send({ intentName: 'order_status', text: 'hi' }, headers);
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotency-replayed']).toBe('true');
    const count = await t.ctx.kysely
      .selectFrom('executions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('conversation_id', '=', String(opened.body.conversationId))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
    const reordered = await w.send('{"text":"hi","intentName":"order_status"}', headers);
    expect(reordered.body).toEqual(first.body);
    const reused = await w.send({ intentName: 'order_status', text: 'different' }, headers);

    expect(reused.status).toBe(422);
    expect((reused.body.error as { code: string }).code).toBe('idempotency_key_reused');
    // Another session with the same key string does not see the first session's response.
    const other = new Widget(t.app);
    await other.open(key.key);
    const fresh = await other.send({ intentName: 'order_status', text: 'hi' }, headers);
    expect(fresh.body.executionId).not.toBe(first.body.executionId);
  });

  it('supersedes an execution waiting for input when a new one is triggered', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    await w.open(key.key);
    const first = await w.trigger('order_status');
    const second = await w.trigger('returns');
    expect(second.status).toBe(200);
    const poll = await w.get(`/api/public/v1/chat/executions/${first.body.executionId}`);
    expect(poll.body).toMatchObject({ status: 'aborted', reason: 'superseded' });
    const late = await w.resume(first, { order_number: '12345' });
    expect(late.status).toBe(409);
    expect((late.body.error as { code: string }).code).toBe('execution_not_waiting');
  });
});

describe('flow versions and the step guard', () => {
  it('finishes a waiting execution on its old version after a republish', async () => {
    const { tenant, key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    await w.open(key.key);
    const waiting = await w.trigger('order_status');
    const v2 = exampleFlow('order_status');
    (v2.nodes as { id: string; blocks?: { text: string }[] }[]).find((n) => n.id === 'shipped')!.blocks![0]!.text =
      'V2: {{ vars.order_number }} shipped';
    await importFlow(t.ctx, tenant.id, v2);
    const { version } = await publishFlow(t.ctx, tenant.id, 'order_status');
    expect(version.version).toBe(2);
    const done = await w.resume(waiting, { order_number: '12345' });
    expect(done.body.blocks).toEqual([expect.objectContaining({ text: 'Order **12345** has shipped.' })]);
    const fresh = new Widget(t.app);
    await fresh.open(key.key);
    const next = await fresh.trigger('order_status');
    const finished = await fresh.resume(next, { order_number: '12345' });
    expect((finished.body.blocks as { text: string }[])[0]!.text).toContain('V2:');
  });

  it('fails a flow that loops without waiting with step_limit_exceeded and stays healthy', async () => {
    const loop = {
      intent: { name: 'spin', description: 'Loops', examples: [], required_entities: [] },
      start: 'inc',
      nodes: [
        { id: 'inc', type: 'set', assign: { n: '$exists(vars.n) ? vars.n + 1 : 1' } },
        { id: 'again', type: 'condition', expression: 'true' },
        { id: 'never', type: 'end' },
      ],
      edges: [
        { from: 'inc', to: 'again' },
        { from: 'again', port: 'true', to: 'inc' },
        { from: 'again', port: 'false', to: 'never' },
      ],
    };
    const { key } = await seedTenant(t.ctx, { flows: [loop], key: { allIntents: true } });
    const w = new Widget(t.app);
    await w.open(key.key);
    const res = await w.trigger('spin');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('failed');
    expect(res.body.error).toMatchObject({ code: 'step_limit_exceeded' });
    expect(blockTypes(res)).toEqual(['error']);
    const health = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(health.statusCode).toBe(200);
    const poll = await w.get(`/api/public/v1/chat/executions/${res.body.executionId}`);
    expect(poll.body).toMatchObject({ status: 'failed', error: { code: 'step_limit_exceeded' } });
  });
});

describe('polling', () => {
  it('returns only the blocks after the cursor and advances the cursor on status changes', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    await w.open(key.key);
    const turn = await w.trigger('order_status');
    const all = await w.get(`/api/public/v1/chat/executions/${turn.body.executionId}`);
    expect(all.body.blocks).toEqual(turn.body.blocks);
    expect(all.body.cursor).toBe(turn.body.cursor);
    const none = await w.get(`/api/public/v1/chat/executions/${turn.body.executionId}?after=${turn.body.cursor}`);
    expect(none.body.blocks).toEqual([]);
    expect(none.body.status).toBe('waiting_input');

    const longPoll = w.get(
      `/api/public/v1/chat/executions/${turn.body.executionId}?after=${turn.body.cursor}&waitSeconds=20`,
    );
    const order: string[] = [];
    const polled = longPoll.then((r) => {
      order.push('poll');
      return r;
    });
    await new Promise((r) => setTimeout(r, 50));
    order.push('resume');
    await w.resume(turn, { order_number: '12345' });
    const after = await polled;
    // The long poll was still open when the resume began, and returned the resume's outcome.
    expect(order).toEqual(['resume', 'poll']);
    expect(after.body.status).toBe('completed');
    expect(after.body.blocks).toEqual([expect.objectContaining({ type: 'markdown' })]);
    expect(after.body.cursor).not.toBe(turn.body.cursor);
    const bad = await w.get(`/api/public/v1/chat/executions/${turn.body.executionId}?after=nonsense`);
    expect(bad.status).toBe(400);
  });
});

describe('api documents', () => {
  it('serves the OpenAPI document with every endpoint, block type and error code', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = JSON.parse(res.body);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/admin/v1/analytics/query',
      '/api/admin/v1/audit',
      '/api/admin/v1/auth/login',
      '/api/admin/v1/auth/logout',
      '/api/admin/v1/config',
      '/api/admin/v1/config/{section}',
      '/api/admin/v1/connections',
      '/api/admin/v1/connections/{name}',
      '/api/admin/v1/connections/{name}/test',
      '/api/admin/v1/conversations',
      '/api/admin/v1/conversations/{id}',
      '/api/admin/v1/customers/{customerId}',
      '/api/admin/v1/customers/{customerId}/export',
      '/api/admin/v1/flows',
      '/api/admin/v1/flows/{id}',
      '/api/admin/v1/flows/{id}/diff',
      '/api/admin/v1/flows/{id}/draft',
      '/api/admin/v1/flows/{id}/publish',
      '/api/admin/v1/flows/{id}/rollback',
      '/api/admin/v1/flows/{id}/test-sessions',
      '/api/admin/v1/flows/{id}/unpublish',
      '/api/admin/v1/flows/{id}/validate',
      '/api/admin/v1/flows/{id}/versions',
      '/api/admin/v1/flows/{id}/versions/{version}',
      '/api/admin/v1/forms',
      '/api/admin/v1/forms/{id}',
      '/api/admin/v1/forms/{id}/publish',
      '/api/admin/v1/forms/{id}/submissions',
      '/api/admin/v1/me',
      '/api/admin/v1/prices',
      '/api/admin/v1/quick-questions',
      '/api/admin/v1/quick-questions/{id}',
      '/api/admin/v1/reports',
      '/api/admin/v1/reports/pinned',
      '/api/admin/v1/reports/{id}',
      '/api/admin/v1/reports/{id}/pin',
      '/api/admin/v1/reports/{id}/run',
      '/api/admin/v1/reports/{id}/runs',
      '/api/admin/v1/reports/{id}/runs/{runId}',
      '/api/admin/v1/reports/{id}/runs/{runId}/export',
      '/api/admin/v1/reports/{id}/schedule',
      '/api/admin/v1/reports/{id}/unpin',
      '/api/admin/v1/retention',
      '/api/admin/v1/secret-keys',
      '/api/admin/v1/secret-keys/{id}/revoke',
      '/api/admin/v1/sessions/{id}/revoke',
      '/api/admin/v1/time-zone',
      '/api/admin/v1/uploads/{id}',
      '/api/admin/v1/usage',
      '/api/admin/v1/users',
      '/api/admin/v1/users/{id}',
      '/api/admin/v1/webhooks',
      '/api/admin/v1/webhooks/deliveries',
      '/api/admin/v1/webhooks/deliveries/{id}/redeliver',
      '/api/admin/v1/webhooks/{id}',
      '/api/admin/v1/webhooks/{id}/disable',
      '/api/admin/v1/webhooks/{id}/enable',
      '/api/admin/v1/widget-keys',
      '/api/admin/v1/widget-keys/{id}',
      '/api/admin/v1/widget-keys/{id}/revoke',
      '/api/admin/v1/widget-settings',
      '/api/admin/v1/widget-settings/publish',
      '/api/engine/v1/analytics/query',
      '/api/engine/v1/conversations/{id}',
      '/api/engine/v1/conversions',
      '/api/engine/v1/customers/{customerId}',
      '/api/engine/v1/customers/{customerId}/export',
      '/api/engine/v1/executions/{id}',
      '/api/engine/v1/executions/{id}/abort',
      '/api/engine/v1/sessions',
      '/api/engine/v1/usage',
      '/api/mcp',
      '/api/public/v1/chat/events',
      '/api/public/v1/chat/events/batch',
      '/api/public/v1/chat/executions/{id}',
      '/api/public/v1/chat/executions/{id}/stream',
      '/api/public/v1/chat/history',
      '/api/public/v1/chat/messages',
      '/api/public/v1/chat/quick-questions',
      '/api/public/v1/chat/sessions',
      '/api/public/v1/chat/uploads',
      '/api/public/v1/config/{section}',
      '/api/public/v1/forms/{codeOrId}',
      '/api/public/v1/forms/{codeOrId}/schema',
      '/api/public/v1/forms/{codeOrId}/submissions',
      '/api/public/v1/forms/{codeOrId}/uploads',
      '/api/reports/v1/runs/{id}/download',
    ]);
    const blockTypesInDoc = Object.keys(doc.components.schemas).filter((k) => k.startsWith('Block_'));
    expect(blockTypesInDoc.length).toBeGreaterThanOrEqual(14);
    expect(doc.components.schemas.ErrorEnvelope.properties.error.properties.code.enum).toContain('wait_token_invalid');
    const docs = await t.app.inject({ method: 'GET', url: '/api/docs' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger-ui-bundle.js');
    const asset = await t.app.inject({ method: 'GET', url: '/api/docs/assets/swagger-ui-bundle.js' });
    expect(asset.statusCode).toBe(200);
  });

  it('answers /healthz and /readyz', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({ status: 'ready' });
  });
});
