import { type AddressInfo, connect } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, seedTenant, Widget } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { JSON_BODY_LIMIT } from './registerRoutes.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const DEPTH = 20_000;
const SESSIONS = '/api/public/v1/chat/sessions';
const MESSAGES = '/api/public/v1/chat/messages';
const FOREIGN = 'https://evil.example';
/** 20,000 nested arrays: 40,000 bytes of JSON. */
const deep = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;

interface ErrorBody {
  error: { code: string; status: number; details?: { fields: { path: string; rule: string }[] } };
}
const errorOf = (res: LightMyRequestResponse) => (JSON.parse(res.body) as ErrorBody).error;
const corsHeaders = (res: LightMyRequestResponse) =>
  Object.keys(res.headers).filter((h) => h.startsWith('access-control-'));

async function post(
  url: string,
  payload: string,
  headers: Record<string, string> = {},
  origin = ORIGIN,
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url,
    headers: { origin, 'content-type': 'application/json', ...headers },
    payload,
  });
}

async function ready() {
  const res = await t.app.inject({ method: 'GET', url: '/readyz' });
  expect(res.statusCode).toBe(200);
}

async function widget() {
  const { key } = await seedTenant(t.ctx);
  const w = new Widget(t.app);
  expect((await w.open(key.key)).status).toBe(201);
  return { key, w, auth: { authorization: `Bearer ${w.token}` } };
}

function expectMaxDepth(res: LightMyRequestResponse, root: 'variables' | 'values') {
  expect(res.statusCode, res.body.slice(0, 300)).toBe(422);
  const error = errorOf(res);
  expect(error.code).toBe('validation_failed');
  expect(error.details?.fields[0]?.rule).toBe('max_depth');
  expect(error.details?.fields[0]?.path.startsWith(root)).toBe(true);
  expect(error.details!.fields[0]!.path.length).toBeLessThan(200);
}

describe('bodies nested 20,000 deep', () => {
  for (const idempotencyKey of [undefined, 'deep-key']) {
    const extra: Record<string, string> = idempotencyKey ? { 'idempotency-key': idempotencyKey } : {};
    const label = idempotencyKey ? ' (with an Idempotency-Key)' : '';

    it(`answers 422 max_depth for variables on /chat/sessions and /chat/messages${label}`, async () => {
      const { key, auth } = await widget();
      const payload = `{"publicKey":"${key.key}","customerId":"u-1","variables":{"a":${deep}}}`;
      expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(JSON_BODY_LIMIT);
      const session = await post(SESSIONS, payload, extra);
      expectMaxDepth(session, 'variables');
      const message = await post(MESSAGES, `{"intentName":"order_status","variables":{"a":${deep}}}`, {
        ...auth,
        ...extra,
      });
      expectMaxDepth(message, 'variables');
      await ready();
    });

    it(`answers 422 max_depth for the values of a resume${label}`, async () => {
      const { w, auth } = await widget();
      const turn = await w.trigger('order_status');
      const res = await post(
        MESSAGES,
        `{"waitToken":"${turn.body.waitToken}","executionId":"${turn.body.executionId}","values":{"order_number":${deep}}}`,
        { ...auth, ...extra },
      );
      expectMaxDepth(res, 'values');
      // The wait is untouched.
      expect((await w.resume(turn, { order_number: '12345' })).body.status).toBe('completed');
      await ready();
    });

    it(`answers 400 invalid_request for another member nested that deep${label}`, async () => {
      const { key, auth } = await widget();
      const cases: [string, string, Record<string, string>][] = [
        [MESSAGES, `{"text":"hi","intentName":"order_status","x":${deep}}`, auth],
        [MESSAGES, deep, auth],
        [MESSAGES, `{"intentName":"order_status","text":${deep}}`, auth],
        [SESSIONS, `{"publicKey":"${key.key}","customerId":"u-1","x":${deep}}`, {}],
        [SESSIONS, `{"publicKey":"${key.key}","customerId":${deep}}`, {}],
      ];
      for (const [url, payload, headers] of cases) {
        const res = await post(url, payload, { ...headers, ...extra });
        expect(res.statusCode, `${url} ${payload.slice(0, 40)}`).toBe(400);
        expect(errorOf(res).code).toBe('invalid_request');
      }
      await ready();
    });
  }

  it('still answers 401 before looking at the depth', async () => {
    const res = await post(MESSAGES, `{"intentName":"order_status","variables":{"a":${deep}}}`);
    expect(res.statusCode).toBe(401);
    expect(errorOf(res).code).toBe('invalid_session_token');
  });
});

describe('CORS on refused bodies', () => {
  it('an allowed origin can read 400 (malformed), 413 (over 64 KB) and 415 (not JSON)', async () => {
    const { key, auth } = await widget();
    for (const [url, headers, body] of [
      [SESSIONS, {}, { publicKey: key.key, customerId: 'u-1' }],
      [MESSAGES, auth, { intentName: 'order_status' }],
    ] as const) {
      const malformed = await post(url, '{"publicKey": ', headers);
      expect(malformed.statusCode, url).toBe(400);
      expect(errorOf(malformed).code).toBe('invalid_request');
      expect(malformed.headers['access-control-allow-origin']).toBe(ORIGIN);

      const big = await post(url, JSON.stringify({ ...body, text: 'x'.repeat(JSON_BODY_LIMIT + 10) }), headers);
      expect(big.statusCode, url).toBe(413);
      expect(errorOf(big).code).toBe('payload_too_large');
      expect(big.headers['access-control-allow-origin']).toBe(ORIGIN);

      const plain = await t.app.inject({
        method: 'POST',
        url,
        headers: { origin: ORIGIN, 'content-type': 'text/plain', ...headers },
        payload: JSON.stringify(body),
      });
      expect(plain.statusCode, url).toBe(415);
      expect(errorOf(plain).code).toBe('unsupported_media_type');
      expect(plain.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(String(plain.headers['access-control-expose-headers'])).toContain('X-Request-Id');
    }
  });

  it('a foreign origin gets 403 origin_not_allowed with no access-control-* header', async () => {
    const { key, w, auth } = await widget();
    const session = await post(SESSIONS, JSON.stringify({ publicKey: key.key, customerId: 'u-1' }), {}, FOREIGN);
    expect(session.statusCode).toBe(403);
    expect(errorOf(session).code).toBe('origin_not_allowed');
    expect(corsHeaders(session)).toEqual([]);

    // A session this process has not verified yet (the service checks its row), then one it remembers.
    t.ctx.sessions.invalidate();
    const cold = await post(MESSAGES, JSON.stringify({ intentName: 'order_status' }), auth, FOREIGN);
    expect(cold.statusCode).toBe(403);
    expect(errorOf(cold).code).toBe('origin_not_allowed');
    expect(corsHeaders(cold)).toEqual([]);
    expect((await w.trigger('order_status')).status).toBe(200);
    const warm = await post(MESSAGES, JSON.stringify({ intentName: 'order_status' }), auth, FOREIGN);
    expect(warm.statusCode).toBe(403);
    expect(corsHeaders(warm)).toEqual([]);

    // Even from an origin some key allows, a session whose key does not allow it gets a bare 403.
    const other = await seedTenant(t.ctx, { key: { origins: ['https://other.example'] } });
    const stranger = new Widget(t.app, 'https://other.example');
    expect((await stranger.open(other.key.key)).status).toBe(201);
    const crossed = await post(
      MESSAGES,
      JSON.stringify({ intentName: 'order_status' }),
      { authorization: `Bearer ${stranger.token}` },
      ORIGIN,
    );
    expect(crossed.statusCode).toBe(403);
    expect(corsHeaders(crossed)).toEqual([]);
    const crossedOpen = await post(
      SESSIONS,
      JSON.stringify({ publicKey: other.key.key, customerId: 'u-1' }),
      {},
      ORIGIN,
    );
    expect(crossedOpen.statusCode).toBe(403);
    expect(corsHeaders(crossedOpen)).toEqual([]);
  });

  it('a foreign origin with an idempotency key, a hostile body or a bad shape still gets the bare 403', async () => {
    const { key, auth } = await widget();
    t.ctx.sessions.invalidate();
    const cases: [string, string, Record<string, string>][] = [
      [MESSAGES, `{"intentName":"order_status","variables":{"a":${deep}}}`, auth],
      [MESSAGES, '{"text":"neither trigger nor resume"}', auth],
      [MESSAGES, '{"waitToken":"wt_x","values":{}}', auth],
      [MESSAGES, '{"intentName":42}', auth],
      [MESSAGES, '{"intentName":"order_status"}', { ...auth, 'idempotency-key': 'foreign-1' }],
      [SESSIONS, `{"publicKey":"${key.key}","customerId":"u-1","variables":{"a":${deep}}}`, {}],
      [SESSIONS, `{"publicKey":"${key.key}","customerId":""}`, {}],
    ];
    for (const [url, payload, headers] of cases) {
      t.ctx.sessions.invalidate();
      const res = await post(url, payload, headers, FOREIGN);
      expect(res.statusCode, `${url} ${payload.slice(0, 50)}`).toBe(403);
      expect(errorOf(res).code).toBe('origin_not_allowed');
      expect(corsHeaders(res)).toEqual([]);
    }
    // The refused request stored nothing under its key: the right origin's request with it runs.
    const ok = await post(MESSAGES, '{"intentName":"order_status"}', { ...auth, 'idempotency-key': 'foreign-1' });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['idempotency-replayed']).toBeUndefined();
    await ready();
  });
});

describe('requests the HTTP parser refuses', () => {
  it('answers headers over the limit and a malformed request line with the error envelope, then closes', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(request));
        let answer = '';
        socket.on('data', (chunk) => {
          answer += chunk.toString('utf8');
        });
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
      });
    const manyParams = Array.from({ length: 3000 }, (_, i) => `pageType=x${i}`).join('&');
    const tooLarge = await raw(`GET /api/public/v1/chat/quick-questions?${manyParams} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(tooLarge).toMatch(/^HTTP\/1\.1 431 /);
    expect(tooLarge).toMatch(/connection: close/i);
    const body = JSON.parse(tooLarge.slice(tooLarge.indexOf('\r\n\r\n') + 4)) as ErrorBody;
    expect(body.error).toMatchObject({ code: 'headers_too_large', status: 431 });
    const garbled = await raw('GET /\x01 HTTP/9.9\r\n\r\n');
    expect(garbled).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(garbled.slice(garbled.indexOf('\r\n\r\n') + 4)).error.code).toBe('invalid_request');
    // The server is healthy after both.
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
