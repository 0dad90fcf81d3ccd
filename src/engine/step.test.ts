import { describe, expect, it } from 'vitest';
import { EngineInputError } from './engineInputError.js';
import { step } from './step.js';
import {
  engineContext,
  flowOf,
  jobResult,
  loadFlow,
  orderStatusFlow,
  resumeWith,
  trigger,
} from './test-support/fixtures.js';
import type { FlowDefinition } from './validateFlow.js';

describe('step', () => {
  it('stops a loop without waits with step_limit_exceeded, an error block and no exception', async () => {
    const flow = flowOf(
      [
        { id: 'inc', type: 'set', assign: { n: '$exists(vars.n) ? vars.n + 1 : 1' } },
        { id: 'loop', type: 'condition', expression: 'true' },
      ],
      [
        { from: 'inc', to: 'loop' },
        { from: 'loop', port: 'true', to: 'inc' },
        { from: 'loop', port: 'false', to: 'inc' },
      ],
    );
    const r = await step(flow, null, trigger, engineContext({ maxSteps: 50 }));
    expect(r.status).toBe('failed');
    expect(r.error).toEqual({
      code: 'step_limit_exceeded',
      message: 'more than 50 steps in one turn (a loop without a wait?)',
      nodeId: 'inc',
    });
    expect(r.blocks).toEqual([{ type: 'error', code: 'step_limit_exceeded', message: r.error?.message }]);
    expect(r.state).toEqual({ position: null, vars: { n: 25 }, steps: 50 });
    expect(r.trace).toHaveLength(50);
  });

  it('counts the step limit per turn, not per execution', async () => {
    const flow = loadFlow(orderStatusFlow);
    const ctx = engineContext({ maxSteps: 3 });
    let r = await step(flow, null, trigger, ctx);
    for (let i = 0; i < 5; i++) {
      r = await step(flow, r.state, resumeWith({ order_number: '999' }), ctx);
      expect(r.wait?.nodeId).toBe('unknown');
      r = await step(flow, r.state, resumeWith({ unknown: 'retry' }), ctx);
      expect(r.wait?.nodeId).toBe('ask_number');
    }
    expect(r.status).toBe('waiting_input');
    expect(r.state.steps).toBe(2 + 5 * 3);
  });

  it('fails with expression_error when an expression exceeds its time budget, without throwing', async () => {
    const flow = flowOf([{ id: 'spin', type: 'set', assign: { x: '($f := function($n) { $f($n + 1) }; $f(0))' } }]);
    const r = await step(flow, null, trigger, engineContext({ expressionTimeoutMs: 30 }));
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('expression_error');
    expect(r.error?.message).toMatch(/longer than 30 ms/);
    expect(r.blocks.at(-1)).toMatchObject({ type: 'error', code: 'expression_error' });
  });

  it('fails with expression_error when a template calls $eval', async () => {
    const flow = flowOf([
      { id: 'm', type: 'message', blocks: [{ type: 'text', text: '{{ $eval(conversation.variables.code) }}' }] },
    ]);
    const r = await step(flow, null, trigger, engineContext({}, { code: '"pwned"' }));
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ code: 'expression_error', nodeId: 'm' });
    expect(r.error?.message).toMatch(/\$eval is disabled/);
    expect(r.blocks).toEqual([{ type: 'error', code: 'expression_error', message: r.error?.message }]);
  });

  it('keeps blocks emitted before a failure', async () => {
    const flow = flowOf(
      [
        { id: 'm', type: 'message', blocks: [{ type: 'text', text: 'before' }] },
        { id: 's', type: 'set', assign: { x: '1 + "a"' } },
      ],
      [{ from: 'm', to: 's' }],
    );
    const r = await step(flow, null, trigger, engineContext());
    expect(r.blocks.map((b) => b.type)).toEqual(['text', 'error']);
  });

  it('completes when the picked port has no edge', async () => {
    // Validation demands both condition ports; the engine still treats a missing edge as the end of the path.
    const flow: FlowDefinition = {
      intent: { name: 't', description: 't', examples: [], required_entities: [] },
      start: 'c',
      nodes: [
        { id: 'c', type: 'condition', expression: 'false' },
        { id: 'g', type: 'goal', goal: 'x' },
      ],
      edges: [{ from: 'c', port: 'true', to: 'g' }],
    };
    const r = await step(flow, null, trigger, engineContext());
    expect(r.status).toBe('completed');
    expect(r.trace).toEqual([{ nodeId: 'c', type: 'condition', port: 'false' }]);
    expect(r.effects).toEqual([]);
  });

  it('refuses contract violations with EngineInputError', async () => {
    const flow = loadFlow(orderStatusFlow);
    const ctx = engineContext();
    await expect(step(flow, null, resumeWith({}), ctx)).rejects.toBeInstanceOf(EngineInputError);
    const done = { position: null, vars: {}, steps: 3 };
    await expect(step(flow, done, resumeWith({}), ctx)).rejects.toThrow(/not waiting/);
    const atMessage = { position: 'greet', vars: {}, steps: 0 };
    await expect(step(flow, atMessage, resumeWith({}), ctx)).rejects.toThrow(/does not wait for input/);
    await expect(step(flow, atMessage, trigger, ctx)).rejects.toThrow(/state = null/);
  });

  it('refuses job outcomes at the wrong node, at a node without a job, or on a resume of an async node', async () => {
    const flow = flowOf(
      [
        { id: 'call', type: 'http', connection: 'shop', method: 'GET', path: '/x' },
        { id: 'q', type: 'ask', fields: [{ name: 'a', type: 'text', label: 'A' }] },
      ],
      [{ from: 'call', to: 'q' }],
    );
    const ctx = engineContext();
    const atCall = (await step(flow, null, trigger, ctx)).state;
    const failed = {
      kind: 'job_failed' as const,
      nodeId: 'other',
      error: { code: 'http_error' as const, message: 'x' },
    };
    await expect(step(flow, atCall, jobResult('other', 1), ctx)).rejects.toThrow(
      new EngineInputError('a job outcome for node "other", but the execution is at "call"'),
    );
    await expect(step(flow, atCall, failed, ctx)).rejects.toBeInstanceOf(EngineInputError);
    await expect(step(flow, atCall, resumeWith({ a: 'x' }), ctx)).rejects.toThrow(/"call" does not wait for input/);

    const atAsk = (await step(flow, atCall, jobResult('call', null), ctx)).state;
    expect(atAsk.position).toBe('q');
    await expect(step(flow, atAsk, jobResult('q', 1), ctx)).rejects.toThrow(
      new EngineInputError('node "q" does not run a job'),
    );
    await expect(step(flow, atAsk, { ...failed, nodeId: 'q' }, ctx)).rejects.toBeInstanceOf(EngineInputError);
    await expect(step(flow, null, jobResult('call', 1), ctx)).rejects.toThrow(/not waiting/);
    const ended = { position: null, vars: {}, steps: 2 };
    await expect(step(flow, ended, jobResult('call', 1), ctx)).rejects.toThrow(/not waiting/);
  });

  it('gives each step call its own step budget, across async nodes', async () => {
    const set = (id: string) => ({ id, type: 'set', assign: { [id]: '1' } });
    const flow = flowOf(
      [set('a'), set('b'), { id: 'pause', type: 'delay', seconds: 1 }, set('c'), set('d')],
      [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'pause' },
        { from: 'pause', to: 'c' },
        { from: 'c', to: 'd' },
      ],
    );
    const ctx = engineContext({ maxSteps: 3 });
    const waiting = await step(flow, null, trigger, ctx);
    expect(waiting.status).toBe('waiting_time');
    const done = await step(flow, waiting.state, jobResult('pause', null), ctx);
    expect(done.status).toBe('completed');
    expect(done.state.steps).toBe(5);
    const tooFew = await step(flow, null, trigger, engineContext({ maxSteps: 2 }));
    expect(tooFew.error).toMatchObject({ code: 'step_limit_exceeded', nodeId: 'pause' });
  });

  it('uses the current time when the context has no clock', async () => {
    const flow = flowOf([{ id: 'pause', type: 'delay', seconds: 60 }]);
    const before = Date.now();
    const r = await step(flow, null, trigger, engineContext({ now: undefined }));
    const resumeAt = r.wait?.type === 'time' ? Date.parse(r.wait.resumeAt ?? '') : Number.NaN;
    expect(resumeAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(resumeAt).toBeLessThanOrEqual(Date.now() + 60_000);
  });
});
