import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json200, seedTenant, Widget } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { createConnection } from '../connections/connectionService.js';
import { StubServer, sendJson } from '../outbound/test-support/stubServer.js';

// PostgreSQL text and jsonb cannot hold U+0000 or an unpaired surrogate. Such text from a merchant, a task handler or
// an expression must fail its node with the node's code, never a 500, a retried job or a stuck execution.

const TASKS = `
export async function nul() { return { text: 'a\\u0000b' }; }
export async function surrogate() { return ['\\ud800'] ; }
`;

const logs: string[] = [];
let t: TestApp;
let stub: StubServer;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'comerix-unstorable-'));
  writeFileSync(join(dir, 'tasks.mjs'), TASKS);
  stub = await StubServer.start((req, res) =>
    sendJson(res, 200, req.url.endsWith('/surrogate') ? { name: '\ud83d' } : { status: 'shipped', note: 'x\u0000y' }),
  );
  t = await createTestApp({ worker: true, logs, env: { COMERIX_TASKS_MODULE: join(dir, 'tasks.mjs') } });
});
afterAll(async () => {
  await t?.close();
  await stub?.close();
  rmSync(dir, { recursive: true, force: true });
});

const intent = (name: string) => ({ name, description: name, examples: [], required_entities: [] });

/** A flow of `first`, then a message that shows `vars.out`. */
const flowOf = (name: string, first: Record<string, unknown>) => ({
  intent: intent(name),
  start: 'first',
  nodes: [
    { id: 'first', ...first },
    { id: 'say', type: 'message', blocks: [{ type: 'text', text: 'Got {{ $string(vars.out) }}' }] },
  ],
  edges: [{ from: 'first', to: 'say' }],
});

async function trigger(flow: ReturnType<typeof flowOf>) {
  const { tenant, key } = await seedTenant(t.ctx, { flows: [flow], key: { allIntents: true } });
  await createConnection(t.ctx, { tenantId: tenant.id, name: 'shop', baseUrl: stub.origin, authType: 'none' });
  const w = new Widget(t.app);
  await w.open(key.key);
  return { w, turn: await w.trigger(flow.intent.name) };
}

async function settle(w: Widget, turn: Json200) {
  let cursor = String(turn.body.cursor);
  for (let i = 0; i < 20; i++) {
    const poll = await w.get(`/api/public/v1/chat/executions/${turn.body.executionId}?after=${cursor}&waitSeconds=10`);
    if (poll.body.status !== 'waiting_time') return poll;
    cursor = String(poll.body.cursor);
  }
  throw new Error('never settled');
}

describe('unstorable text from outside', () => {
  it('fails an http node whose response holds NUL with http_error, after exactly one request', async () => {
    stub.reset();
    const { w, turn } = await trigger(
      flowOf('nul_http', { type: 'http', connection: 'shop', method: 'GET', path: '/order', saveAs: 'out' }),
    );
    expect(turn.status).toBe(200);
    const poll = await settle(w, turn);
    expect(poll.status).toBe(200);
    expect(poll.body).toMatchObject({ status: 'failed', error: { code: 'http_error' } });
    expect(String((poll.body.error as { message: string }).message)).toMatch(/cannot be stored/);
    expect(stub.requests).toHaveLength(1);
    // Nothing is left to retry: the job ended with the execution.
    expect(await t.ctx.jobs.pending()).toBe(0);
    expect(logs.some((l) => l.includes('body.note'))).toBe(true);
  });

  it('fails an http node whose response holds an unpaired surrogate', async () => {
    stub.reset();
    const { w, turn } = await trigger(
      flowOf('lone_http', { type: 'http', connection: 'shop', method: 'GET', path: '/surrogate', saveAs: 'out' }),
    );
    const poll = await settle(w, turn);
    expect(poll.body).toMatchObject({ status: 'failed', error: { code: 'http_error' } });
    expect(stub.requests).toHaveLength(1);
  });

  it.each(['nul', 'surrogate'])('fails a task node whose handler returns %s text with task_error', async (task) => {
    const { w, turn } = await trigger(flowOf(`task_${task}`, { type: 'task', task, saveAs: 'out' }));
    expect(turn.body.status).toBe('waiting_time');
    const poll = await settle(w, turn);
    expect(poll.body).toMatchObject({ status: 'failed', error: { code: 'task_error' } });
  });

  it.each([
    ['a set expression', { type: 'set', assign: { out: '"a\\u0000b"' } }],
    ['a set expression with a lone surrogate', { type: 'set', assign: { out: '{"k": ["\\ud800"]}' } }],
    ['a message template', { type: 'message', blocks: [{ type: 'text', text: 'Hi {{ $base64decode("AA==") }}' }] }],
  ])('answers an inline turn whose %s yields unstorable text with 200 failed expression_error', async (_, first) => {
    const { turn } = await trigger(flowOf('inline', first));
    expect(turn.status).toBe(200);
    expect(turn.body).toMatchObject({ status: 'failed', error: { code: 'expression_error' } });
    expect(String((turn.body.error as { message: string }).message)).toMatch(/cannot be stored/);
  });
});
