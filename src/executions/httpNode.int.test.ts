import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTenant, Widget } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { createConnection } from '../connections/connectionService.js';

const SECRET = 'sk-test-SECRET-9f2c71';
const logs: string[] = [];
let t: TestApp;
let server: Server;
let base: string;
const seen: { method: string; url: string; idempotencyKey: string | undefined; authorization: string | undefined }[] =
  [];
let flakyCalls = 0;

function handle(req: IncomingMessage): { status: number; body: unknown } {
  if (req.url?.startsWith('/api/orders/')) {
    const n = decodeURIComponent(req.url.slice('/api/orders/'.length));
    return { status: 200, body: { order: n, status: n === '12345' ? 'shipped' : 'processing' } };
  }
  if (req.url === '/api/flaky') {
    flakyCalls += 1;
    return flakyCalls === 1 ? { status: 503, body: { error: 'busy' } } : { status: 200, body: { status: 'recovered' } };
  }
  if (req.url === '/api/bad') return { status: 400, body: { error: 'order number rejected' } };
  return { status: 404, body: { error: 'nope' } };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      idempotencyKey: req.headers['idempotency-key'] as string | undefined,
      authorization: req.headers.authorization,
    });
    const { status, body } = handle(req);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  t = await createTestApp({ worker: true, logs });
});
afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => server?.close(resolve));
});

const httpFlow = (name: string, path: string) => ({
  intent: { name, description: name, examples: [], required_entities: [] },
  start: 'call',
  nodes: [
    { id: 'call', type: 'http', connection: 'shop', method: 'GET', path, saveAs: 'answer' },
    { id: 'say', type: 'message', blocks: [{ type: 'text', text: 'Status: {{ vars.answer.body.status }}' }] },
  ],
  edges: [{ from: 'call', to: 'say' }],
});

async function run(intentName: string, variables: Record<string, unknown> = {}) {
  const { tenant, key } = await seedTenant(t.ctx, {
    flows: [
      httpFlow(intentName, intentName === 'lookup' ? '/orders/{{ conversation.variables.order }}' : `/${intentName}`),
    ],
    key: { allIntents: true },
  });
  await createConnection(t.ctx, {
    tenantId: tenant.id,
    name: 'shop',
    baseUrl: base,
    authType: 'bearer',
    secret: SECRET,
  });
  const w = new Widget(t.app);
  await w.open(key.key, { variables });
  const turn = await w.trigger(intentName);
  expect(turn.body.status).toBe('waiting_time');
  let cursor = String(turn.body.cursor);
  const blocks: { type: string; text?: string; code?: string }[] = [];
  for (let i = 0; i < 20; i++) {
    const poll = await w.get(`/api/public/v1/chat/executions/${turn.body.executionId}?after=${cursor}&waitSeconds=10`);
    cursor = String(poll.body.cursor);
    blocks.push(...(poll.body.blocks as typeof blocks));
    if (poll.body.status !== 'waiting_time') return { w, turn, poll, blocks };
  }
  throw new Error('never settled');
}

describe('http node', () => {
  it('calls the connection in a job and completes with the saved result', async () => {
    const { poll, blocks, turn } = await run('lookup', { order: '12345' });
    expect(poll.body.status).toBe('completed');
    expect(blocks).toEqual([expect.objectContaining({ type: 'text', text: 'Status: shipped' })]);
    const call = seen.find((s) => s.url === '/api/orders/12345')!;
    expect(call.authorization).toBe(`Bearer ${SECRET}`);
    expect(call.idempotencyKey).toMatch(new RegExp(`^${turn.body.executionId}:call:`));
  });

  it('keeps a hostile value inside one path segment of the connection', async () => {
    const { poll } = await run('lookup', { order: '//evil.example/x' });
    expect(poll.body.status).toBe('completed');
    expect(seen.at(-1)!.url).toBe('/api/orders/%2F%2Fevil.example%2Fx');
  });

  it('retries a 503 and succeeds with the same Idempotency-Key', async () => {
    const { poll, blocks } = await run('flaky');
    expect(poll.body.status).toBe('completed');
    expect(blocks[0]!.text).toBe('Status: recovered');
    const calls = seen.filter((s) => s.url === '/api/flaky');
    expect(calls).toHaveLength(2);
    expect(calls[0]!.idempotencyKey).toBe(calls[1]!.idempotencyKey);
  });

  it('fails the execution on a 400 with a clear error block and error on the poll', async () => {
    const { poll, blocks, w } = await run('bad');
    expect(poll.body.status).toBe('failed');
    expect(poll.body.error).toMatchObject({ code: 'http_error', message: expect.stringContaining('400') });
    expect(blocks).toEqual([expect.objectContaining({ type: 'error', code: 'http_error' })]);
    expect(seen.filter((s) => s.url === '/api/bad')).toHaveLength(1);
    // The visitor sees the status, not the merchant's response body; the operator's log has the detail.
    expect(JSON.stringify(poll.body)).not.toContain('order number rejected');
    expect(logs.some((l) => l.includes('order number rejected'))).toBe(true);

    const history = await w.get('/api/public/v1/chat/history');
    expect(JSON.stringify(history.body)).not.toContain(SECRET);
  });

  it('never shows the connection secret in responses or logs', async () => {
    await run('lookup', { order: '777' });
    await run('bad');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toContain(SECRET);
  });
});

describe('http node without COMERIX_ALLOW_PRIVATE_NETWORKS', () => {
  it('refuses a connection on a loopback address before any request is made', async () => {
    const strict = await createTestApp({ worker: true, env: { COMERIX_ALLOW_PRIVATE_NETWORKS: 'false' } });
    try {
      const { tenant, key } = await seedTenant(strict.ctx, {
        flows: [httpFlow('guarded', '/orders/1')],
        key: { allIntents: true },
      });
      await createConnection(strict.ctx, {
        tenantId: tenant.id,
        name: 'shop',
        baseUrl: base,
        authType: 'bearer',
        secret: SECRET,
      });
      const before = seen.length;
      const w = new Widget(strict.app);
      await w.open(key.key);
      const turn = await w.trigger('guarded');
      let poll = await w.get(
        `/api/public/v1/chat/executions/${turn.body.executionId}?after=${turn.body.cursor}&waitSeconds=10`,
      );
      for (let i = 0; i < 10 && poll.body.status === 'waiting_time'; i++) {
        poll = await w.get(
          `/api/public/v1/chat/executions/${turn.body.executionId}?after=${poll.body.cursor}&waitSeconds=10`,
        );
      }
      expect(poll.body).toMatchObject({ status: 'failed', error: { code: 'http_error' } });
      expect(String((poll.body.error as { message: string }).message)).toMatch(/private|loopback|blocked|not allowed/i);
      expect(seen.length).toBe(before);
    } finally {
      await strict.close();
    }
  });
});
