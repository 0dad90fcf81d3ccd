import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '../../src/app/routes.js';
import { errorCatalog } from '../../src/errors/catalog.js';
import { ORIGIN } from '../support/fixtures.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { CREDENTIALS, fillPath, ID_NAMES } from './routeRequests.js';
import { type SuiteTenant, suiteTenant } from './suiteTenant.js';

/**
 * Property-based fuzzing of every declared route: hostile params, queries, bodies and credentials never get a 5xx,
 * a stack trace or SQL text back, and the server is healthy after.
 */
let t: TestApp;
let tenant: SuiteTenant;
beforeAll(async () => {
  t = await createTestApp();
  tenant = await suiteTenant(t.ctx, t.app, 'fuzz');
});
afterAll(async () => {
  await t?.close();
});

/** What a body must never hold: a stack frame, a source path, SQL or a driver's words. */
const LEAK =
  /\n\s+at |node_modules|\.[tj]s:\d+|\b(select|insert|update|delete)\b .*\b(from|into|set|where)\b|syntax error|relation "|violates .* constraint|kysely/i;

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    "' or 1=1 --",
    '../../etc/passwd',
    '%00',
    '\u0000',
    '\ud800',
    '9'.repeat(40),
    '-1',
    '1e309',
    '__proto__',
    'constructor',
    '<script>',
    `$${'{'}7*7}`, // a template placeholder, as text
    '{{7*7}}',
  ),
);

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v)),
  fc
    .dictionary(
      fc.constantFrom(
        'intentName',
        'text',
        'waitToken',
        'executionId',
        'values',
        'variables',
        'publicKey',
        'type',
        'events',
        'customerId',
        'anonymousId',
        '__proto__',
        'supersede',
        'value',
        'currency',
      ),
      fc.oneof(hostileString, fc.jsonValue({ maxDepth: 4 })),
    )
    .map((v) => JSON.stringify(v)),
  hostileString,
  fc.constant('{"a":'),
  fc.constant(`${'['.repeat(200)}${']'.repeat(200)}`),
);

// The long poll's wait would only slow the suite down: it is fuzzed without it.
const query = fc.dictionary(
  fc.constantFrom('after', 'publicKey', 'field', 'executionId', 'pageType', 'pageTypes', 'limit', 'from', 'to', 'x'),
  hostileString,
  { maxKeys: 3 },
);

const routes = allRoutes();

describe('fuzzing every declared route', () => {
  for (const route of routes) {
    it(`${route.method} ${route.path} (${route.operationId})`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            param: fc.oneof(
              hostileString.filter((s) => s.length > 0),
              fc.constant('own'),
              fc.uuid(),
            ),
            query,
            body: jsonish,
            credential: fc.constantFrom('valid', 'none', 'garbled'),
            contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', 'multipart/form-data'),
          }),
          async ({ param, query: q, body, credential, contentType }) => {
            const url = fillPath(route, (name) => (param === 'own' ? (ID_NAMES[name]?.of(tenant) ?? 'x') : param));
            const search = new URLSearchParams(q).toString();
            const headers: Record<string, string> = {
              origin: ORIGIN,
              ...(credential === 'valid' ? CREDENTIALS[route.auth](tenant).headers : {}),
              ...(credential === 'garbled' ? { authorization: `Bearer ${param}`, 'x-comerix-public-key': 'pk_x' } : {}),
            };
            const res = await t.app.inject({
              method: route.method,
              url: search ? `${url}?${search}` : url,
              headers: route.method === 'GET' ? headers : { ...headers, 'content-type': contentType },
              ...(route.method === 'GET' ? {} : { payload: body }),
            });
            expect(res.statusCode, `${res.statusCode} ${res.body.slice(0, 300)}`).toBeLessThan(500);
            // The OpenAPI document is prose about the API ("deletes … from") and the widget's script is minified code
            // (`select … from`): their error answers are still checked.
            const prose = route.operationId === 'openApiDocument' || route.operationId === 'widgetScript';
            if (!prose || res.statusCode >= 400) expect(res.body).not.toMatch(LEAK);
            if (res.statusCode >= 400 && String(res.headers['content-type']).startsWith('application/json')) {
              const code = (JSON.parse(res.body) as { error: { code: string } }).error.code;
              expect(Object.keys(errorCatalog)).toContain(code);
            }
          },
        ),
        { numRuns: 25 },
      );
      const health = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(health.statusCode).toBe(200);
    });
  }
});
