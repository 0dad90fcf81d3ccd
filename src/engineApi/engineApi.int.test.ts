import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFlow, type Json200, seedTenant, Widget } from '../../test/support/fixtures.js';
import { tablesContaining } from '../../test/support/tablesContaining.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { runCommand } from '../cli/runCommand.js';
import { newId } from '../db/newId.js';
import { continueJobKey } from '../executions/persistStep.js';
import { createSecretKey, revokeTenantSecretKey } from '../secretKeys/secretKeyService.js';
import { insertSession } from '../sessions/sessionStore.js';

// No worker: a task's job stays pending, so an abort can be seen to take it out of the queue.
const logs: string[] = [];
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ logs });
});
afterAll(async () => {
  await t?.close();
});

const ENGINE = '/api/engine/v1';
const ALL = ['conversions:write', 'engine:read', 'engine:write', 'analytics:read', 'mcp'];

async function call(
  method: 'GET' | 'POST',
  url: string,
  key: string,
  headers: Record<string, string> = {},
): Promise<Json200> {
  const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${key}`, ...headers } });
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown>, headers: res.headers };
}

/** A track_order execution waiting on its task's job (pending: no worker runs here). */
async function waitingOnTask() {
  const { tenant, key } = await seedTenant(t.ctx, { flows: [exampleFlow('track_order')], key: { allIntents: true } });
  const w = new Widget(t.app);
  await w.open(key.key);
  const ask = await w.trigger('track_order');
  expect(ask.body.status).toBe('waiting_input');
  const turn = await w.resume(ask, { order_number: '12345' });
  expect(turn.body.status).toBe('waiting_time');
  const executionId = String(turn.body.executionId);
  const row = await t.ctx.kysely
    .selectFrom('executions')
    .select('wait_id')
    .where('id', '=', executionId)
    .executeTakeFirstOrThrow();
  return { tenant, w, executionId, jobKey: continueJobKey(row.wait_id!) };
}

describe('POST /executions/{id}/abort', () => {
  it('aborts a waiting_time execution: its job is gone, a public poll shows aborted, a second abort is 409', async () => {
    const { tenant, w, executionId, jobKey } = await waitingOnTask();
    expect(await t.ctx.jobs.exists(jobKey)).toBe(true);
    const pending = await t.ctx.jobs.pending();
    const readOnly = await createSecretKey(t.ctx, { tenantId: tenant.id, label: 'ro', scopes: ['engine:read'] });
    const refused = await call('POST', `${ENGINE}/executions/${executionId}/abort`, readOnly.key);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden', retryable: false });
    expect(await t.ctx.jobs.exists(jobKey)).toBe(true);

    const { key } = await createSecretKey(t.ctx, { tenantId: tenant.id, label: 'rw', scopes: ['engine:write'] });
    const aborted = await call('POST', `${ENGINE}/executions/${executionId}/abort`, key);
    expect(aborted.status).toBe(200);
    expect(aborted.body).toMatchObject({ executionId, status: 'aborted', reason: 'aborted_by_api' });
    expect(aborted.body.wait).toBeUndefined();
    expect((aborted.body.timings as { endedAt: string | null }).endedAt).not.toBeNull();
    expect(await t.ctx.jobs.exists(jobKey)).toBe(false);
    expect(await t.ctx.jobs.pending()).toBe(pending - 1);

    const poll = await w.get(`/api/public/v1/chat/executions/${executionId}`);
    expect(poll.status).toBe(200);
    expect(poll.body).toMatchObject({ status: 'aborted', reason: 'aborted_by_api' });

    const again = await call('POST', `${ENGINE}/executions/${executionId}/abort`, key);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'execution_not_waiting' });
  });

  it('wakes a long poll waiting on the execution', async () => {
    const { tenant, w, executionId } = await waitingOnTask();
    const first = await w.get(`/api/public/v1/chat/executions/${executionId}`);
    const { key } = await createSecretKey(t.ctx, { tenantId: tenant.id, label: 'rw', scopes: ['engine:write'] });
    const started = Date.now();
    const longPoll = w.get(`/api/public/v1/chat/executions/${executionId}?after=${first.body.cursor}&waitSeconds=10`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await call('POST', `${ENGINE}/executions/${executionId}/abort`, key)).status).toBe(200);
    const woken = await longPoll;
    expect(woken.body).toMatchObject({ status: 'aborted', reason: 'aborted_by_api' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('aborts a waiting_input execution; its wait token then answers execution_not_waiting', async () => {
    const { tenant, key: widgetKey } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    await w.open(widgetKey.key);
    const turn = await w.trigger('order_status');
    expect(turn.body.status).toBe('waiting_input');
    const { key } = await createSecretKey(t.ctx, { tenantId: tenant.id, label: 'rw', scopes: ['engine:write'] });
    const aborted = await call('POST', `${ENGINE}/executions/${turn.body.executionId}/abort`, key);
    expect(aborted.body).toMatchObject({ status: 'aborted', reason: 'aborted_by_api' });
    const late = await w.resume(turn, { order_number: '12345' });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'execution_not_waiting' });
  });

  it('replays an abort sent again with its Idempotency-Key, for that key only', async () => {
    const { tenant, executionId } = await waitingOnTask();
    const a = await createSecretKey(t.ctx, { tenantId: tenant.id, label: 'a', scopes: ['engine:write'] });
    const b = await createSecretKey(t.ctx, { tenantId: tenant.id, label: 'b', scopes: ['engine:write'] });
    const url = `${ENGINE}/executions/${executionId}/abort`;
    const first = await call('POST', url, a.key, { 'idempotency-key': 'abort-1' });
    expect(first.status).toBe(200);
    const replay = await call('POST', url, a.key, { 'idempotency-key': 'abort-1' });
    expect(replay.status).toBe(200);
    expect(replay.headers['idempotency-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    // Another key's records are its own: the same Idempotency-Key runs the abort, which finds nothing open.
    const other = await call('POST', url, b.key, { 'idempotency-key': 'abort-1' });
    expect(other.status).toBe(409);
  });
});

describe('GET /executions/{id} and /conversations/{id}', () => {
  it('shows state, trace, blocks and timings; the conversation with untrusted variables and its executions', async () => {
    const { tenant, key: widgetKey } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    const opened = await w.open(widgetKey.key, { variables: { plan: 'gold' } });
    const turn = await w.trigger('order_status');
    const { key } = await createSecretKey(t.ctx, { tenantId: tenant.id, label: 'ro', scopes: ['engine:read'] });
    const execution = await call('GET', `${ENGINE}/executions/${turn.body.executionId}`, key);
    expect(execution.status).toBe(200);
    expect(execution.body).toMatchObject({
      executionId: turn.body.executionId,
      conversationId: opened.body.conversationId,
      intentName: 'order_status',
      status: 'waiting_input',
      traceDropped: 0,
      blocks: turn.body.blocks,
      wait: turn.body.wait,
    });
    expect(execution.body.waitToken).toBeUndefined();
    expect((execution.body.state as { vars: { untrusted: boolean } }).vars.untrusted).toBe(true);
    expect((execution.body.trace as unknown[]).length).toBeGreaterThan(0);
    const newer = await call(
      'GET',
      `${ENGINE}/executions/${turn.body.executionId}?after=${execution.body.cursor}`,
      key,
    );
    expect(newer.body.blocks).toEqual([]);

    const conversation = await call('GET', `${ENGINE}/conversations/${opened.body.conversationId}?limit=1`, key);
    expect(conversation.status).toBe(200);
    expect(conversation.body.variables).toEqual({ untrusted: true, values: { plan: 'gold' } });
    const transcript = conversation.body.transcript as { items: unknown[]; nextCursor: string | null };
    expect(transcript.items).toHaveLength(1);
    expect(transcript.nextCursor).not.toBeNull();
    const rest = await call(
      'GET',
      `${ENGINE}/conversations/${opened.body.conversationId}?cursor=${transcript.nextCursor}`,
      key,
    );
    expect((rest.body.transcript as { items: unknown[] }).items.length).toBeGreaterThan(0);
    expect(conversation.body.executions).toEqual({
      items: [expect.objectContaining({ executionId: turn.body.executionId, status: 'waiting_input' })],
      nextCursor: null,
    });
  });
});

describe('GET /sessions?customerId=', () => {
  it("walks 250 of a customer's sessions in pages of 100: no duplicate, no gap, while new ones are opened", async () => {
    const { tenant, key: widgetKey } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    const opened = await w.open(widgetKey.key, { customerId: 'walker' });
    const conversationId = String(opened.body.conversationId);
    const add = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await insertSession(t.ctx.kysely, {
          id: newId(),
          tenantId: tenant.id,
          publicKeyId: widgetKey.id,
          conversationId,
          customerId: 'walker',
          origin: null,
          locale: null,
          expiresAt: new Date(Date.now() + 3_600_000),
        });
      }
    };
    await add(249);
    const before = await t.ctx.kysely
      .selectFrom('sessions')
      .select('id')
      .where('tenant_id', '=', tenant.id)
      .where('customer_id', '=', 'walker')
      .execute();
    expect(before).toHaveLength(250);
    const { key } = await createSecretKey(t.ctx, { tenantId: tenant.id, label: 'ro', scopes: ['engine:read'] });

    const seen: string[] = [];
    const created: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await call(
        'GET',
        `${ENGINE}/sessions?customerId=walker&limit=100${cursor ? `&cursor=${cursor}` : ''}`,
        key,
      );
      expect(page.status).toBe(200);
      const items = page.body.items as { sessionId: string; createdAt: string; customerId: string }[];
      for (const item of items) {
        seen.push(item.sessionId);
        created.push(item.createdAt);
        expect(item.customerId).toBe('walker');
      }
      cursor = page.body.nextCursor as string | null;
      pages += 1;
      // New sessions (one through the public API, some directly) while the walk goes on.
      if (pages === 1) await w.open(widgetKey.key, { customerId: 'walker' });
      await add(5);
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(before.map((r) => r.id).sort());
    // Newest first.
    expect([...created].sort().reverse()).toEqual(created);

    // The newest first page now starts with what was added during the walk.
    const fresh = await call('GET', `${ENGINE}/sessions?customerId=walker&limit=100`, key);
    expect(new Set((fresh.body.items as { sessionId: string }[]).map((s) => s.sessionId)).size).toBe(100);
  });

  it('refuses a bad limit or cursor, and shows nothing of another tenant', async () => {
    const { tenant, key: widgetKey } = await seedTenant(t.ctx);
    await new Widget(t.app).open(widgetKey.key, { customerId: 'shared-customer' });
    const other = await seedTenant(t.ctx);
    const { key } = await createSecretKey(t.ctx, { tenantId: tenant.id, label: 'ro', scopes: ['engine:read'] });
    const theirs = await createSecretKey(t.ctx, { tenantId: other.tenant.id, label: 'ro', scopes: ['engine:read'] });
    for (const query of ['limit=0', 'limit=101', 'cursor=nope', '']) {
      const res = await call('GET', `${ENGINE}/sessions?customerId=shared-customer&${query}`, key);
      expect(res.status, query).toBe(query === '' ? 200 : 400);
    }
    expect((await call('GET', `${ENGINE}/sessions`, key)).status).toBe(400);
    const mine = await call('GET', `${ENGINE}/sessions?customerId=shared-customer`, key);
    expect(mine.body.items).toHaveLength(1);
    const none = await call('GET', `${ENGINE}/sessions?customerId=shared-customer`, theirs.key);
    expect(none.body).toEqual({ items: [], nextCursor: null });
  });
});

describe('secret keys', () => {
  it('are stored in no table and no log line; the CLI prints a key once, lists prefixes, revokes by id', async () => {
    const { tenant, executionId } = await waitingOnTask();
    const created = await runCommand(t.ctx, {
      command: 'secret-key:create',
      tenant: tenant.slug,
      label: 'Backend',
      scopes: ['engine:read', 'engine:write'],
    });
    expect(created).toMatch(/^sk_live_[0-9a-f]{40}$/);
    const before = Date.now();
    expect((await call('GET', `${ENGINE}/executions/${executionId}`, created)).status).toBe(200);
    const aborted = await call('POST', `${ENGINE}/executions/${executionId}/abort`, created, {
      'idempotency-key': 'k-1',
    });
    expect(aborted.status).toBe(200);
    expect(await tablesContaining(t.ctx.kysely, created)).toEqual([]);
    expect(await tablesContaining(t.ctx.kysely, created.slice('sk_live_'.length))).toEqual([]);
    expect(logs.filter((line) => line.includes(created.slice(8)))).toEqual([]);

    const list = await runCommand(t.ctx, { command: 'secret-key:list', tenant: tenant.slug });
    expect(list).not.toContain(created);
    expect(list).toContain(`${created.slice(0, 12)}…`);
    expect(list).toContain('engine:read,engine:write');
    const row = await t.ctx.kysely
      .selectFrom('secret_keys')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .where('label', '=', 'Backend')
      .executeTakeFirstOrThrow();
    expect(row.last_used_at!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(list).toContain(row.id);

    // Another tenant cannot revoke it.
    const other = await seedTenant(t.ctx);
    await expect(revokeTenantSecretKey(t.ctx, other.tenant.id, row.id)).rejects.toMatchObject({ code: 'not_found' });
    expect(await runCommand(t.ctx, { command: 'secret-key:revoke', tenant: tenant.slug, id: row.id })).toBe(row.id);
    const refused = await call('GET', `${ENGINE}/executions/${executionId}`, created);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatchObject({ code: 'invalid_secret_key' });
  });

  it('refuses unknown scopes and an empty scope list', async () => {
    const { tenant } = await seedTenant(t.ctx);
    await expect(createSecretKey(t.ctx, { tenantId: tenant.id, label: 'x', scopes: [] })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(
      createSecretKey(t.ctx, { tenantId: tenant.id, label: 'x', scopes: ['engine:everything'] }),
    ).rejects.toMatchObject({ code: 'invalid_request' });
    const ok = await createSecretKey(t.ctx, { tenantId: tenant.id, label: 'x', scopes: [...ALL].reverse() });
    expect(ok.row.scopes).toEqual(ALL);
  });
});
