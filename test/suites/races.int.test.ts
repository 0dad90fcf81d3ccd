import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '../../src/app/routes.js';
import { seedTenant, Widget } from '../support/fixtures.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { CREDENTIALS, fillPath, ID_NAMES, sendAs } from './routeRequests.js';
import { suiteTenant } from './suiteTenant.js';

/** Requests that race: one wait resumed many times at once, one Idempotency-Key sent many times at once. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const CONCURRENCY = 8;

/** Every `…id` value in an answer: two effects would show as two different ids. */
function idsOf(value: unknown, into: string[] = [], key = ''): string[] {
  if (Array.isArray(value)) for (const v of value) idsOf(v, into, key);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (k !== 'requestId') idsOf(v, into, k);
  } else if (/id$/i.test(key)) into.push(`${key}=${String(value)}`);
  return into;
}

describe('races', () => {
  it('runs exactly one of many concurrent resumes of one wait', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    await w.open(key.key);
    const turn = await w.trigger('order_status');
    expect(turn.body.status).toBe('waiting_input');
    const answers = await Promise.all(
      Array.from({ length: CONCURRENCY }, () => w.resume(turn, { order_number: '12345' })),
    );
    const ran = answers.filter((a) => a.status === 200);
    expect(ran).toHaveLength(1);
    expect(ran[0]!.body.status).toBe('completed');
    for (const lost of answers.filter((a) => a.status !== 200)) {
      expect(lost.status).toBe(409);
      expect(['wait_token_invalid', 'execution_not_waiting', 'conversation_busy']).toContain(
        (lost.body.error as { code: string }).code,
      );
    }
    const blocks = await t.ctx.kysely
      .selectFrom('chat_turns')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('execution_id', '=', String(turn.body.executionId))
      .executeTakeFirstOrThrow();
    // The trigger and one resume: a second resume would have written a third turn.
    expect(Number(blocks.n)).toBeLessThanOrEqual(2);
  });

  const idempotent = allRoutes().filter((r) => r.idempotent && r.method !== 'GET');
  it('has idempotent routes to race', () => {
    expect(idempotent.length).toBeGreaterThanOrEqual(3);
  });

  for (const route of idempotent) {
    it(`${route.method} ${route.path}: one Idempotency-Key sent ${CONCURRENCY} times at once has one effect`, async () => {
      const tenant = await suiteTenant(t.ctx, t.app, `race${Math.random().toString(36).slice(2, 8)}`);
      const credential = CREDENTIALS[route.auth](tenant);
      const url = fillPath(route, (name) => ID_NAMES[name]!.of(tenant));
      const keyed = {
        ...credential,
        headers: { ...credential.headers, 'idempotency-key': `race-${route.operationId}` },
      };
      const answers = await Promise.all(
        Array.from({ length: CONCURRENCY }, () => sendAs(t.app, route, url, keyed, tenant.executionId)),
      );
      const ok = answers.filter((a) => a.statusCode < 300);
      expect(ok.length, answers.map((a) => `${a.statusCode} ${a.body.slice(0, 200)}`).join('\n')).toBeGreaterThan(0);
      for (const other of answers.filter((a) => a.statusCode >= 300)) {
        expect(other.statusCode).toBe(409);
        expect(other.json().error.code).toBe('idempotency_in_progress');
      }
      // Sorted: a replayed answer comes back from jsonb, whose key order is its own.
      const first = idsOf(ok[0]!.json()).sort();
      for (const answer of ok) expect(idsOf(answer.json()).sort()).toEqual(first);
      expect(new Set(ok.map((a) => a.statusCode)).size).toBe(1);
    });
  }
});
