import { describe, expect, it } from 'vitest';
import { EngineInputError } from '../engineInputError.js';
import { step } from '../step.js';
import { frameVersionIds, subflowIntents } from '../subflows.js';
import { catalogOf, engineContext, intentFlow, jobResult, resumeWith, trigger } from '../test-support/fixtures.js';
import type { FlowDefinition } from '../validateFlow.js';
import { validateFlow } from '../validateFlow.js';

const text = (t: string) => ({ type: 'text', text: t });
const say = (id: string, t: string) => ({ id, type: 'message', blocks: [text(t)] });
const emailField = { name: 'email', type: 'email', label: 'Email', required: true };

/** Root flow: set a → subflow `child` → message using what the child stored. */
const root = intentFlow(
  'main',
  [
    { id: 'seed', type: 'set', assign: { a: '1' } },
    { id: 'sub', type: 'subflow', intent: 'child' },
    say('after', 'back: a={{ vars.a }} b={{ vars.b }} email={{ vars.email }}'),
    { id: 'done', type: 'end' },
  ],
  [
    { from: 'seed', to: 'sub' },
    { from: 'sub', to: 'after' },
    { from: 'after', to: 'done' },
  ],
);

const inlineChild = intentFlow(
  'child',
  [{ id: 'calc', type: 'set', assign: { b: 'vars.a + 1' } }, say('hello', 'child sees a={{ vars.a }}')],
  [{ from: 'calc', to: 'hello' }],
);

const askingChild = (version: string) =>
  intentFlow(
    'child',
    [
      { id: 'q', type: 'ask', fields: [emailField] },
      say('thanks', `thanks from ${version}`),
      { id: 'fin', type: 'end' },
    ],
    [
      { from: 'q', to: 'thanks' },
      { from: 'thanks', to: 'fin' },
    ],
  );

describe('subflow node', () => {
  it('runs the published flow inline, sharing vars, then continues in the caller', async () => {
    const flows = catalogOf({ 'child@1': inlineChild }, { child: 'child@1' });
    const r = await step(root, null, trigger, engineContext({ flows }));
    expect(r.status).toBe('completed');
    expect(r.blocks).toEqual([text('child sees a=1'), text('back: a=1 b=2 email=')]);
    expect(r.state).toEqual({ position: null, vars: { a: 1, b: 2 }, steps: 6 });
    expect(r.trace).toEqual([
      { nodeId: 'seed', type: 'set' },
      { nodeId: 'sub', type: 'subflow' },
      { nodeId: 'calc', type: 'set', flow: 'child' },
      { nodeId: 'hello', type: 'message', flow: 'child' },
      { nodeId: 'after', type: 'message' },
      { nodeId: 'done', type: 'end' },
    ]);
  });

  it('waits for input inside the subflow, keeping a frame, and resumes there', async () => {
    const flows = catalogOf({ 'child@1': askingChild('v1') }, { child: 'child@1' });
    const ctx = engineContext({ flows });
    const waiting = await step(root, null, trigger, ctx);
    expect(waiting.status).toBe('waiting_input');
    expect(waiting.wait).toEqual({ type: 'input', nodeId: 'q', fields: [emailField] });
    expect(waiting.state).toEqual({
      position: 'q',
      vars: { a: 1 },
      steps: 3,
      frames: [{ versionId: 'child@1', returnTo: 'after' }],
    });
    expect(frameVersionIds(waiting.state)).toEqual(['child@1']);

    const r = await step(root, waiting.state, resumeWith({ email: 'a@b.co' }), ctx);
    expect(r.status).toBe('completed');
    expect(r.blocks).toEqual([text('thanks from v1'), text('back: a=1 b= email=a@b.co')]);
    expect(r.state).toEqual({ position: null, vars: { a: 1, email: 'a@b.co' }, steps: 7 });
    expect(r.trace.map((e) => `${e.flow ?? 'main'}:${e.nodeId}`)).toEqual([
      'child:q',
      'child:thanks',
      'child:fin',
      'main:after',
      'main:done',
    ]);
  });

  it('resumes a waiting subflow on the version it started with, even after a republish', async () => {
    const versions: Record<string, FlowDefinition> = { 'child@1': askingChild('v1'), 'child@2': askingChild('v2') };
    const published = { child: 'child@1' };
    const flows = catalogOf(versions, published);
    const ctx = engineContext({ flows });
    const waiting = await step(root, null, trigger, ctx);
    published.child = 'child@2';

    const resumed = await step(root, waiting.state, resumeWith({ email: 'a@b.co' }), ctx);
    expect(resumed.blocks[0]).toEqual(text('thanks from v1'));
    // A new execution picks the new publish.
    const fresh = await step(root, null, trigger, ctx);
    expect(fresh.state.frames).toEqual([{ versionId: 'child@2', returnTo: 'after' }]);
  });

  it('runs a job inside a subflow and resumes there on job_result', async () => {
    const child = intentFlow(
      'child',
      [
        { id: 'fetch', type: 'http', connection: 'shop', method: 'GET', path: '/b', saveAs: 'b' },
        say('got', 'child got {{ vars.b }}'),
      ],
      [{ from: 'fetch', to: 'got' }],
    );
    const ctx = engineContext({ flows: catalogOf({ 'child@1': child }, { child: 'child@1' }) });
    const waiting = await step(root, null, trigger, ctx);
    expect(waiting.status).toBe('waiting_time');
    expect(waiting.effects).toEqual([
      {
        type: 'job',
        nodeId: 'fetch',
        job: { kind: 'http', connection: 'shop', method: 'GET', path: '/b' },
      },
    ]);
    expect(waiting.state).toMatchObject({ position: 'fetch', frames: [{ versionId: 'child@1', returnTo: 'after' }] });

    const r = await step(root, waiting.state, jobResult('fetch', 7), ctx);
    expect(r.status).toBe('completed');
    expect(r.blocks).toEqual([text('child got 7'), text('back: a=1 b=7 email=')]);
  });

  it('completes the caller when the subflow node has no outgoing edge', async () => {
    const caller = intentFlow('main', [{ id: 'sub', type: 'subflow', intent: 'child' }]);
    const flows = catalogOf({ 'child@1': askingChild('v1') }, { child: 'child@1' });
    const waiting = await step(caller, null, trigger, engineContext({ flows }));
    expect(waiting.state.frames).toEqual([{ versionId: 'child@1', returnTo: null }]);
    const r = await step(caller, waiting.state, resumeWith({ email: 'a@b.co' }), engineContext({ flows }));
    expect(r.status).toBe('completed');
    expect(r.blocks).toEqual([text('thanks from v1')]);
  });

  it('aborts the whole execution when the subflow ends aborted', async () => {
    const child = intentFlow('child', [{ id: 'stop', type: 'end', status: 'aborted', reason: 'not_eligible' }]);
    const flows = catalogOf({ 'child@1': child }, { child: 'child@1' });
    const r = await step(root, null, trigger, engineContext({ flows }));
    expect(r).toMatchObject({ status: 'aborted', reason: 'not_eligible', state: { position: null } });
    expect(r.state.frames).toBeUndefined();
    expect(r.blocks).toEqual([]);
  });

  it('fails the whole execution when the subflow fails', async () => {
    const child = intentFlow('child', [{ id: 'bad', type: 'set', assign: { x: '1 + "a"' } }]);
    const flows = catalogOf({ 'child@1': child }, { child: 'child@1' });
    const r = await step(root, null, trigger, engineContext({ flows }));
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ code: 'expression_error', nodeId: 'bad' });
    expect(r.state).toEqual({ position: null, vars: { a: 1 }, steps: 3 });
  });

  it('fails with subflow_not_found for an intent without a published flow, or without a catalog', async () => {
    const message = 'node "sub": no published flow for intent "child"';
    for (const ctx of [engineContext({ flows: catalogOf({}, {}) }), engineContext()]) {
      const r = await step(root, null, trigger, ctx);
      expect(r.status).toBe('failed');
      expect(r.error).toEqual({ code: 'subflow_not_found', message, nodeId: 'sub' });
      expect(r.blocks).toEqual([{ type: 'error', code: 'subflow_not_found', message }]);
    }
  });

  /** A chain main → l1 → … → l<n>, where l<n> says "bottom". */
  const chain = (n: number) => {
    const versions: Record<string, FlowDefinition> = {};
    const published: Record<string, string> = {};
    for (let i = 1; i <= n; i++) {
      versions[`l${i}@1`] =
        i === n
          ? intentFlow(`l${i}`, [say('m', 'bottom')])
          : intentFlow(`l${i}`, [{ id: 's', type: 'subflow', intent: `l${i + 1}` }]);
      published[`l${i}`] = `l${i}@1`;
    }
    return {
      root: intentFlow('main', [{ id: 's', type: 'subflow', intent: 'l1' }]),
      flows: catalogOf(versions, published),
    };
  };

  it('runs subflows nested 8 deep', async () => {
    const { root: top, flows } = chain(8);
    const r = await step(top, null, trigger, engineContext({ flows }));
    expect(r.status).toBe('completed');
    expect(r.blocks).toEqual([text('bottom')]);
  });

  it('fails with step_limit_exceeded when subflows nest deeper than 8', async () => {
    const { root: top, flows } = chain(9);
    const r = await step(top, null, trigger, engineContext({ flows }));
    expect(r.status).toBe('failed');
    expect(r.error).toEqual({
      code: 'step_limit_exceeded',
      message: 'node "s": subflows nested deeper than 8 levels (a subflow calling itself?)',
      nodeId: 's',
    });
    expect(r.trace.at(-1)).toEqual({ nodeId: 's', type: 'subflow', flow: 'l8' });
  });

  it('stops mutual recursion with the depth guard', async () => {
    const a = intentFlow(
      'a',
      [say('in_a', 'a'), { id: 'to_b', type: 'subflow', intent: 'b' }],
      [{ from: 'in_a', to: 'to_b' }],
    );
    const b = intentFlow('b', [{ id: 'to_a', type: 'subflow', intent: 'a' }]);
    const flows = catalogOf({ 'a@1': a, 'b@1': b }, { a: 'a@1', b: 'b@1' });
    const r = await step(a, null, trigger, engineContext({ flows }));
    expect(r.error?.code).toBe('step_limit_exceeded');
    expect(r.blocks.filter((block) => block.type === 'text')).toHaveLength(5);
  });

  it('throws EngineInputError when a pinned version is missing from the catalog', async () => {
    const flows = catalogOf({ 'child@1': askingChild('v1') }, { child: 'child@1' });
    const waiting = await step(root, null, trigger, engineContext({ flows }));
    const noVersions = catalogOf({}, {});
    await expect(
      step(root, waiting.state, resumeWith({ email: 'a@b.co' }), engineContext({ flows: noVersions })),
    ).rejects.toThrow(EngineInputError);
    await expect(step(root, waiting.state, resumeWith({ email: 'a@b.co' }), engineContext())).rejects.toThrow(
      /subflow version "child@1" is in the state but not in EngineContext.flows/,
    );
  });

  it("is rejected by validation when it names its own flow's intent", () => {
    const result = validateFlow({
      intent: { name: 'loop', description: 'Loops' },
      start: 'again',
      nodes: [{ id: 'again', type: 'subflow', intent: 'loop' }],
    });
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          nodeId: 'again',
          path: 'nodes[0].intent',
          message: 'a subflow cannot run its own flow\'s intent "loop" (it would recurse)',
        },
      ],
    });
  });
});

describe('subflow helpers', () => {
  it('subflowIntents lists each intent named by a subflow node once', () => {
    const flow = intentFlow(
      'main',
      [
        { id: 'a', type: 'subflow', intent: 'x' },
        { id: 'b', type: 'subflow', intent: 'y' },
        { id: 'c', type: 'subflow', intent: 'x' },
      ],
      [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
      ],
    );
    expect(subflowIntents(flow)).toEqual(['x', 'y']);
    expect(subflowIntents(root)).toEqual(['child']);
    expect(subflowIntents(inlineChild)).toEqual([]);
  });

  it('frameVersionIds lists pinned versions outermost first', () => {
    expect(frameVersionIds(null)).toEqual([]);
    expect(frameVersionIds({ position: 'x', vars: {}, steps: 1 })).toEqual([]);
    const frames = [
      { versionId: 'v1', returnTo: 'n' },
      { versionId: 'v2', returnTo: null },
    ];
    expect(frameVersionIds({ position: 'x', vars: {}, steps: 1, frames })).toEqual(['v1', 'v2']);
  });
});
