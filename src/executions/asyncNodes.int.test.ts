import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFlow, seedTenant, Widget } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { sweepExecutions } from './sweepExecutions.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ worker: true });
});
afterAll(async () => {
  await t?.close();
});

const intent = (name: string) => ({ name, description: name, examples: [], required_entities: [] });

const delayFlow = {
  intent: intent('slow'),
  start: 'hello',
  nodes: [
    { id: 'hello', type: 'message', blocks: [{ type: 'text', text: 'One moment…' }] },
    { id: 'pause', type: 'delay', seconds: 1 },
    { id: 'bye', type: 'message', blocks: [{ type: 'text', text: 'Done waiting.' }] },
  ],
  edges: [
    { from: 'hello', to: 'pause' },
    { from: 'pause', to: 'bye' },
  ],
};

async function pollUntilSettled(w: Widget, executionId: string, cursor?: string) {
  let after = cursor;
  const blocks: Record<string, unknown>[] = [];
  for (let i = 0; i < 20; i++) {
    const res = await w.get(
      `/api/public/v1/chat/executions/${executionId}?waitSeconds=10${after ? `&after=${after}` : ''}`,
    );
    blocks.push(...(res.body.blocks as Record<string, unknown>[]));
    after = String(res.body.cursor);
    if (res.body.status !== 'waiting_time') return { last: res, blocks };
  }
  throw new Error('never settled');
}

describe('waiting_time', () => {
  it('answers waiting_time with a time wait and continues after a delay', async () => {
    const { key } = await seedTenant(t.ctx, { flows: [delayFlow], key: { allIntents: true } });
    const w = new Widget(t.app);
    await w.open(key.key);
    const turn = await w.trigger('slow');
    expect(turn.body.status).toBe('waiting_time');
    expect(turn.body.wait).toMatchObject({ type: 'time', pollAfterMs: 1000 });
    expect(String((turn.body.wait as { resumeAt: string }).resumeAt)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(turn.body.waitToken).toBeUndefined();
    const { last, blocks } = await pollUntilSettled(w, String(turn.body.executionId), String(turn.body.cursor));
    expect(last.body.status).toBe('completed');
    expect(blocks).toEqual([expect.objectContaining({ type: 'text', text: 'Done waiting.' })]);
  });

  it('runs the demo order_lookup task and renders its result', async () => {
    const { key } = await seedTenant(t.ctx, { flows: [exampleFlow('track_order')], key: { allIntents: true } });
    const w = new Widget(t.app);
    await w.open(key.key);
    const ask = await w.trigger('track_order');
    expect(ask.body.status).toBe('waiting_input');
    const turn = await w.resume(ask, { order_number: '12345' });
    expect(turn.body.status).toBe('waiting_time');
    const { last, blocks } = await pollUntilSettled(w, String(turn.body.executionId), String(turn.body.cursor));
    expect(last.body.status).toBe('completed');
    expect(blocks).toEqual([
      expect.objectContaining({ type: 'markdown', text: expect.stringContaining('is shipped') }),
    ]);
  });

  it('answers 409 conversation_busy with Retry-After while async work runs, unless supersede', async () => {
    const slow = {
      ...delayFlow,
      intent: intent('slower'),
      nodes: delayFlow.nodes.map((n) => (n.type === 'delay' ? { ...n, seconds: 30 } : n)),
    };
    const { key } = await seedTenant(t.ctx, { flows: [slow, exampleFlow('order_status')], key: { allIntents: true } });
    const w = new Widget(t.app);
    await w.open(key.key);
    const first = await w.trigger('slower');
    expect(first.body.status).toBe('waiting_time');
    const busy = await w.trigger('order_status');
    expect(busy.status).toBe(409);
    expect(busy.body.error).toMatchObject({ code: 'conversation_busy', retryable: true });
    expect(busy.headers['retry-after']).toBe('1');
    const pending = await t.ctx.jobs.pending();
    const superseding = await w.trigger('order_status', { supersede: true });
    expect(superseding.status).toBe(200);
    const old = await w.get(`/api/public/v1/chat/executions/${first.body.executionId}`);
    expect(old.body).toMatchObject({ status: 'aborted', reason: 'superseded' });
    expect(await t.ctx.jobs.pending()).toBe(pending - 1);
  });

  it('expires an input wait: aborted with wait_expired, and a late resume gets 409', async () => {
    const flow = { ...exampleFlow('order_status'), settings: { waitExpiresSeconds: 60 } };
    const { key } = await seedTenant(t.ctx, { flows: [flow], key: { intents: ['order_status'] } });
    const w = new Widget(t.app);
    await w.open(key.key);
    const turn = await w.trigger('order_status');
    expect(turn.body.status).toBe('waiting_input');
    const expiresAt = new Date(String((turn.body.wait as { expiresAt: string }).expiresAt));
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(55_000);
    // Let the minute pass: move the wait's expiry into the past instead of sleeping.
    const past = new Date(Date.now() - 1000);
    await t.ctx.kysely
      .updateTable('executions')
      .set({ wait_expires_at: past })
      .where('id', '=', String(turn.body.executionId))
      .execute();
    const late = await w.resume(turn, { order_number: '12345' });
    expect(late.status).toBe(409);
    expect((late.body.error as { code: string }).code).toBe('execution_not_waiting');
    const swept = await sweepExecutions(t.ctx);
    expect(swept.expired).toBeGreaterThanOrEqual(1);
    const poll = await w.get(`/api/public/v1/chat/executions/${turn.body.executionId}`);
    expect(poll.body).toMatchObject({ status: 'aborted', reason: 'wait_expired' });
  });
});

describe('concurrent triggers of one conversation', () => {
  it('leaves exactly one execution open, and answers 409 to a trigger behind a waiting_time one', async () => {
    const slow = {
      ...delayFlow,
      intent: intent('slowest'),
      nodes: delayFlow.nodes.map((n) => (n.type === 'delay' ? { ...n, seconds: 30 } : n)),
    };
    const { key } = await seedTenant(t.ctx, { flows: [slow, exampleFlow('order_status')], key: { allIntents: true } });
    const w = new Widget(t.app);
    const opened = await w.open(key.key);
    const turns = await Promise.all(Array.from({ length: 6 }, () => w.trigger('order_status')));
    expect(turns.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const open = await t.ctx.kysely
      .selectFrom('executions')
      .select(['id', 'status', 'wait_kind'])
      .where('conversation_id', '=', String(opened.body.conversationId))
      .where('status', 'in', ['waiting_input', 'waiting_time', 'running'])
      .execute();
    // One open execution, and so one open wait: the one the last trigger's reply carries.
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ status: 'waiting_input', wait_kind: 'input' });
    expect(turns.map((r) => r.body.executionId)).toContain(open[0]!.id);

    const other = new Widget(t.app);
    await other.open(key.key);
    const both = await Promise.all([other.trigger('slowest'), other.trigger('slowest')]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
  });
});

describe('sweeper', () => {
  it('fails an execution left running by a dead process, and a waiting_time one whose job is gone', async () => {
    const { key } = await seedTenant(t.ctx, {
      flows: [delayFlow, exampleFlow('order_status')],
      key: { allIntents: true },
    });
    const a = new Widget(t.app);
    await a.open(key.key);
    const stuck = await a.trigger('order_status');
    const b = new Widget(t.app);
    await b.open(key.key);
    const orphan = await b.trigger('slow');
    expect(orphan.body.status).toBe('waiting_time');
    // Simulate a process that died mid-turn, and a job lost with its queue, both long ago.
    const longAgo = new Date(Date.now() - 60 * 60 * 1000);
    await t.ctx.kysely
      .updateTable('executions')
      .set({ status: 'running', updated_at: longAgo })
      .where('id', '=', String(stuck.body.executionId))
      .execute();
    await t.ctx.kysely.transaction().execute(async (trx) => {
      const wait = await trx
        .selectFrom('executions')
        .select('wait_id')
        .where('id', '=', String(orphan.body.executionId))
        .executeTakeFirstOrThrow();
      await t.ctx.jobs.cancel(trx, `wait:${wait.wait_id}`);
      await trx
        .updateTable('executions')
        .set({ updated_at: longAgo, wait_resume_at: longAgo })
        .where('id', '=', String(orphan.body.executionId))
        .execute();
    });
    const swept = await sweepExecutions(t.ctx);
    expect(swept).toMatchObject({ stuck: 1, lost: 1 });
    expect((await a.get(`/api/public/v1/chat/executions/${stuck.body.executionId}`)).body).toMatchObject({
      status: 'failed',
      error: { code: 'timeout' },
    });
    expect((await b.get(`/api/public/v1/chat/executions/${orphan.body.executionId}`)).body).toMatchObject({
      status: 'failed',
      error: { code: 'timeout' },
    });
    expect(await sweepExecutions(t.ctx)).toEqual({ expired: 0, lost: 0, stuck: 0 });
  });
});

describe('streaming', () => {
  it('streams a turn with Accept: text/event-stream across waiting_time until it settles', async () => {
    const { key } = await seedTenant(t.ctx, { flows: [delayFlow], key: { allIntents: true } });
    const w = new Widget(t.app);
    await w.open(key.key);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/public/v1/chat/messages',
      headers: {
        origin: w.origin,
        authorization: `Bearer ${w.token}`,
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      payload: { intentName: 'slow' },
    });
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(res.headers['access-control-allow-origin']).toBe(w.origin);
    const events = parseEvents(res.body);
    expect(events.map((e) => e.event)).toEqual(['block', 'block', 'done']);
    expect(events[0]).toMatchObject({ id: '1', data: { type: 'text', text: 'One moment…' } });
    expect(events[1]).toMatchObject({ id: '2', data: { text: 'Done waiting.' } });
    expect(events[2]!.data).toMatchObject({
      status: 'completed',
      blocks: [{ id: expect.any(String) }, { id: expect.any(String) }],
    });
  });

  it('streams an execution from Last-Event-ID and answers 404 as JSON before the stream', async () => {
    const { key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    await w.open(key.key);
    const turn = await w.trigger('order_status');
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/public/v1/chat/executions/${turn.body.executionId}/stream`,
      headers: { origin: w.origin, authorization: `Bearer ${w.token}`, 'last-event-id': '1' },
    });
    const events = parseEvents(res.body);
    expect(events.map((e) => e.event)).toEqual(['block', 'done']);
    expect(events[0]).toMatchObject({ id: '2', data: { type: 'form' } });
    expect(events[1]!.data).toMatchObject({ status: 'waiting_input', waitToken: turn.body.waitToken });
    const missing = await t.app.inject({
      method: 'GET',
      url: '/api/public/v1/chat/executions/0193f8a1-0000-7000-8000-000000000000/stream',
      headers: { origin: w.origin, authorization: `Bearer ${w.token}` },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('execution_not_found');
  });
});

function parseEvents(body: string): { event: string; id?: string; data: Record<string, unknown> }[] {
  return body
    .split('\n\n')
    .filter((chunk) => chunk.includes('event:'))
    .map((chunk) => {
      const lines = chunk.split('\n');
      const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
      const id = field('id');
      return { event: field('event')!, ...(id ? { id } : {}), data: JSON.parse(field('data')!) };
    });
}

describe('shutdown', () => {
  it('ends open long polls (with the poll object) and streams (with a retryable error event) on shutdown', async () => {
    const own = await createTestApp();
    try {
      await own.app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(own.app.server.address() as { port: number }).port}`;
      const slow = {
        ...delayFlow,
        intent: intent('slower'),
        nodes: delayFlow.nodes.map((n) => (n.type === 'delay' ? { ...n, seconds: 30 } : n)),
      };
      const { key } = await seedTenant(own.ctx, {
        flows: [exampleFlow('order_status'), slow],
        key: { intents: ['order_status', 'slower'] },
      });
      const w = new Widget(own.app);
      await w.open(key.key);
      const turn = await w.trigger('order_status');
      // Still working (no worker here): its stream stays open until the shutdown cuts it.
      const other = new Widget(own.app);
      await other.open(key.key);
      const working = await other.trigger('slower');
      expect(working.body.status).toBe('waiting_time');
      const headers = { origin: w.origin, authorization: `Bearer ${w.token}` };
      const longPoll = fetch(
        `${base}/api/public/v1/chat/executions/${turn.body.executionId}?after=${turn.body.cursor}&waitSeconds=25`,
        { headers },
      );
      const stream = fetch(
        `${base}/api/public/v1/chat/executions/${working.body.executionId}/stream?after=${working.body.cursor}`,
        {
          headers: { origin: other.origin, authorization: `Bearer ${other.token}`, accept: 'text/event-stream' },
        },
      );
      const streamed = await stream;
      const streamBody = streamed.text();
      await new Promise((r) => setTimeout(r, 200));
      const abortedAt = Date.now();
      own.ctx.shutdown.abort();
      await own.app.close();
      const polled = await longPoll;
      expect(polled.status).toBe(200);
      expect(((await polled.json()) as { status: string }).status).toBe('waiting_input');
      // The stream's last event tells the widget to reconnect elsewhere (Last-Event-ID), not that the execution ended.
      const events = parseEvents(await streamBody);
      expect(events.at(-1)).toMatchObject({
        event: 'error',
        data: { error: { code: 'unavailable', status: 503, retryable: true } },
      });
      expect(events.some((e) => e.event === 'done')).toBe(false);
      // The 25 s long poll did not hold the shutdown: it was answered at once.
      expect(Date.now() - abortedAt).toBeLessThan(15_000);
    } finally {
      await own.close();
    }
  });
});
