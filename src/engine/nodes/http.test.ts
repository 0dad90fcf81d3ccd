import { describe, expect, it } from 'vitest';
import { step } from '../step.js';
import { engineContext, flowOf, jobResult, trigger } from '../test-support/fixtures.js';
import type { HttpJobRequest, JobEffect, StepResult } from '../types.js';

// Client-controlled values arrive as conversation variables; a `set` node copies them into vars first.
const copy = { id: 'copy', type: 'set', assign: { id: 'conversation.variables.id' } };
const callOrder = (extra: object = {}) => ({
  id: 'call',
  type: 'http',
  connection: 'shop',
  method: 'GET',
  path: '/orders/{{ vars.id }}/items',
  ...extra,
});

const jobOf = (r: StepResult): HttpJobRequest => {
  const effect = r.effects.find((e): e is JobEffect => e.type === 'job');
  if (effect?.job.kind !== 'http') throw new Error(`no http job in ${JSON.stringify(r.effects)}`);
  return effect.job;
};

async function pathFor(id: string): Promise<StepResult> {
  const flow = flowOf([copy, callOrder()], [{ from: 'copy', to: 'call' }]);
  return step(flow, null, trigger, engineContext({}, { id }));
}

describe('http node', () => {
  it('waits (waiting_time) with one job effect carrying the rendered request', async () => {
    const r = await pathFor('A-17');
    expect(r.status).toBe('waiting_time');
    expect(r.effects).toEqual([
      {
        type: 'job',
        nodeId: 'call',
        job: { kind: 'http', connection: 'shop', method: 'GET', path: '/orders/A-17/items' },
      },
    ]);
    expect(r.wait).toEqual({ type: 'time', nodeId: 'call' });
    expect(r.state).toEqual({ position: 'call', vars: { id: 'A-17' }, steps: 2 });
    expect(r.blocks).toEqual([]);
    expect(r.trace).toEqual([
      { nodeId: 'copy', type: 'set' },
      { nodeId: 'call', type: 'http' },
    ]);
  });

  it.each([
    ['../../x?y#z', '/orders/..%2F..%2Fx%3Fy%23z/items'],
    ['//evil.example/x', '/orders/%2F%2Fevil.example%2Fx/items'],
    ['http://evil.example', '/orders/http%3A%2F%2Fevil.example/items'],
    ['a\\b c', '/orders/a%5Cb%20c/items'],
  ])('keeps the hostile path value %j inside one encoded segment', async (id, path) => {
    const r = await pathFor(id);
    expect(r.status).toBe('waiting_time');
    const job = jobOf(r);
    expect(job.path).toBe(path);
    // However the client joins it to the connection's base URL, the host and the segment count stay put.
    const url = new URL(`https://api.shop.example/v1${job.path}`);
    expect(url.origin).toBe('https://api.shop.example');
    expect(url.pathname.split('/')).toHaveLength(5);
    expect(url.search).toBe('');
    expect(url.hash).toBe('');
  });

  it('encodes every value of a path, the first one too, and a lone surrogate without throwing', async () => {
    const flow = flowOf([
      { id: 'call', type: 'http', connection: 'shop', method: 'GET', path: '/{{ "a/b" }}{{ "?" }}/{{ "\\ud800" }}' },
    ]);
    const r = await step(flow, null, trigger, engineContext());
    expect(jobOf(r).path).toBe('/a%2Fb%3F/%EF%BF%BD');
  });

  it.each([
    ['', 'the rendered path starts with "//"'],
    ['..', 'the rendered path contains a "." or ".." segment'],
    ['.', 'the rendered path contains a "." or ".." segment'],
  ])('fails with http_error, and no job, when the value %j would turn the path into %s', async (id, why) => {
    const flow = flowOf(
      [copy, { id: 'call', type: 'http', connection: 'shop', method: 'GET', path: '/{{ vars.id }}/x' }],
      [{ from: 'copy', to: 'call' }],
    );
    const r = await step(flow, null, trigger, engineContext({}, { id }));
    expect(r.status).toBe('failed');
    expect(r.error).toEqual({ code: 'http_error', message: `node "call": ${why}`, nodeId: 'call' });
    expect(r.effects).toEqual([]);
  });

  it('renders query values as raw strings, header values as strings and the body as JSON', async () => {
    const flow = flowOf(
      [
        {
          id: 'setup',
          type: 'set',
          assign: { n: '3', items: '[1, "two", {"three": true}]', q: '"a&b=c d"', payload: '{"k": [1, 2]}' },
        },
        callOrder({
          method: 'POST',
          path: '/orders',
          query: { q: '{{ vars.q }}', page: '2', n: '{{ vars.n }}' },
          headers: { 'X-Trace': 't-{{ vars.n }}', 'X-Items': '{{ vars.items }}' },
          body: {
            n: '{{ vars.n }}',
            nText: 'n={{ vars.n }}',
            items: '{{ vars.items }}',
            nested: { list: ['{{ vars.n }}', '{{ vars.nope }}', 'plain'], deep: '{{ vars.payload.k }}' },
            missing: '{{ vars.nope }}',
            kept: [true, null, 1.5],
          },
          saveAs: 'order',
          timeoutMs: 5000,
        }),
      ],
      [{ from: 'setup', to: 'call' }],
    );
    const r = await step(flow, null, trigger, engineContext());
    expect(jobOf(r)).toEqual({
      kind: 'http',
      connection: 'shop',
      method: 'POST',
      path: '/orders',
      query: { q: 'a&b=c d', page: '2', n: '3' },
      headers: { 'X-Trace': 't-3', 'X-Items': '[1,"two",{"three":true}]' },
      body: {
        n: 3,
        nText: 'n=3',
        items: [1, 'two', { three: true }],
        nested: { list: [3, null, 'plain'], deep: [1, 2] },
        kept: [true, null, 1.5],
      },
      timeoutMs: 5000,
    });
  });

  it('sends a whole-body expression as its raw value, and no body when it yields nothing', async () => {
    const flow = (body: string) =>
      flowOf(
        [
          { id: 'setup', type: 'set', assign: { payload: '{"a": {"b": [1]}}' } },
          callOrder({ method: 'PUT', path: '/p', body }),
        ],
        [{ from: 'setup', to: 'call' }],
      );
    expect(jobOf(await step(flow('{{ vars.payload }}'), null, trigger, engineContext())).body).toEqual({
      a: { b: [1] },
    });
    expect(jobOf(await step(flow(' {{ vars.payload.a.b }}'), null, trigger, engineContext())).body).toBe(' [1]');
    expect(jobOf(await step(flow('{{ vars.nope }}'), null, trigger, engineContext()))).not.toHaveProperty('body');
  });

  it.each([
    ['CR LF', 'x\r\nX-Evil: 1'],
    ['LF', 'x\nX-Evil: 1'],
    ['CR', 'x\rX-Evil: 1'],
  ])('fails with http_error when a rendered header value has %s, without a job', async (_, value) => {
    const flow = flowOf(
      [
        { id: 'copy', type: 'set', assign: { v: 'conversation.variables.v' } },
        { id: 'say', type: 'message', blocks: [{ type: 'text', text: 'checking' }] },
        callOrder({ path: '/p', headers: { 'X-Ok': 'fine', 'X-Trace': '{{ vars.v }}' } }),
      ],
      [
        { from: 'copy', to: 'say' },
        { from: 'say', to: 'call' },
      ],
    );
    const r = await step(flow, null, trigger, engineContext({}, { v: value }));
    expect(r.status).toBe('failed');
    const message = 'node "call": header "X-Trace" would contain CR, LF or NUL';
    expect(r.error).toEqual({ code: 'http_error', message, nodeId: 'call' });
    expect(r.blocks).toEqual([
      { type: 'text', text: 'checking' },
      { type: 'error', code: 'http_error', message },
    ]);
    expect(r.effects).toEqual([]);
    expect(r.wait).toBeUndefined();
    expect(r.state.position).toBeNull();
  });

  it('on job_result saves the result under vars.<saveAs> and continues to completion', async () => {
    const flow = flowOf(
      [
        copy,
        callOrder({ saveAs: 'order' }),
        { id: 'tell', type: 'message', blocks: [{ type: 'text', text: 'Status: {{ vars.order.body.status }}' }] },
        { id: 'done', type: 'end' },
      ],
      [
        { from: 'copy', to: 'call' },
        { from: 'call', to: 'tell' },
        { from: 'tell', to: 'done' },
      ],
    );
    const ctx = engineContext({}, { id: '42' });
    const waiting = await step(flow, null, trigger, ctx);
    const response = { status: 200, body: { status: 'shipped' } };
    const r = await step(flow, waiting.state, jobResult('call', response), ctx);
    expect(r.status).toBe('completed');
    expect(r.blocks).toEqual([{ type: 'text', text: 'Status: shipped' }]);
    expect(r.state).toEqual({ position: null, vars: { id: '42', order: response }, steps: 4 });
    expect(r.effects).toEqual([]);
    expect(r.trace).toEqual([
      { nodeId: 'call', type: 'http' },
      { nodeId: 'tell', type: 'message' },
      { nodeId: 'done', type: 'end' },
    ]);
  });

  it('without saveAs leaves vars alone, and with no outgoing edge completes', async () => {
    const flow = flowOf([callOrder({ path: '/ping' })]);
    const waiting = await step(flow, null, trigger, engineContext());
    const r = await step(flow, waiting.state, jobResult('call', { status: 204 }), engineContext());
    expect(r.status).toBe('completed');
    expect(r.state).toEqual({ position: null, vars: {}, steps: 1 });
  });

  it('on job_failed fails with the given error and an error block', async () => {
    const flow = flowOf([copy, callOrder({ saveAs: 'order' })], [{ from: 'copy', to: 'call' }]);
    const ctx = engineContext({}, { id: '42' });
    const waiting = await step(flow, null, trigger, ctx);
    const error = { code: 'http_error' as const, message: 'GET /orders/42/items: 503 after 3 attempts' };
    const r = await step(flow, waiting.state, { kind: 'job_failed', nodeId: 'call', error }, ctx);
    expect(r.status).toBe('failed');
    expect(r.error).toEqual({ ...error, nodeId: 'call' });
    expect(r.blocks).toEqual([{ type: 'error', ...error }]);
    expect(r.state).toEqual({ position: null, vars: { id: '42' }, steps: 2 });
    expect(r.effects).toEqual([]);
  });
});
