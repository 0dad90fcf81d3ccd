import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '../../src/app/routes.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { CREDENTIALS, fillPath, ID_NAMES, idNamesOf, sendAs, TENANTLESS } from './routeRequests.js';
import { type SuiteTenant, suiteTenant } from './suiteTenant.js';

/**
 * Every route that takes an id, called by one tenant with another tenant's ids, answers exactly what it answers
 * for an id nobody has: nothing tells the caller that the id exists, let alone what it holds.
 */
let t: TestApp;
let victim: SuiteTenant;
let attacker: SuiteTenant;
beforeAll(async () => {
  t = await createTestApp();
  victim = await suiteTenant(t.ctx, t.app, 'victim');
  attacker = await suiteTenant(t.ctx, t.app, 'attacker');
});
afterAll(async () => {
  await t?.close();
});

// Admin routes have their own table of requests and owned ids (src/admin/adminApi.int.test.ts, also generated from the
// route list: an admin route without an entry fails there), which probes each with another tenant's ids.
const probed = allRoutes().filter(
  (r) => idNamesOf(r).length > 0 && !TENANTLESS.has(r.operationId) && r.auth !== 'admin',
);

describe('cross-tenant probes over every id-taking route', () => {
  it('knows what every path parameter names', () => {
    expect(probed.length).toBeGreaterThanOrEqual(8);
    for (const route of probed) {
      for (const name of idNamesOf(route)) expect(ID_NAMES[name], `${route.operationId}: ${name}`).toBeDefined();
    }
  });

  for (const route of probed) {
    it(`${route.method} ${route.path} (${route.operationId})`, async () => {
      const credential = CREDENTIALS[route.auth](attacker);
      const foreignUrl = fillPath(route, (name) => ID_NAMES[name]!.of(victim));
      const unknownUrl = fillPath(route, (name) => ID_NAMES[name]!.unknown);
      const ownUrl = fillPath(route, (name) => ID_NAMES[name]!.of(attacker));
      const foreign = await sendAs(t.app, route, foreignUrl, credential, attacker.executionId);
      const unknown = await sendAs(t.app, route, unknownUrl, credential, attacker.executionId);
      expect([403, 404], `${route.operationId}: ${foreign.body}`).toContain(foreign.statusCode);
      expect(foreign.statusCode).toBe(unknown.statusCode);
      expect(foreign.json().error.code).toBe(unknown.json().error.code);
      expect(foreign.body).not.toContain(victim.tenantId);
      // The victim's data (its config values carry this marker); the id itself may be echoed back, it was the caller's.
      expect(foreign.body).not.toContain('secret-victim');
      // The probe is about whose id it is: the attacker reaches its own (a stream is left out: it stays open).
      if (!route.path.endsWith('/stream')) {
        const own = await sendAs(t.app, route, ownUrl, credential, attacker.executionId);
        expect(own.statusCode, `${route.operationId}: ${own.body}`).toBeLessThan(300);
      }
    });
  }
});
