import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ORIGIN, seedTenant, Widget } from '../../test/support/fixtures.js';
import { multipartBody, PDF } from '../../test/support/multipart.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { allRoutes } from '../app/routes.js';
import { errorCatalog } from '../errors/catalog.js';
import { importForm } from '../forms/formService.js';
import { updateWidgetKey } from '../keys/widgetKeyService.js';
import { securityOf } from '../openapi/openApiDocument.js';
import { setConfigSection } from '../reads/widgetSettingsService.js';
import { createSecretKey, revokeTenantSecretKey } from '../secretKeys/secretKeyService.js';
import { Secrets } from '../security/secrets.js';
import { signSessionToken, verifySessionToken } from '../security/sessionToken.js';
import type { AnyRoute } from './defineRoute.js';

// Every route Fastify registers while the app is built, seen through an onRoute hook on the real instance.
const registered = vi.hoisted(() => [] as { method: string; url: string }[]);
vi.mock('fastify', async (importOriginal) => {
  const mod = await importOriginal<typeof import('fastify')>();
  const wrapped = ((options: Parameters<typeof mod.default>[0]) => {
    const app = mod.default(options);
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) registered.push({ method: String(method), url: route.url });
    });
    return app;
  }) as unknown as typeof mod.default;
  return { ...mod, default: wrapped };
});

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const routes = allRoutes();
const fastifyPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

describe('route declarations', () => {
  it('puts every public declaration in the OpenAPI document with its security and error statuses', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = JSON.parse(res.body) as {
      paths: Record<string, Record<string, { operationId: string; security: unknown; responses: object }>>;
    };
    const visible = routes.filter((r) => !r.hidden);
    expect(visible.length).toBeGreaterThanOrEqual(5);
    let operations = 0;
    for (const route of visible) {
      const op = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op!.operationId).toBe(route.operationId);
      expect(op!.security, route.operationId).toEqual(securityOf(route));
      const statuses = Object.keys(op!.responses);
      expect(statuses).toContain(String(route.response.status));
      for (const code of route.errors) {
        expect(statuses, `${route.operationId} ${code}`).toContain(String(errorCatalog[code].status));
      }
      if (route.auth !== 'none') {
        expect(statuses, route.operationId).toContain('401');
        const credentialCodes =
          route.auth === 'session'
            ? ['invalid_session_token']
            : route.auth === 'publicKey'
              ? ['invalid_public_key']
              : route.auth === 'secretKey'
                ? ['invalid_secret_key']
                : route.auth === 'admin'
                  ? ['unauthenticated', 'forbidden']
                  : ['invalid_session_token', 'invalid_public_key'];
        for (const code of credentialCodes) expect(route.errors, route.operationId).toContain(code);
      }
      if (route.auth === 'admin' && route.method !== 'GET') {
        expect(route.errors, route.operationId).toContain('csrf_failed');
      }
      if (route.auth === 'secretKey') {
        expect(route.scope, route.operationId).toBeDefined();
        expect(route.errors, route.operationId).toContain('forbidden');
        // JSON-RPC has its own ids (an MCP call is never replayed by Idempotency-Key); a query changes nothing.
        if (route.method === 'POST' && !['mcp', 'engineAnalyticsQuery'].includes(route.operationId)) {
          expect(route.idempotent, route.operationId).toBeDefined();
        }
      }
    }
    for (const methods of Object.values(doc.paths)) operations += Object.keys(methods).length;
    // Nothing in the document that is not declared.
    expect(operations).toBe(visible.length);
    for (const route of routes.filter((r) => r.hidden)) {
      expect(doc.paths[route.path]?.[route.method.toLowerCase()], route.operationId).toBeUndefined();
    }
  });

  it('registers in Fastify exactly the declarations, plus the CORS preflight', () => {
    const declared = new Set(routes.map((r) => `${r.method} ${fastifyPath(r.path)}`));
    const seen = new Set(registered.map((r) => `${r.method} ${r.url}`));
    expect(registered.length).toBeGreaterThan(0);
    const undeclared = [...seen].filter((entry) => {
      if (declared.has(entry)) return false;
      if (entry === 'OPTIONS /api/public/*') return false;
      // Fastify answers HEAD for every GET route it has.
      const [method, url] = entry.split(' ') as [string, string];
      return !(method === 'HEAD' && declared.has(`GET ${url}`));
    });
    expect(undeclared).toEqual([]);
    for (const entry of declared) expect(seen.has(entry), entry).toBe(true);
    expect(seen.has('OPTIONS /api/public/*')).toBe(true);
    for (const route of routes) {
      expect(t.app.hasRoute({ method: route.method, url: fastifyPath(route.path) }), route.operationId).toBe(true);
    }
  });
});

interface Setup {
  /** A real execution of the session (for {id}). */
  executionId: string;
  token: string;
  publicKey: string;
  /** A valid session of another tenant. */
  foreignToken: string;
}

const contactForm = {
  code: 'contact',
  title: 'Contact',
  fields: [
    { name: 'email', type: 'email', label: 'Email', required: true },
    { name: 'cv', type: 'file', label: 'CV', accept: ['application/pdf'] },
  ],
  confirmation: { message: 'Thanks!' },
};

async function setup(): Promise<Setup> {
  const { tenant, key } = await seedTenant(t.ctx);
  // The key reaches a published form and a public config section: the form and read routes' ok case.
  // (Publishing the form builds the edge document: the section must exist before it.)
  await setConfigSection(t.ctx, tenant.id, { section: 'appearance', values: {}, isPublic: true });
  await importForm(t.ctx, tenant.id, contactForm, { publish: true });
  await updateWidgetKey(t.ctx, tenant.id, key.key, { forms: ['contact'] });
  const w = new Widget(t.app);
  await w.open(key.key);
  const turn = await w.trigger('order_status');
  expect(turn.status).toBe(200);
  const other = await seedTenant(t.ctx);
  const foreign = new Widget(t.app);
  expect((await foreign.open(other.key.key)).status).toBe(201);
  return {
    executionId: String(turn.body.executionId),
    token: w.token!,
    publicKey: key.key,
    foreignToken: foreign.token!,
  };
}

/** A request to the route with a minimal valid body, its {id} filled in, and the given credential. */
function request(
  route: AnyRoute,
  s: Setup,
  credential: { authorization?: string; publicKey?: string | null; anonymousId?: string },
  id = s.executionId,
) {
  let url = route.path.replace('{id}', id).replace('{codeOrId}', 'contact').replace('{section}', 'appearance');
  const headers: Record<string, string> = { origin: ORIGIN };
  if (credential.authorization) headers.authorization = credential.authorization;
  if (route.method === 'GET') {
    if (credential.publicKey) headers['x-comerix-public-key'] = credential.publicKey;
    return t.app.inject({ method: 'GET', url, headers });
  }
  if (route.multipart) {
    // The key as a part before the file (DESIGN §8).
    url += route.operationId === 'uploadChatFile' ? `?executionId=${s.executionId}&field=cv` : '?field=cv';
    const body = multipartBody({
      ...(credential.publicKey ? { fields: { publicKey: credential.publicKey } } : {}),
      file: { name: 'file', filename: 'cv.pdf', type: 'application/pdf', bytes: PDF },
    });
    return t.app.inject({ method: route.method, url, headers: { ...headers, ...body.headers }, payload: body.payload });
  }
  let payload: Record<string, unknown>;
  if (route.operationId === 'openSession') {
    payload = { customerId: 'u-auth', ...(credential.publicKey ? { publicKey: credential.publicKey } : {}) };
  } else if (route.operationId === 'sendMessage') {
    payload = { intentName: 'order_status', text: 'hi' };
  } else if (route.operationId === 'sendEvent' || route.operationId === 'sendEventBatch') {
    const credentialed = {
      ...(credential.publicKey ? { publicKey: credential.publicKey } : {}),
      ...(credential.anonymousId ? { anonymousId: credential.anonymousId } : {}),
    };
    payload =
      route.operationId === 'sendEvent'
        ? { type: 'widget_open', ...credentialed }
        : { events: [{ type: 'widget_open' }], ...credentialed };
  } else if (route.operationId === 'submitForm') {
    payload = {
      values: { email: 'a@example.com' },
      ...(credential.publicKey ? { publicKey: credential.publicKey } : {}),
    };
  } else {
    throw new Error(`no minimal body for ${route.operationId}: add one`);
  }
  return t.app.inject({
    method: route.method,
    url,
    headers: { ...headers, 'content-type': 'application/json' },
    payload,
  });
}

const errorCode = (res: { body: string }) => (JSON.parse(res.body) as { error: { code: string } }).error.code;

describe('each authenticated route refuses a missing or foreign credential', () => {
  const sessionRoutes = routes.filter((r) => r.auth === 'session');
  const keyRoutes = routes.filter((r) => r.auth === 'publicKey');

  it('has routes of each kind to check', () => {
    expect(sessionRoutes.map((r) => r.operationId).sort()).toEqual(
      ['conversationHistory', 'pollExecution', 'sendMessage', 'streamExecution', 'uploadChatFile'].sort(),
    );
    expect(keyRoutes.map((r) => r.operationId).sort()).toEqual(
      [
        'openSession',
        'getForm',
        'getFormSchema',
        'submitForm',
        'uploadFormFile',
        'getQuickQuestions',
        'getConfigSection',
      ].sort(),
    );
  });

  for (const route of sessionRoutes) {
    it(`${route.method} ${route.path}: 401 without a token or with one signed by another key`, async () => {
      const s = await setup();
      const none = await request(route, s, {});
      expect(none.statusCode).toBe(401);
      expect(errorCode(none)).toBe('invalid_session_token');
      // The origin is allowed by an active key: the widget can read the 401.
      expect(none.headers['access-control-allow-origin']).toBe(ORIGIN);

      const claims = verifySessionToken(t.ctx.secrets, s.token);
      const otherMaster = signSessionToken(new Secrets(Buffer.alloc(32, 9)), {
        tid: claims.tid,
        sid: claims.sid,
        cid: claims.cid,
        exp: claims.exp,
      });
      const forged = await request(route, s, { authorization: `Bearer ${otherMaster}` });
      expect(forged.statusCode).toBe(401);
      expect(errorCode(forged)).toBe('invalid_session_token');

      const garbage = await request(route, s, { authorization: 'Bearer not-a-token' });
      expect(garbage.statusCode).toBe(401);
      expect(errorCode(garbage)).toBe('invalid_session_token');
    });

    if (route.path.includes('{id}')) {
      it(`${route.method} ${route.path}: another tenant's valid session gets the 404 of an unknown id`, async () => {
        const s = await setup();
        const foreign = await request(route, s, { authorization: `Bearer ${s.foreignToken}` });
        const unknown = await request(
          route,
          s,
          { authorization: `Bearer ${s.foreignToken}` },
          '01900000-0000-7000-8000-000000000000',
        );
        expect(unknown.statusCode).toBe(404);
        expect(foreign.statusCode).toBe(404);
        expect(errorCode(foreign)).toBe(errorCode(unknown));
        expect(errorCode(foreign)).toBe('execution_not_found');
        // The owner still reaches it: the 404 is about the caller, not the id.
        if (!route.path.endsWith('/stream')) {
          const own = await request(route, s, { authorization: `Bearer ${s.token}` });
          expect(own.statusCode).toBe(200);
        }
      });
    }
  }

  it("POST /chat/messages: resuming another tenant's execution is the 404 of an unknown one", async () => {
    const s = await setup();
    const poll = await t.app.inject({
      method: 'GET',
      url: `/api/public/v1/chat/executions/${s.executionId}`,
      headers: { origin: ORIGIN, authorization: `Bearer ${s.token}` },
    });
    const waitToken = String(JSON.parse(poll.body).waitToken);
    const send = (executionId: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/public/v1/chat/messages',
        headers: { origin: ORIGIN, 'content-type': 'application/json', authorization: `Bearer ${s.foreignToken}` },
        payload: { waitToken, executionId, values: { order_number: '12345' } },
      });
    const foreign = await send(s.executionId);
    const unknown = await send('01900000-0000-7000-8000-000000000000');
    expect(foreign.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    expect(errorCode(foreign)).toBe(errorCode(unknown));
  });

  const eitherRoutes = routes.filter((r) => r.auth === 'sessionOrPublicKey');

  it('has the telemetry routes as session-or-public-key routes', () => {
    expect(eitherRoutes.map((r) => r.operationId).sort()).toEqual(['sendEvent', 'sendEventBatch']);
  });

  for (const route of eitherRoutes) {
    it(`${route.method} ${route.path}: 401 without a session or key, with a forged token or an unknown key`, async () => {
      const s = await setup();
      const none = await request(route, s, { anonymousId: 'anon-1' });
      expect(none.statusCode).toBe(401);
      expect(errorCode(none)).toBe('invalid_session_token');
      expect(none.headers['access-control-allow-origin']).toBe(ORIGIN);

      const claims = verifySessionToken(t.ctx.secrets, s.token);
      const otherMaster = signSessionToken(new Secrets(Buffer.alloc(32, 9)), {
        tid: claims.tid,
        sid: claims.sid,
        cid: claims.cid,
        exp: claims.exp,
      });
      const forged = await request(route, s, { authorization: `Bearer ${otherMaster}` });
      expect(forged.statusCode).toBe(401);
      expect(errorCode(forged)).toBe('invalid_session_token');

      const unknown = await request(route, s, { publicKey: `pk_live_${'f'.repeat(32)}`, anonymousId: 'anon-1' });
      expect(unknown.statusCode).toBe(401);
      expect(errorCode(unknown)).toBe('invalid_public_key');

      const bySession = await request(route, s, { authorization: `Bearer ${s.token}` });
      expect(bySession.statusCode).toBe(route.response.status);
      const byKey = await request(route, s, { publicKey: s.publicKey, anonymousId: 'anon-1' });
      expect(byKey.statusCode).toBe(route.response.status);
    });
  }

  for (const route of keyRoutes) {
    it(`${route.method} ${route.path}: 401 invalid_public_key without a key or with an unknown one`, async () => {
      const s = await setup();
      const none = await request(route, s, { publicKey: null });
      expect(none.statusCode).toBe(401);
      expect(errorCode(none)).toBe('invalid_public_key');
      expect(none.headers['access-control-allow-origin']).toBe(ORIGIN);
      const unknown = await request(route, s, { publicKey: `pk_live_${'f'.repeat(32)}` });
      expect(unknown.statusCode).toBe(401);
      expect(errorCode(unknown)).toBe('invalid_public_key');
      // A session token is not a public key.
      const wrongKind = await request(route, s, { authorization: `Bearer ${s.token}`, publicKey: null });
      expect(wrongKind.statusCode).toBe(401);
      const ok = await request(route, s, { publicKey: s.publicKey });
      expect(ok.statusCode, ok.body).toBe(route.response.status);
    });
  }
});

describe('each secret-key route refuses a missing, unknown, revoked or under-scoped key', () => {
  const secretRoutes = routes.filter((r) => r.auth === 'secretKey');

  it('has the Engine API routes to check', () => {
    expect(secretRoutes.map((r) => r.operationId).sort()).toEqual(
      [
        'engineAbortExecution',
        'engineAnalyticsQuery',
        'engineDeleteCustomer',
        'engineExportCustomer',
        'engineGetConversation',
        'engineGetExecution',
        'engineListSessions',
        'engineReportConversion',
        'engineUsage',
        'mcp',
        'mcpStream',
      ].sort(),
    );
  });

  interface SecretSetup {
    executionId: string;
    conversationId: string;
    key: string;
    /** A key of the same tenant with every scope but the route's. */
    unscoped: (scope: string) => Promise<string>;
    revoked: string;
    sessionToken: string;
    /** A key of another tenant with every scope. */
    foreign: string;
  }

  const ALL = ['conversions:write', 'engine:read', 'engine:write', 'analytics:read', 'mcp'];

  async function secretSetup(): Promise<SecretSetup> {
    const { tenant, key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    const opened = await w.open(key.key);
    const turn = await w.trigger('order_status');
    expect(turn.status).toBe(200);
    const own = await createSecretKey(t.ctx, { tenantId: tenant.id, label: 'all', scopes: ALL });
    const revoked = await createSecretKey(t.ctx, { tenantId: tenant.id, label: 'revoked', scopes: ALL });
    await revokeTenantSecretKey(t.ctx, tenant.id, revoked.row.id);
    const other = await seedTenant(t.ctx);
    const foreign = await createSecretKey(t.ctx, { tenantId: other.tenant.id, label: 'other', scopes: ALL });
    return {
      executionId: String(turn.body.executionId),
      conversationId: String(opened.body.conversationId),
      key: own.key,
      unscoped: async (scope) =>
        (
          await createSecretKey(t.ctx, {
            tenantId: tenant.id,
            label: 'unscoped',
            scopes: ALL.filter((s) => s !== scope),
          })
        ).key,
      revoked: revoked.key,
      sessionToken: w.token!,
      foreign: foreign.key,
    };
  }

  function secretRequest(route: AnyRoute, s: SecretSetup, authorization: string | undefined, id?: string) {
    const filled = id ?? (route.path.includes('/conversations/') ? s.conversationId : s.executionId);
    let url = route.path.replace('{id}', filled).replace('{customerId}', 'u-42');
    if (route.operationId === 'engineListSessions') url += '?customerId=u-42';
    const headers: Record<string, string> = authorization ? { authorization } : {};
    if (route.operationId === 'mcp') {
      const initialize = {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'suite', version: '1' } },
      };
      return t.app.inject({
        method: 'POST',
        url,
        headers: {
          ...headers,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          // The MCP transport answers on the public URL's host only (inject's default is localhost:80).
          host: new URL(t.ctx.config.publicUrl).host,
        },
        payload: JSON.stringify(initialize),
      });
    }
    if (route.operationId === 'engineAnalyticsQuery') {
      return t.app.inject({
        method: 'POST',
        url,
        headers: { ...headers, 'content-type': 'application/json' },
        payload: JSON.stringify({ metrics: ['sessions'], range: { preset: 'last_7_days' } }),
      });
    }
    if (route.operationId === 'engineReportConversion') {
      const order = { orderId: `o-${Math.random()}`, amount: '1.00', currency: 'EUR', customerId: 'u-42' };
      return t.app.inject({
        method: route.method,
        url,
        headers: { ...headers, 'content-type': 'application/json' },
        payload: JSON.stringify(order),
      });
    }
    return t.app.inject({ method: route.method, url, headers });
  }

  const withoutRequestId = (res: { body: string }) => {
    const body = JSON.parse(res.body) as { error: Record<string, unknown> };
    const { requestId: _drop, ...error } = body.error;
    return { error };
  };

  for (const route of secretRoutes) {
    it(`${route.method} ${route.path}: 401 invalid_secret_key, 403 forbidden without ${route.scope}`, async () => {
      const s = await secretSetup();
      for (const authorization of [
        undefined,
        'Bearer ',
        `Bearer sk_live_${'f'.repeat(40)}`,
        `Bearer ${s.key.toUpperCase()}`,
        `Bearer ${s.revoked}`,
        `Bearer ${s.sessionToken}`,
        s.key,
      ]) {
        const res = await secretRequest(route, s, authorization);
        expect(res.statusCode, String(authorization)).toBe(401);
        expect(errorCode(res)).toBe('invalid_secret_key');
      }
      const unscoped = await secretRequest(route, s, `Bearer ${await s.unscoped(route.scope!)}`);
      expect(unscoped.statusCode).toBe(403);
      expect(errorCode(unscoped)).toBe('forbidden');
      // 403 comes before a shape error.
      const badShape = await t.app.inject({
        method: route.method,
        url: `${route.path.replace('{id}', s.executionId)}?limit=0`,
        headers: { authorization: `Bearer ${await s.unscoped(route.scope!)}` },
      });
      expect(badShape.statusCode).toBe(403);
      const ok = await secretRequest(route, s, `Bearer ${s.key}`);
      expect(ok.statusCode, ok.body).toBe(route.response.status);
    });

    if (route.path.includes('{id}')) {
      it(`${route.method} ${route.path}: another tenant's id is byte-for-byte an unknown id`, async () => {
        const s = await secretSetup();
        const foreign = await secretRequest(route, s, `Bearer ${s.foreign}`);
        const unknown = await secretRequest(route, s, `Bearer ${s.foreign}`, '01900000-0000-7000-8000-000000000000');
        const malformed = await secretRequest(route, s, `Bearer ${s.foreign}`, 'not-an-id');
        expect(foreign.statusCode).toBe(404);
        expect(withoutRequestId(foreign)).toEqual(withoutRequestId(unknown));
        expect(withoutRequestId(malformed)).toEqual(withoutRequestId(unknown));
        expect(foreign.headers['content-type']).toBe(unknown.headers['content-type']);
        expect(errorCode(foreign)).toBe(route.path.includes('/conversations/') ? 'not_found' : 'execution_not_found');
        // The owner still reaches it.
        const own = await secretRequest(route, s, `Bearer ${s.key}`);
        expect(own.statusCode).toBe(200);
      });
    }
  }
});
