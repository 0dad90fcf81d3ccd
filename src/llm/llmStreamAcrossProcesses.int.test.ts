import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTenant, Widget } from '../../test/support/fixtures.js';
import { type Spawned, spawnComerix } from '../../test/support/spawnComerix.js';
import { backend, createTestApp, type TestApp } from '../../test/support/testApp.js';
import { createConnection } from '../connections/connectionService.js';

// The API runs here; the job runs in a separate `comerix worker` process: its text deltas reach this process's open
// stream through PostgreSQL NOTIFY only.
const API_KEY = 'sk-cross-process-3b9a';
const PIECES = ['Across ', 'processes, ', 'é'.repeat(5_000), ' done.'];

describe.skipIf(backend !== 'postgres')('llm token streaming with the worker in another process', () => {
  let t: TestApp;
  let server: Server;
  let worker: Spawned;
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let calls = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      calls++;
      req.resume();
      req.on('end', async () => {
        await released;
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const base = { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini' };
        for (const piece of PIECES) {
          res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: piece } }] })}\n\n`);
          await new Promise((r) => setTimeout(r, 70));
        }
        const usage = { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 };
        res.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
        res.end('data: [DONE]\n\n');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t = await createTestApp();
    worker = spawnComerix(['worker'], {
      DATABASE_URL: t.ctx.config.databaseUrl!,
      COMERIX_MASTER_KEY: 'a'.repeat(64),
      COMERIX_ALLOW_PRIVATE_NETWORKS: 'true',
      COMERIX_DATA_DIR: '/nonexistent-comerix-test',
    });
  });
  afterAll(async () => {
    worker?.child.kill('SIGTERM');
    await worker?.exited;
    await t?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('sends token events before the final block; their concatenation is the stored text', async () => {
    const { tenant, key } = await seedTenant(t.ctx, {
      flows: [
        {
          intent: { name: 'advice', description: 'advice', examples: [], required_entities: [] },
          start: 'think',
          nodes: [{ id: 'think', type: 'llm', connection: 'ai', prompt: 'go' }],
          edges: [],
        },
      ],
      key: { allIntents: true },
    });
    await createConnection(t.ctx, {
      tenantId: tenant.id,
      name: 'ai',
      type: 'openai',
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
      authType: 'bearer',
      secret: API_KEY,
      defaultModel: 'gpt-4o-mini',
    });
    const w = new Widget(t.app);
    await w.open(key.key);
    const turn = await w.trigger('advice');
    const id = String(turn.body.executionId);
    const streamed = t.app.inject({
      method: 'GET',
      url: `/api/public/v1/chat/executions/${id}/stream`,
      headers: { origin: w.origin, authorization: `Bearer ${w.token}`, accept: 'text/event-stream' },
    });
    // The model answers once the stream listens and the other process has made the call.
    const emitter = (t.ctx.events as unknown as { emitter: { listenerCount(e: string): number } }).emitter;
    while (emitter.listenerCount(`tokens:${id}`) === 0 || calls === 0) await new Promise((r) => setTimeout(r, 10));
    release();
    const res = await streamed;
    const events = res.body
      .split('\n\n')
      .map((frame) => ({
        event: /^event: (.*)$/m.exec(frame)?.[1],
        data: /^data: (.*)$/m.exec(frame)?.[1],
      }))
      .filter((e) => e.event && e.data)
      .map((e) => ({ event: e.event!, data: JSON.parse(e.data!) as Record<string, unknown> }));
    const tokens = events.filter((e) => e.event === 'token');
    const blockAt = events.findIndex((e) => e.event === 'block');
    expect(tokens.length).toBeGreaterThan(2);
    expect(events.findIndex((e) => e.event === 'token')).toBeLessThan(blockAt);
    const text = String(events[blockAt]!.data.text);
    expect(text).toBe(PIECES.join(''));
    expect(tokens.map((e) => e.data.delta).join('')).toBe(text);
    expect(events.at(-1)).toMatchObject({
      event: 'done',
      data: { status: 'completed', tokenUsage: { total_tokens: 12 } },
    });
    expect(calls).toBe(1);
  });
});
